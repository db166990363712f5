"""Everything one export needs, read in a fixed number of queries whatever its size.

The caller passes the engagements already scoped to who asks (core.permissions), so an
export never holds more than its reader may see.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from alongside.accounts.models import Membership, Role
from alongside.consents.models import Consent
from alongside.engagements.models import SupporterAssignment
from alongside.meetings.models import Meeting
from alongside.plans.models import ActionStep, Goal, Plan
from alongside.surveys.models import Response, ResponseStatus


@dataclass
class Record:
    """One participant's record as the export shows it."""

    participant: object
    organization: object
    engagements: list = field(default_factory=list)
    referrals: list = field(default_factory=list)
    consents: list = field(default_factory=list)
    # Staff the export names (supporters, who recorded a survey): user id → user.
    staff: dict = field(default_factory=dict)
    # user id → the roles they hold in the organization (PractitionerRole).
    roles: dict = field(default_factory=dict)


def engagements_for_export(engagements: QuerySet) -> QuerySet:
    """The engagements with what hangs off them, prefetched (one query per relation)."""
    return (
        engagements.select_related("program", "supporter", "referral__program", "organization")
        .prefetch_related(
            "state_changes",
            Prefetch(
                "assignments", queryset=SupporterAssignment.objects.select_related("supporter")
            ),
            Prefetch(
                "meetings", queryset=Meeting.objects.order_by("starts_at", "pk").only(*_MEETING)
            ),
            Prefetch(
                "goals",
                queryset=Goal.objects.order_by("created_at", "pk").prefetch_related(
                    Prefetch("steps", queryset=ActionStep.objects.order_by("created_at", "pk"))
                ),
            ),
            Prefetch(
                "plans",
                queryset=Plan.objects.order_by("number").prefetch_related(
                    Prefetch("goals", queryset=Goal.objects.only("pk")), "signatures"
                ),
            ),
            Prefetch(
                "survey_responses",
                queryset=Response.objects.filter(status=ResponseStatus.COMPLETE)
                .select_related("instrument_version__instrument", "filled_by")
                .order_by("completed_at", "pk"),
            ),
        )
        .order_by("started_on", "pk")
    )


# A meeting's facts only: the export never reads a note.
_MEETING = (
    "pk",
    "engagement_id",
    "starts_at",
    "duration_minutes",
    "mode",
    "place_type",
    "status",
    "service_units",
)


def record_load(participant, engagements: QuerySet, *, open_referrals: QuerySet | None = None):
    """The record of ``participant`` limited to ``engagements`` (already scoped).

    ``open_referrals``: referrals not (yet) tied to an engagement that the reader may see
    (coordinators at intake); the referral of each engagement is always included.
    """
    organization = participant.organization
    loaded = list(engagements_for_export(engagements.filter(participant=participant)))
    record = Record(participant=participant, organization=organization, engagements=loaded)
    referrals = [e.referral for e in loaded if e.referral_id]
    if open_referrals is not None:
        seen = {r.pk for r in referrals}
        referrals += [
            r
            for r in open_referrals.filter(participant=participant, engagement__isnull=True)
            .select_related("program")
            .order_by("received_at", "pk")
            if r.pk not in seen
        ]
    record.referrals = referrals
    engagement_ids = [e.pk for e in loaded]
    record.consents = list(
        Consent.objects.filter(participant=participant, organization=organization)
        .filter(Q(engagement__isnull=True) | Q(engagement_id__in=engagement_ids))
        .order_by("signed_on", "pk")
    )
    for engagement in loaded:
        for user in [engagement.supporter, *(a.supporter for a in engagement.assignments.all())]:
            if user is not None:
                record.staff[user.pk] = user
        for response in engagement.survey_responses.all():
            if participant.user_id != response.filled_by_id:
                record.staff[response.filled_by_id] = response.filled_by
    if record.staff:
        for user_id, role in Membership.objects.filter(
            organization=organization, user_id__in=list(record.staff)
        ).values_list("user_id", "role"):
            if role != Role.PARTICIPANT:
                record.roles.setdefault(user_id, []).append(role)
    return record
