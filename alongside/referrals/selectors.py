"""Scoped reads of referrals."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Avg, Case, Count, F, IntegerField, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from alongside.accounts.models import LANGUAGE_CHOICES, experience_choices
from alongside.core.permissions import (
    engagements_visible_to,
    get_or_404,
    programs_coordinated_by,
    referrals_visible_to,
)
from alongside.referrals.models import OPEN_STATUSES, Referral, Status, Urgency

WAITING_STATUSES = [Status.ACCEPTED, Status.WAITLISTED]
# An accepted referral without a waitlist priority ranks with the default priority.
DEFAULT_PRIORITY = 3


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
            "participant",
            "program",
            "received_by",
            "screened_by",
            "duplicate_of_referral",
            "duplicate_of_engagement__program",
        ),
        pk=pk,
    )


# the waitlist ------------------------------------------------------------------------


@dataclass(frozen=True)
class WaitlistFilters:
    """Validated filters of the waitlist; an unknown value is dropped (shown as "all")."""

    program: int | None = None
    language: str = ""
    urgency: str = ""

    @classmethod
    def from_query(cls, params, programs: list) -> WaitlistFilters:
        program_ids = {program.pk for program in programs}
        try:
            program = int(params.get("program") or 0) or None
        except (TypeError, ValueError):
            program = None
        language = params.get("language") or ""
        urgency = params.get("urgency") or ""
        return cls(
            program=program if program in program_ids else None,
            language=language if language in dict(LANGUAGE_CHOICES) else "",
            urgency=urgency if urgency in Urgency.values else "",
        )

    def as_query(self) -> dict[str, str]:
        """The filters as GET parameters, for links that keep them."""
        values = {"program": self.program or "", "language": self.language}
        values["urgency"] = self.urgency
        return {key: str(value) for key, value in values.items() if value}


def waitlist(user, organization, filters: WaitlistFilters) -> QuerySet[Referral]:
    """Accepted and waitlisted referrals: priority, then urgency, then longest waiting."""
    queryset = referrals_visible_to(user, organization).filter(status__in=WAITING_STATUSES)
    if filters.program:
        queryset = queryset.filter(program_id=filters.program)
    if filters.language:
        queryset = queryset.filter(preferred_language=filters.language)
    if filters.urgency:
        queryset = queryset.filter(urgency=filters.urgency)
    return (
        queryset.select_related("participant", "program")
        .annotate(
            priority=Coalesce("waitlist_priority", Value(DEFAULT_PRIORITY)),
            urgency_rank=Case(
                When(urgency=Urgency.URGENT, then=Value(0)),
                When(urgency=Urgency.SOON, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
        )
        .order_by("priority", "urgency_rank", "received_at", "pk")
    )


def waitlist_programs(user, organization) -> list:
    """The programs a waitlist can be filtered by: the ones the user coordinates."""
    return list(programs_coordinated_by(user, organization).order_by("name"))


# reports -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TimeToMatch:
    matched: int
    average_days: float | None


def days_to_match(
    user, organization, *, since: datetime.date | None = None, program_id: int | None = None
) -> TimeToMatch:
    """How many referrals were matched (since a date) and their average days from referral."""
    queryset = referrals_visible_to(user, organization).filter(
        status=Status.MATCHED, matched_at__isnull=False
    )
    if since:
        start = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
        queryset = queryset.filter(matched_at__gte=start)
    if program_id:
        queryset = queryset.filter(program_id=program_id)
    row = queryset.order_by().aggregate(
        n=Count("id"), average=Avg(F("matched_at") - F("received_at"))
    )
    average = row["average"]
    if average is not None and not isinstance(average, datetime.timedelta):
        average = datetime.timedelta(microseconds=average)  # some backends answer microseconds
    return TimeToMatch(
        matched=row["n"],
        average_days=round(average.total_seconds() / 86400, 1) if average is not None else None,
    )


# what a referral page shows ----------------------------------------------------------


def duplicate_visibility(user, organization, referral: Referral) -> dict[str, bool]:
    """Whether the viewer may open the record a duplicate flag points at (at most 2 queries)."""
    visible = {"referral": False, "engagement": False}
    if referral.duplicate_of_referral_id:
        visible["referral"] = (
            referrals_visible_to(user, organization)
            .filter(pk=referral.duplicate_of_referral_id)
            .exists()
        )
    if referral.duplicate_of_engagement_id:
        visible["engagement"] = (
            engagements_visible_to(user, organization)
            .filter(pk=referral.duplicate_of_engagement_id)
            .exists()
        )
    return visible


def experience_labels(organization, codes: list[str]) -> list[str]:
    """Readable labels of lived-experience codes, the organization's own included."""
    labels = dict(experience_choices(organization))
    return [str(labels.get(code, code)) for code in codes]


__all__ = [
    "Status",
    "TimeToMatch",
    "WaitlistFilters",
    "days_to_match",
    "duplicate_visibility",
    "experience_labels",
    "referral_get_for",
    "referral_list",
    "waiting_counts",
    "waitlist",
    "waitlist_programs",
]
