"""Scoped reads of referrals."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from alongside.core.permissions import get_or_404, referrals_visible_to
from alongside.referrals.models import OPEN_STATUSES, Referral, Status


def referral_list(user, organization, *, status: str | None = None) -> QuerySet[Referral]:
    queryset = referrals_visible_to(user, organization).select_related("participant", "program")
    if status:
        queryset = queryset.filter(status=status)
    else:
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    return queryset.order_by("-urgency", "received_at", "pk")


def waiting_counts(user, organization) -> dict[str, int]:
    rows = (
        referrals_visible_to(user, organization)
        .filter(status__in=OPEN_STATUSES)
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
    )
    counts = {row["status"]: row["n"] for row in rows}
    return {status: counts.get(status, 0) for status in OPEN_STATUSES}


def referral_get_for(user, organization, pk) -> Referral:
    return get_or_404(
        referrals_visible_to(user, organization).select_related(
            "participant", "program", "received_by", "screened_by"
        ),
        pk=pk,
    )


__all__ = ["Status", "referral_get_for", "referral_list", "waiting_counts"]
