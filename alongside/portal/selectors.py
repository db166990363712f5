"""What the portal reads for the participant: what's next, how to reach the team within
what was agreed, and who opened their record."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.models import Membership, Role, User
from alongside.agreements.models import SignerRole
from alongside.agreements.selectors import checklist
from alongside.audit.models import AccessLogParticipant
from alongside.breakglass.models import LOG_REASON_PREFIX
from alongside.meetings.models import Meeting, MeetingStatus
from alongside.meetings.reminders import contact_allowed, next_allowed
from alongside.participants.models import Participant

HISTORY_PAGE_SIZE = 50
# Staff roles in the order a participant would recognise them first.
STAFF_ROLES = (Role.SUPPORTER, Role.COORDINATOR, Role.SUPERVISOR, Role.ADMIN)


def own_participant(user, organization) -> Participant | None:
    """The participant record of the person signed in, in this organization."""
    if organization is None:
        return None
    return Participant.objects.filter(user=user, organization=organization).first()


def next_meeting(engagements) -> Meeting | None:
    """The first planned meeting from now on, across the participant's open engagements."""
    open_ids = [e.pk for e in engagements if not e.is_closed]
    if not open_ids:
        return None
    return (
        Meeting.objects.filter(
            engagement_id__in=open_ids,
            status=MeetingStatus.PLANNED,
            starts_at__gte=timezone.now(),
        )
        .only("pk", "engagement_id", "starts_at", "duration_minutes", "mode", "place_type")
        .order_by("starts_at", "pk")
        .first()
    )


@dataclass
class Reach:
    """How to reach the supporter now, within the days and hours agreed in the team plan."""

    agreed: bool  # a team plan worksheet exists
    now_ok: bool  # now falls within the agreed days and hours
    next_at: datetime.datetime | None  # the next moment within them, when now is not
    channels: list[str] = field(default_factory=list)
    messages_ok: bool = False


def reach(worksheet, now: datetime.datetime | None = None) -> Reach:
    """Within the agreed boundaries: no worksheet means nothing agreed yet (the
    organization's own phone is the way), never "any time"."""
    if worksheet is None:
        return Reach(agreed=False, now_ok=False, next_at=None)
    now = now or timezone.now()
    allowed = contact_allowed(worksheet, now)
    return Reach(
        agreed=True,
        now_ok=allowed,
        next_at=None if allowed else next_allowed(worksheet, now),
        channels=worksheet.channel_labels(),
        messages_ok=worksheet.messages_ok,
    )


def documents_to_sign(engagement) -> list[str]:
    """Titles of the documents the program asks for that still lack the participant's
    signature (two queries); none once support has closed."""
    if engagement.is_closed:
        return []
    return [
        item.template.title
        for item in checklist(engagement)
        if SignerRole.PARTICIPANT in item.missing_roles
    ]


# Access history ---------------------------------------------------------------------------


def access_history(participant: Participant) -> QuerySet[AccessLogParticipant]:
    """Every opening of this person's record by someone else, newest first.

    Read through the indexed side table (audit.AccessLogParticipant), never by searching
    the log's JSON list: one index range whatever the log's size. The participant's own
    reads (their portal, their API token) are left out.
    """
    queryset = AccessLogParticipant.objects.filter(participant_id=participant.pk)
    if participant.user_id:
        queryset = queryset.exclude(actor_id=participant.user_id)
    return queryset.select_related("log").order_by("-at", "-pk")


@dataclass
class Opening:
    at: datetime.datetime
    who: str  # the staff role(s), and the name where the organization shows names
    reason: str  # a stated reason (emergency access), or ""


def _reason_shown(reason: str) -> str:
    """The reason as given: the log stores "Emergency access: …" (in English, once per
    grant read through, joined by "; "); the page says "Emergency access:" itself, in the
    participant's language."""
    if reason.startswith(LOG_REASON_PREFIX):
        reason = reason[len(LOG_REASON_PREFIX) :]
    return reason.replace("; " + LOG_REASON_PREFIX, "; ")


def _role_labels(roles: set[str]) -> str:
    staff = [str(Role(r).label) for r in STAFF_ROLES if r in roles]
    return ", ".join(staff)


def openings_page(participant: Participant, page_number, *, shows_names: bool) -> Page:
    """One page of the access history, each row described as the participant sees it
    (three queries: the count, the rows, the roles, plus the names when shown)."""
    page = Paginator(access_history(participant), HISTORY_PAGE_SIZE).get_page(page_number)
    rows = list(page.object_list)
    actor_ids = {row.actor_id for row in rows if row.actor_id}
    roles: dict[int, set[str]] = {}
    for user_id, role in Membership.objects.filter(
        user_id__in=actor_ids, organization_id=participant.organization_id
    ).values_list("user_id", "role"):
        roles.setdefault(user_id, set()).add(role)
    names: dict[int, str] = {}
    if shows_names and actor_ids:
        names = {user.pk: str(user) for user in User.objects.filter(pk__in=actor_ids)}
    openings = []
    for row in rows:
        if row.actor_id is None:
            who = _("Alongside (an automatic task)")
        else:
            # Roles as they are today: a person who has left shows as no longer here.
            who = _role_labels(roles.get(row.actor_id, set())) or _(
                "Someone no longer with the organization"
            )
            if row.actor_id in names:
                who = _("%(name)s (%(role)s)") % {"name": names[row.actor_id], "role": who}
        openings.append(Opening(at=row.at, who=who, reason=_reason_shown(row.log.reason)))
    page.object_list = openings
    return page
