"""Who may see which concern: one scoping function that every page and the API use.

A concern about a staff member is never visible to that staff member, nor to the
people who supervise them, whatever other role they hold; nor can it be assigned to them.
"""

from __future__ import annotations

from django.db.models import DurationField, ExpressionWrapper, F, Q, QuerySet

from alongside.accounts.models import Membership, PeerSupporterProfile, Role
from alongside.concerns.models import Concern, ConcernStatus
from alongside.core.permissions import Cap, has_capability, programs_coordinated_by

STAFF_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.SUPERVISOR, Role.SUPPORTER)


def concerns_visible_to(user, organization) -> QuerySet[Concern]:
    """The concerns ``user`` may see in ``organization``: the ones they raised; for
    triagers also the general ones and those of the programs they coordinate; never one
    about themselves or about someone they supervise."""
    if organization is None or not user.is_authenticated or not user.is_active:
        return Concern.objects.none()
    condition = Q(raised_by=user)
    if has_capability(user, organization, Cap.CONCERNS_TRIAGE):
        # A concern about an engagement is clinical: only that program's coordinators.
        coordinated = programs_coordinated_by(user, organization).values("pk")
        condition |= Q(engagement__isnull=True) | Q(engagement__program_id__in=coordinated)
    supervised = PeerSupporterProfile.objects.filter(
        supervisor=user, organization=organization
    ).values("user_id")
    return (
        Concern.objects.filter(condition, organization=organization)
        .exclude(subject_user=user)
        .exclude(subject_user__in=supervised)
    )


def supervisors_of(user_id: int | None, organization) -> set[int]:
    if user_id is None:
        return set()
    return set(
        PeerSupporterProfile.objects.filter(
            user_id=user_id, organization=organization, supervisor__isnull=False
        ).values_list("supervisor_id", flat=True)
    )


def conflicted(concern: Concern) -> set[int]:
    """Users who must not see or handle ``concern``: its subject and their supervisors."""
    if concern.subject_user_id is None:
        return set()
    return {concern.subject_user_id} | supervisors_of(
        concern.subject_user_id, concern.organization
    )


def concern_handlers(concern: Concern) -> QuerySet:
    """Coordinators who may handle ``concern`` (those of its program, if it has one)."""
    from alongside.accounts.models import User

    memberships = Membership.objects.filter(
        organization_id=concern.organization_id, role=Role.COORDINATOR
    )
    if concern.engagement_id:
        memberships = memberships.filter(programs=concern.engagement.program_id)
    return (
        User.objects.filter(pk__in=memberships.values("user_id"), is_active=True)
        .exclude(pk__in=conflicted(concern))
        .order_by("first_name", "last_name", "pk")
    )


def staff_of(organization) -> QuerySet:
    """Staff members a concern may be about."""
    from alongside.accounts.models import User

    members = Membership.objects.filter(organization=organization, role__in=STAFF_ROLES)
    return User.objects.filter(pk__in=members.values("user_id"), is_active=True).order_by(
        "first_name", "last_name", "pk"
    )


def with_durations(queryset: QuerySet[Concern]) -> QuerySet[Concern]:
    """Annotate time to acknowledge and time to resolve (None while not yet done)."""
    return queryset.annotate(
        time_to_acknowledge=ExpressionWrapper(
            F("acknowledged_at") - F("created_at"), output_field=DurationField()
        ),
        time_to_resolve=ExpressionWrapper(
            F("resolved_at") - F("created_at"), output_field=DurationField()
        ),
    )


def concern_triage_list(user, organization, *, status: str | None = None) -> QuerySet[Concern]:
    """The triage list: unresolved by default, urgent first, oldest first."""
    concerns = concerns_visible_to(user, organization).select_related(
        "engagement__participant", "subject_user", "handled_by"
    )
    if status:
        concerns = concerns.filter(status=status)
    else:
        concerns = concerns.exclude(status=ConcernStatus.RESOLVED)
    return with_durations(concerns).order_by("-urgency", "created_at", "pk")


def concerns_raised_by(user, organization) -> QuerySet[Concern]:
    """What the person who raised concerns may follow: their own, through the same scope."""
    return concerns_visible_to(user, organization).filter(raised_by=user).order_by("-created_at")
