"""Meeting reminders: which are due, whether and how the participant agreed to get them.

A planned meeting with a lead time (``reminder_minutes``) gets one reminder once
``starts_at - reminder_minutes`` has come, if the participant's team plan worksheet
welcomes reminders and names a way to send it: email (with an address on file) or text
(with a phone number, through the ``ALONGSIDE_SMS_SENDER`` hook). Outside the agreed days
and hours it waits for the next agreed moment, unless that comes only after the meeting
starts: then it is skipped, and the skip is recorded. docs/meetings.md has the schedule.

Every run is idempotent and safe to run in parallel: a reminder is claimed by a
conditional update inside a transaction (rows already locked by another worker are
skipped where the database can), so it goes at most once.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import formats, timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks import task

from alongside.audit.services import event_record
from alongside.engagements.models import State
from alongside.meetings.models import Meeting, MeetingStatus, ReminderOutcome
from alongside.teamplans.models import Channel

logger = logging.getLogger(__name__)

# Reminders can be asked for up to a week ahead; the search looks no further.
LOOKAHEAD = datetime.timedelta(days=7)
# How far the next agreed moment is searched for (a week and a day covers every weekday).
QUIET_SEARCH_DAYS = 8
PENDING = {"reminder_sent_at__isnull": True, "reminder_outcome": ""}


def reminder_time(meeting: Meeting) -> datetime.datetime:
    return meeting.starts_at - datetime.timedelta(minutes=meeting.reminder_minutes or 0)


# Agreed days and hours ------------------------------------------------------------------


def contact_allowed(worksheet, at: datetime.datetime) -> bool:
    """Whether ``at`` (local time) falls within the worksheet's agreed days and hours.

    No days means every day; no times mean any time; a window whose end is before its
    start runs overnight (20:00 to 08:00).
    """
    local = timezone.localtime(at)
    days = worksheet.contact_days or []
    if days and local.weekday() not in days:
        return False
    start, end = worksheet.contact_from, worksheet.contact_until
    now = local.time()
    if start is None and end is None:
        return True
    if start is not None and end is not None and start > end:
        return now >= start or now < end
    return (start is None or now >= start) and (end is None or now < end)


def next_allowed(worksheet, after: datetime.datetime) -> datetime.datetime | None:
    """The first moment at or after ``after`` within the agreed days and hours, or None."""
    if contact_allowed(worksheet, after):
        return after
    local = timezone.localtime(after)
    tz = local.tzinfo
    opening = worksheet.contact_from or datetime.time(0, 0)
    candidates = []
    for offset in range(QUIET_SEARCH_DAYS + 1):
        day = local.date() + datetime.timedelta(days=offset)
        for moment in (datetime.time(0, 0), opening):
            candidate = timezone.make_aware(datetime.datetime.combine(day, moment), tz)
            if candidate > after and contact_allowed(worksheet, candidate):
                candidates.append(candidate)
        if candidates:
            return min(candidates)
    return None


# Deciding and sending ---------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """``send`` (through ``channels``), ``wait`` (until ``at``) or ``skip`` (``outcome``)."""

    action: str
    channels: tuple[str, ...] = ()
    at: datetime.datetime | None = None
    outcome: str = ""


def sms_sender():
    """The configured text-message callable, or None (then text reminders are skipped)."""
    path = getattr(settings, "ALONGSIDE_SMS_SENDER", "") or ""
    return import_string(path) if path else None


def reminder_decide(meeting: Meeting, now: datetime.datetime, *, sms_enabled: bool) -> Decision:
    """What to do with a due reminder, from the worksheet the team agreed with the participant."""
    if meeting.starts_at <= now:
        return Decision("skip", outcome=ReminderOutcome.TOO_LATE)
    engagement = meeting.engagement
    worksheet = getattr(engagement, "team_plan", None)
    if worksheet is None:
        # No worksheet: nobody has agreed how to reach the participant.
        return Decision("skip", outcome=ReminderOutcome.NO_CHANNEL)
    if not worksheet.reminders_ok:
        return Decision("skip", outcome=ReminderOutcome.DECLINED)
    participant = engagement.participant
    channels = []
    if Channel.EMAIL in worksheet.channels and participant.email:
        channels.append("email")
    if Channel.TEXT in worksheet.channels and participant.phone and sms_enabled:
        channels.append("text")
    if not channels:
        return Decision("skip", outcome=ReminderOutcome.NO_CHANNEL)
    when = next_allowed(worksheet, now)
    if when is None or when >= meeting.starts_at:
        return Decision("skip", outcome=ReminderOutcome.QUIET_HOURS)
    if when > now:
        return Decision("wait", at=when)
    return Decision("send", channels=tuple(channels))


def reminder_text(meeting: Meeting) -> tuple[str, str]:
    """Subject and body: the time, the place type and the supporter's first name only."""
    worksheet = getattr(meeting.engagement, "team_plan", None)
    # The team plan's language, else the participant's own choice.
    language = (
        worksheet.language if worksheet else meeting.engagement.participant.preferred_language
    )
    supporter = meeting.engagement.supporter
    with translation.override(language):
        when = formats.date_format(timezone.localtime(meeting.starts_at), "DATETIME_FORMAT")
        name = (supporter.first_name if supporter else "") or _("your peer supporter")
        subject = _("Reminder: meeting on %(when)s") % {"when": when}
        if meeting.place_type:
            body = _(
                "This is a reminder of your meeting with %(name)s on %(when)s (%(place)s). "
                "If you need to change it, please let %(name)s know."
            ) % {"name": name, "when": when, "place": meeting.get_place_type_display().lower()}
        else:
            body = _(
                "This is a reminder of your meeting with %(name)s on %(when)s. "
                "If you need to change it, please let %(name)s know."
            ) % {"name": name, "when": when}
    return subject, body


def _send(meeting: Meeting, channels: tuple[str, ...]) -> None:
    subject, body = reminder_text(meeting)
    participant = meeting.engagement.participant
    if "email" in channels:
        send_mail(subject, body, None, [participant.email], fail_silently=False)
    if "text" in channels:
        sender = sms_sender()
        if sender is not None:
            sender(to=participant.phone, body=body)


@dataclass
class ReminderRun:
    sent: int = 0
    skipped: int = 0
    waiting: int = 0
    failed: int = 0
    next_at: datetime.datetime | None = None
    skipped_by: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"{self.sent} sent, {self.skipped} skipped, {self.waiting} waiting for agreed "
            f"hours, {self.failed} failed"
        )


def reminders_due(now: datetime.datetime) -> list[int]:
    """Ids of planned meetings whose reminder time has come and that have not had it."""
    rows = Meeting.objects.filter(
        status=MeetingStatus.PLANNED,
        reminder_minutes__isnull=False,
        starts_at__lte=now + LOOKAHEAD,
        **PENDING,
    ).exclude(engagement__state=State.CLOSED)
    return [
        pk
        for pk, starts_at, minutes in rows.order_by("starts_at", "pk").values_list(
            "pk", "starts_at", "reminder_minutes"
        )
        if starts_at - datetime.timedelta(minutes=minutes) <= now
    ]


def _lock_pending(pk: int) -> Meeting | None:
    queryset = Meeting.objects.filter(pk=pk, status=MeetingStatus.PLANNED, **PENDING)
    if connection.features.has_select_for_update_skip_locked:
        queryset = queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset.select_related(
        "engagement__participant",
        "engagement__supporter",
        "engagement__organization",
        "engagement__team_plan",
    ).first()


def reminders_send_due(*, now: datetime.datetime | None = None) -> ReminderRun:
    """Send (or skip, recording why) every reminder whose time has come; safe to repeat."""
    now = now or timezone.now()
    run = ReminderRun()
    sms_enabled = sms_sender() is not None
    for pk in reminders_due(now):
        try:
            with transaction.atomic():
                meeting = _lock_pending(pk)
                if meeting is None:
                    continue  # another worker has it, or it changed meanwhile
                decision = reminder_decide(meeting, now, sms_enabled=sms_enabled)
                if decision.action == "wait":
                    run.waiting += 1
                    if run.next_at is None or decision.at < run.next_at:
                        run.next_at = decision.at
                    continue
                outcome = ReminderOutcome.SENT if decision.action == "send" else decision.outcome
                claimed = Meeting.objects.filter(pk=pk, **PENDING).update(
                    reminder_sent_at=now if decision.action == "send" else None,
                    reminder_outcome=outcome,
                )
                if not claimed:
                    continue
                if decision.action == "send":
                    # Inside the transaction: if sending fails, the claim is undone and the
                    # next run tries again.
                    _send(meeting, decision.channels)
                    run.sent += 1
                    event_record(
                        actor=None,
                        organization=meeting.engagement.organization,
                        action="meeting.reminder_sent",
                        obj=meeting,
                        data={"channels": list(decision.channels)},
                    )
                else:
                    run.skipped += 1
                    run.skipped_by[outcome] = run.skipped_by.get(outcome, 0) + 1
                    event_record(
                        actor=None,
                        organization=meeting.engagement.organization,
                        action="meeting.reminder_skipped",
                        obj=meeting,
                        data={"outcome": outcome},
                    )
        except Exception:
            run.failed += 1
            logger.exception("Meeting reminder %s could not be sent; the next run retries.", pk)
    return run


# The task worker ---------------------------------------------------------------------------


@task()
def send_due_reminders() -> dict:
    """Run by ``manage.py db_worker``: send due reminders, then wake again when one waits."""
    run = reminders_send_due()
    if run.next_at is not None:
        schedule_reminder_run(run.next_at)
    return {"sent": run.sent, "skipped": run.skipped, "waiting": run.waiting}


def schedule_reminder_run(at: datetime.datetime) -> None:
    """Ask the worker to look for due reminders at ``at``; a full queue never blocks a save."""
    try:
        send_due_reminders.using(run_after=max(at, timezone.now())).enqueue()
    except Exception:
        logger.exception("Could not queue the meeting reminder run for %s.", at)
