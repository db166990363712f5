"""Scoped reads of consents and disclosures.

Consents belong to the participant: whoever may see one of the participant's
engagements (core.permissions decides who) sees the participant's consents and
disclosures; a participant sees their own. Outside that scope they do not exist (404).
"""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from alongside.consents.models import Consent, Disclosure
from alongside.core.permissions import engagements_visible_to, get_or_404
from alongside.engagements.selectors import own_engagements

ACCOUNTING_YEARS = 3
SECTION_DISCLOSURES = 10


def _of_participants(model, organization, engagements: QuerySet) -> QuerySet:
    """The organization's records of ``model`` about the participants of ``engagements``."""
    if organization is None:
        return model.objects.none()
    return model.objects.filter(
        organization=organization, participant_id__in=engagements.values("participant_id")
    )


def consents_visible_to(user, organization) -> QuerySet[Consent]:
    return _of_participants(Consent, organization, engagements_visible_to(user, organization))


def disclosures_visible_to(user, organization) -> QuerySet[Disclosure]:
    return _of_participants(Disclosure, organization, engagements_visible_to(user, organization))


def consent_get_for(user, organization, pk) -> Consent:
    return get_or_404(
        consents_visible_to(user, organization).select_related(
            "participant", "engagement", "recorded_by", "revoked_by", "organization"
        ),
        pk=pk,
    )


def disclosure_get_for(user, organization, pk) -> Disclosure:
    return get_or_404(
        disclosures_visible_to(user, organization).select_related(
            "participant", "consent", "released_by", "engagement"
        ),
        pk=pk,
    )


def own_consents(user, organization) -> QuerySet[Consent]:
    """A participant's own consents (the portal), newest first."""
    return (
        _of_participants(Consent, organization, own_engagements(user, organization))
        .select_related("recorded_by", "revoked_by")
        .order_by("-signed_on", "-pk")
    )


def own_disclosures(user, organization) -> QuerySet[Disclosure]:
    return (
        _of_participants(Disclosure, organization, own_engagements(user, organization))
        .select_related("consent", "released_by")
        .order_by("-disclosed_at", "-pk")
    )


def accounting_since(today: datetime.date | None = None) -> datetime.date:
    """The first day of the accounting period: the same day three years ago."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - ACCOUNTING_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year - ACCOUNTING_YEARS, day=28)


def accounting_of_disclosures(queryset: QuerySet[Disclosure], today=None) -> QuerySet:
    since = accounting_since(today)
    start = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
    return queryset.filter(disclosed_at__gte=start).order_by("disclosed_at", "pk")


def group_by_status(consents) -> dict[str, list[Consent]]:
    now = timezone.now()
    groups: dict[str, list[Consent]] = {"active": [], "expired": [], "revoked": []}
    for consent in consents:
        groups[consent.status(now)].append(consent)
    return groups


def engagement_section(engagement) -> dict:
    """What the engagement page shows of the participant's consents and disclosures.

    Two queries whatever the number of consents or disclosures.
    """
    consents = list(
        Consent.objects.filter(participant_id=engagement.participant_id)
        .select_related("recorded_by")
        .order_by("-signed_on", "-pk")
    )
    disclosures = list(
        Disclosure.objects.filter(participant_id=engagement.participant_id)
        .select_related("released_by")
        .order_by("-disclosed_at", "-pk")[:SECTION_DISCLOSURES]
    )
    return {
        "engagement": engagement,
        "consents": consents,
        "active_consents": [c for c in consents if c.is_active()],
        "disclosures": disclosures,
    }
