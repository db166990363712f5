"""Scoped reads of emergency-access grants: a coordinator's own, an organization's for
review, a participant's for their access history."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from alongside.breakglass.models import EmergencyAccess
from alongside.core.permissions import get_or_404


def granted_participant_ids(user, organization, now: datetime.datetime | None = None):
    """The participants this user holds an active grant for, as a subquery (no query is
    run here: the scope functions of core.permissions OR it into theirs)."""
    now = now or timezone.now()
    return EmergencyAccess.objects.filter(
        grantee_id=user.pk,
        organization_id=organization.pk,
        granted_at__lte=now,
        expires_at__gt=now,
    ).values("participant_id")


def active_grants(user, organization, now: datetime.datetime | None = None) -> QuerySet:
    """This user's grants that have not yet run out, soonest end first."""
    now = now or timezone.now()
    return (
        EmergencyAccess.objects.filter(
            grantee_id=user.pk,
            organization_id=organization.pk,
            granted_at__lte=now,
            expires_at__gt=now,
        )
        .select_related("participant")
        .order_by("expires_at", "pk")
    )


def recent_grants(user, organization, limit: int = 20) -> list[EmergencyAccess]:
    """This user's latest grants, newest first, with their reviews."""
    return list(
        EmergencyAccess.objects.filter(grantee_id=user.pk, organization_id=organization.pk)
        .select_related("participant", "review__reviewer")
        .order_by("-granted_at", "-pk")[:limit]
    )


def grant_get_for(user, organization, pk) -> EmergencyAccess:
    """One of this user's own grants; anyone else's answers 404."""
    if organization is None:
        return get_or_404(EmergencyAccess.objects.none(), pk=pk)
    return get_or_404(
        EmergencyAccess.objects.filter(
            grantee_id=user.pk, organization_id=organization.pk
        ).select_related("participant", "organization"),
        pk=pk,
    )


def review_list(organization, *, to_review: bool = False) -> QuerySet:
    """Every grant of the organization, newest first, with who, whom and any review;
    ``to_review`` keeps those not yet reviewed."""
    if organization is None:
        return EmergencyAccess.objects.none()
    queryset = EmergencyAccess.objects.filter(organization_id=organization.pk)
    if to_review:
        queryset = queryset.filter(review__isnull=True)
    return queryset.select_related("grantee", "participant", "review__reviewer").order_by(
        "-granted_at", "-pk"
    )


def grant_for_review(organization, pk) -> EmergencyAccess:
    """One grant of the organization, for its admins; other organizations' answer 404."""
    return get_or_404(review_list(organization), pk=pk)


def grants_for_participant(participant) -> QuerySet:
    """Every emergency opening of this participant's record, newest first: who opened it,
    when, until when, why, and whether it was reviewed (for the portal's access history)."""
    return (
        EmergencyAccess.objects.filter(
            participant_id=participant.pk, organization_id=participant.organization_id
        )
        .select_related("grantee", "review")
        .order_by("-granted_at", "-pk")
    )


def participants_matching(
    organization,
    *,
    record_number: int | None = None,
    first_name: str = "",
    last_name: str = "",
    date_of_birth: datetime.date | None = None,
) -> list:
    """Participants of this organization that match exactly, by record number or by full
    name and date of birth (names ignore case); at most two, enough to say "more than one"."""
    from alongside.participants.models import Participant

    people = Participant.objects.filter(organization_id=organization.pk)
    if record_number is not None:
        people = people.filter(pk=record_number)
    else:
        people = people.filter(
            first_name__iexact=first_name.strip(),
            last_name__iexact=last_name.strip(),
            date_of_birth=date_of_birth,
        )
    return list(people.order_by("pk")[:2])
