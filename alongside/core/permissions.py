"""The one place that decides who may do what and see which records.

Roles map to capabilities; views and the API ask for a capability, never a
role name. Every query for records goes through a ``*_visible_to`` function
here, so an out-of-scope record is simply not found (404), and nothing of one
organization is reachable from another.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from alongside.accounts.models import Membership, PeerSupporterProfile, Role
from alongside.accounts.second_factor import session_verified

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization

M = TypeVar("M", bound=Model)


class Cap(StrEnum):
    DASHBOARD_VIEW = "dashboard.view"
    PARTICIPANTS_VIEW = "participants.view"
    # Changing a person's details (name, pronouns, language, contact, demographics):
    # coordinators of a program they have a referral or engagement in, and the supporter
    # of their open engagement (participants_changeable_by).
    PARTICIPANTS_CHANGE = "participants.change"
    REFERRALS_VIEW = "referrals.view"
    REFERRALS_MANAGE = "referrals.manage"
    MATCHING_ASSIGN = "matching.assign"
    ENGAGEMENTS_VIEW = "engagements.view"
    ENGAGEMENTS_TRANSITION = "engagements.transition"
    # Extending support past the program's duration guideline is a coordinator's decision.
    ENGAGEMENTS_EXTEND = "engagements.extend"
    AGREEMENTS_RECORD = "agreements.record"
    DISCLOSURES_MAKE = "disclosures.make"
    MEETINGS_WRITE = "meetings.write"
    NOTES_READ = "notes.read"
    GOALS_WRITE = "goals.write"
    ASSESSMENTS_WRITE = "assessments.write"
    EXITS_WRITE = "exits.write"
    CONCERNS_RAISE = "concerns.raise"
    CONCERNS_TRIAGE = "concerns.triage"
    PORTAL_VIEW = "portal.view"
    PORTAL_INVITE = "portal.invite"
    PROFILE_EDIT = "profile.edit"
    ORGANIZATION_CONFIGURE = "organization.configure"
    # The supervision log: supervisors record sessions with the supporters they supervise;
    # those supporters read theirs; admins read when and with whom, never what about.
    SUPERVISION_RECORD = "supervision.record"
    SUPERVISION_VIEW = "supervision.view"
    # Surveys: staff record a participant's answers (with them, or from paper); a
    # participant fills their own in the portal.
    SURVEYS_RECORD = "surveys.record"
    SURVEYS_FILL = "surveys.fill"
    # Aggregate reports for funders (small cells suppressed) and their exports.
    REPORTS_VIEW = "reports.view"
    # Releasing a participant's whole record to them, at their request (records app).
    RECORDS_RELEASE = "records.release"
    # Break the glass: a coordinator opens one participant's record outside their scope
    # for an emergency, with a reason, for a limited time, read-only (breakglass app);
    # the organization's admins review every such opening.
    EMERGENCY_ACCESS = "emergency.access"
    EMERGENCY_REVIEW = "emergency.review"


_CLINICAL_STAFF = {
    Cap.DASHBOARD_VIEW,
    Cap.PARTICIPANTS_VIEW,
    Cap.ENGAGEMENTS_VIEW,
    Cap.NOTES_READ,
    Cap.CONCERNS_RAISE,
}
_HANDS_ON = {
    Cap.PARTICIPANTS_CHANGE,
    Cap.ENGAGEMENTS_TRANSITION,
    Cap.PORTAL_INVITE,
    Cap.AGREEMENTS_RECORD,
    Cap.DISCLOSURES_MAKE,
    Cap.MEETINGS_WRITE,
    Cap.GOALS_WRITE,
    Cap.ASSESSMENTS_WRITE,
    Cap.EXITS_WRITE,
    Cap.SURVEYS_RECORD,
}

ROLE_CAPABILITIES: dict[str, frozenset[Cap]] = {
    Role.ADMIN: frozenset(
        {Cap.ORGANIZATION_CONFIGURE, Cap.SUPERVISION_VIEW, Cap.EMERGENCY_REVIEW}
    ),
    Role.COORDINATOR: frozenset(
        _CLINICAL_STAFF
        | _HANDS_ON
        | {
            Cap.REFERRALS_VIEW,
            Cap.REFERRALS_MANAGE,
            Cap.MATCHING_ASSIGN,
            Cap.CONCERNS_TRIAGE,
            Cap.ENGAGEMENTS_EXTEND,
            Cap.REPORTS_VIEW,
            Cap.RECORDS_RELEASE,
            Cap.EMERGENCY_ACCESS,
        }
    ),
    Role.SUPERVISOR: frozenset(_CLINICAL_STAFF | {Cap.SUPERVISION_RECORD, Cap.SUPERVISION_VIEW}),
    Role.SUPPORTER: frozenset(
        _CLINICAL_STAFF | _HANDS_ON | {Cap.PROFILE_EDIT, Cap.SUPERVISION_VIEW}
    ),
    Role.PARTICIPANT: frozenset({Cap.PORTAL_VIEW, Cap.CONCERNS_RAISE, Cap.SURVEYS_FILL}),
}


# Roles per organization id, kept on the user object for the length of a request.
_ROLES_CACHE = "_alongside_roles"


_PARTICIPANT_ONLY = frozenset({Role.PARTICIPANT})


def roles_of(user: User, organization: Organization | None) -> frozenset[str]:
    """The roles a user holds in an organization (cached on the user object).

    Staff roles count only once the session has passed its second step: a password
    alone opens nothing but a participant's own portal (accounts.second_factor).
    """
    if organization is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cache = user.__dict__.setdefault(_ROLES_CACHE, {})
    if organization.pk not in cache:
        cache[organization.pk] = frozenset(
            Membership.objects.filter(user=user, organization=organization).values_list(
                "role", flat=True
            )
        )
    if not session_verified(user):
        return cache[organization.pk] & _PARTICIPANT_ONLY
    return cache[organization.pk]


def remember_roles(user: User, organization: Organization, roles: Iterable[str]) -> None:
    """Prime roles_of with roles already read, so it need not read Membership again."""
    user.__dict__.setdefault(_ROLES_CACHE, {})[organization.pk] = frozenset(roles)


def capabilities_of(user: User, organization: Organization | None) -> frozenset[Cap]:
    caps: set[Cap] = set()
    for role in roles_of(user, organization):
        caps |= ROLE_CAPABILITIES.get(role, frozenset())
    return frozenset(caps)


def has_capability(user: User, organization: Organization | None, cap: Cap) -> bool:
    return cap in capabilities_of(user, organization)


def _coordinated_ids(user: User, organization: Organization) -> QuerySet:
    return Membership.programs.through.objects.filter(
        membership__user=user,
        membership__organization=organization,
        membership__role=Role.COORDINATOR,
    ).values("program_id")


def programs_coordinated_by(user: User, organization: Organization | None) -> QuerySet:
    """Programs whose referrals and engagements this user coordinates."""
    from alongside.organizations.models import Program

    if organization is None:
        return Program.objects.none()
    return Program.objects.filter(
        organization=organization, pk__in=_coordinated_ids(user, organization)
    )


# Emergency-access grants widen what a coordinator may read, never what they may change:
# they count only inside ``emergency_reads()``, which the breakglass middleware opens for
# GET and HEAD requests of a session holding a grant. Elsewhere (writes, the API, tasks,
# tests) the scope functions are exactly as without grants.
_EMERGENCY_READS: ContextVar[bool] = ContextVar("alongside_emergency_reads", default=False)


@contextmanager
def emergency_reads(enabled: bool = True) -> Iterator[None]:
    """Within this block, a coordinator's active emergency-access grants are in scope."""
    token = _EMERGENCY_READS.set(enabled)
    try:
        yield
    finally:
        _EMERGENCY_READS.reset(token)


def _emergency_participants(user: User, organization: Organization) -> QuerySet | None:
    """Participants this coordinator opened for an emergency (a subquery), or None."""
    if not _EMERGENCY_READS.get() or Role.COORDINATOR not in roles_of(user, organization):
        return None
    from alongside.breakglass.selectors import granted_participant_ids

    return granted_participant_ids(user, organization)


def _engagement_scope(user: User, organization: Organization, prefix: str = "") -> Q | None:
    """The Q that selects engagements (via ``prefix``) this user may see; None if none."""
    roles = roles_of(user, organization)
    clauses: list[Q] = []
    if Role.COORDINATOR in roles:
        clauses.append(Q(**{f"{prefix}program_id__in": _coordinated_ids(user, organization)}))
        granted = _emergency_participants(user, organization)
        if granted is not None:
            clauses.append(Q(**{f"{prefix}participant_id__in": granted}))
    if Role.SUPERVISOR in roles:
        supervisees = PeerSupporterProfile.objects.filter(
            supervisor=user, organization=organization
        ).values("user_id")
        clauses.append(Q(**{f"{prefix}supporter_id__in": supervisees}))
    if Role.SUPPORTER in roles:
        clauses.append(Q(**{f"{prefix}supporter_id": user.pk}))
    if Role.PARTICIPANT in roles:
        clauses.append(Q(**{f"{prefix}participant__user_id": user.pk}))
    if not clauses:
        return None
    scope = clauses[0]
    for clause in clauses[1:]:
        scope |= clause
    return scope & Q(**{f"{prefix}organization_id": organization.pk})


def scoped(
    queryset: QuerySet[M], user: User, organization: Organization | None, via: str = ""
) -> QuerySet[M]:
    """Restrict a queryset of engagements, or of records hanging off one (``via``)."""
    if organization is None:
        return queryset.none()
    prefix = f"{via}__" if via else ""
    scope = _engagement_scope(user, organization, prefix)
    if scope is None:
        return queryset.none()
    return queryset.filter(scope)


def engagements_visible_to(user: User, organization: Organization | None) -> QuerySet:
    from alongside.engagements.models import Engagement

    return scoped(Engagement.objects.all(), user, organization)


def participants_visible_to(user: User, organization: Organization | None) -> QuerySet:
    """Participants with at least one visible engagement, or any open referral for intake."""
    from alongside.participants.models import Participant

    if organization is None:
        return Participant.objects.none()
    visible = engagements_visible_to(user, organization).values("participant_id")
    condition = Q(pk__in=visible)
    if has_capability(user, organization, Cap.REFERRALS_VIEW):
        condition |= Q(pk__in=referrals_visible_to(user, organization).values("participant_id"))
    granted = _emergency_participants(user, organization)
    if granted is not None:
        condition |= Q(pk__in=granted)
    return Participant.objects.filter(condition, organization=organization)


def participants_changeable_by(user: User, organization: Organization | None) -> QuerySet:
    """Participants whose details this user may change (``participants.change``).

    Coordinators: those with a referral or an engagement (open or closed) in a program they
    coordinate. Supporters: those of their own open engagements; once support has closed,
    details are kept up to date by the coordinators. Supervisors, admins and participants:
    none.
    """
    from alongside.engagements.models import Engagement, State
    from alongside.participants.models import Participant
    from alongside.referrals.models import Referral

    if organization is None or not has_capability(user, organization, Cap.PARTICIPANTS_CHANGE):
        return Participant.objects.none()
    roles = roles_of(user, organization)
    engagements = Engagement.objects.filter(organization=organization)
    condition = Q(pk__in=[])
    if Role.COORDINATOR in roles:
        programs = _coordinated_ids(user, organization)
        condition |= Q(
            pk__in=engagements.filter(program_id__in=programs).values("participant_id")
        ) | Q(
            pk__in=Referral.objects.filter(
                organization=organization, program_id__in=programs
            ).values("participant_id")
        )
    if Role.SUPPORTER in roles:
        own_open = engagements.filter(supporter=user).exclude(state=State.CLOSED)
        condition |= Q(pk__in=own_open.values("participant_id"))
    return Participant.objects.filter(condition, organization=organization)


def may_change_participant(user: User, organization: Organization | None, pk: int) -> bool:
    return participants_changeable_by(user, organization).filter(pk=pk).exists()


def may_change_participant_of(
    user: User, organization: Organization | None, engagement: Model
) -> bool:
    """May change the details of the participant of an engagement this user sees; decided
    without a query in the usual cases (the engagement page counts its queries)."""
    from alongside.engagements.models import State

    if not has_capability(user, organization, Cap.PARTICIPANTS_CHANGE):
        return False
    roles = roles_of(user, organization)
    if engagement.supporter_id == user.pk and engagement.state != State.CLOSED:
        return True
    others = {Role.SUPERVISOR, Role.SUPPORTER, Role.PARTICIPANT}
    if Role.COORDINATOR in roles and not roles & others:
        return True  # seen only through coordinating its program
    return may_change_participant(user, organization, engagement.participant_id)


def referrals_visible_to(user: User, organization: Organization | None) -> QuerySet:
    """Coordinators see the referrals of the programs they coordinate."""
    from alongside.referrals.models import Referral

    if organization is None or not has_capability(user, organization, Cap.REFERRALS_VIEW):
        return Referral.objects.none()
    return Referral.objects.filter(
        organization=organization, program_id__in=_coordinated_ids(user, organization)
    )


def concerns_visible_to(user: User, organization: Organization | None) -> QuerySet:
    """Concerns are scoped in one place, conflict-aware: alongside.concerns.selectors."""
    from alongside.concerns.selectors import concerns_visible_to as scope

    return scope(user, organization)


def supporters_supervised_by(user: User, organization: Organization | None) -> QuerySet:
    """Profiles of the supporters this user supervises in the organization."""
    if organization is None or Role.SUPERVISOR not in roles_of(user, organization):
        return PeerSupporterProfile.objects.none()
    return PeerSupporterProfile.objects.filter(supervisor=user, organization=organization)


def supervision_sessions_visible_to(user: User, organization: Organization | None) -> QuerySet:
    """Sessions the user recorded (supervisor) or was supervised in (supporter); for admins,
    every session of the organization (the views show admins no clinical content)."""
    from alongside.supervision.models import SupervisionSession

    roles = roles_of(user, organization)
    if organization is None or not roles:
        return SupervisionSession.objects.none()
    queryset = SupervisionSession.objects.filter(organization=organization)
    if Role.ADMIN in roles:
        return queryset
    condition = Q(pk__in=[])
    if Role.SUPERVISOR in roles:
        condition |= Q(supervisor=user)
    if Role.SUPPORTER in roles:
        condition |= Q(supporter=user)
    return queryset.filter(condition)


def supporters_of(organization: Organization) -> QuerySet:
    return PeerSupporterProfile.objects.filter(organization=organization)


def get_or_404(queryset: QuerySet[M], **lookup) -> M:
    """Fetch one record of a scoped queryset; outside the scope it does not exist."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
