"""Meetings: planning, logging, rescheduling, cancelling, recording what happened.

A meeting is planned (with a place, a length and an optional reminder), then held,
missed (a no-show) or cancelled with a reason. Only a planned meeting moves or changes
its outcome; every change keeps the earlier version in the meeting's history.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.audit.services import event_record
from alongside.core.errors import RuleViolation
from alongside.core.services import check_version, save_changes
from alongside.engagements.services import ensure_writable
from alongside.meetings.models import Meeting, MeetingStatus, Note, PlaceType

# How far ahead a reminder may be asked for (minutes): a week.
REMINDER_MAX_MINUTES = 7 * 24 * 60
# The longest meeting the model allows; overlap searches look back this far.
LONGEST_MEETING = datetime.timedelta(minutes=1440)
# A planned meeting may be entered up to this long after its start (entered late).
PLANNED_GRACE = datetime.timedelta(hours=1)
# Statuses that take up the supporter's time: a clash with them is worth a warning.
BUSY_STATUSES = (MeetingStatus.PLANNED, MeetingStatus.HELD)


class MeetingOverlap(RuleViolation):
    """The supporter already has a meeting then; saving anyway is the actor's choice."""

    def __init__(self, message: str, overlaps: list[Meeting]) -> None:
        super().__init__(message)
        self.overlaps = overlaps


def service_units(minutes: int, unit_minutes: int) -> int:
    """Reportable units of a held meeting: the nearest whole unit, half a unit counting as one.

    With 15-minute units: 7 minutes → 0, 8 → 1, 22 → 1, 23 → 2, 60 → 4. A unit length of
    0 (not configured) yields 0 units.
    """
    if minutes <= 0 or unit_minutes <= 0:
        return 0
    # Integer arithmetic: floor(minutes / unit + 1/2), so exactly half a unit rounds up.
    return (2 * minutes + unit_minutes) // (2 * unit_minutes)


def meeting_ends_at(meeting: Meeting) -> datetime.datetime:
    return meeting.starts_at + datetime.timedelta(minutes=meeting.duration_minutes)


def meeting_overlaps(
    *,
    supporter,
    starts_at: datetime.datetime,
    duration_minutes: int,
    exclude: Meeting | None = None,
) -> list[Meeting]:
    """The supporter's planned or held meetings (any engagement) that overlap this time.

    Meetings that only touch (one ends as the other starts) do not overlap.
    """
    if supporter is None:
        return []
    ends_at = starts_at + datetime.timedelta(minutes=int(duration_minutes))
    candidates = (
        Meeting.objects.filter(
            engagement__supporter=supporter,
            status__in=BUSY_STATUSES,
            starts_at__lt=ends_at,
            starts_at__gt=starts_at - LONGEST_MEETING,
        )
        .select_related("engagement__participant")
        .order_by("starts_at", "pk")
    )
    if exclude is not None and exclude.pk:
        candidates = candidates.exclude(pk=exclude.pk)
    return [m for m in candidates if meeting_ends_at(m) > starts_at]


def _refuse_overlap(overlaps: list[Meeting]) -> None:
    times = ", ".join(
        f"{timezone.localtime(m.starts_at):%a %d %b %H:%M}–"
        f"{timezone.localtime(meeting_ends_at(m)):%H:%M}"
        for m in overlaps
    )
    raise MeetingOverlap(
        _(
            "The peer supporter already has a meeting at that time (%(times)s). "
            "Choose another time, or tick “Save anyway”."
        )
        % {"times": times},
        overlaps,
    )


def _check_reminder(reminder_minutes: int | None, status: str) -> None:
    if reminder_minutes is None:
        return
    if status != MeetingStatus.PLANNED:
        raise ValidationError(
            {"reminder_minutes": _("Only a planned meeting can have a reminder.")}
        )
    if not 1 <= int(reminder_minutes) <= REMINDER_MAX_MINUTES:
        raise ValidationError(
            {"reminder_minutes": _("A reminder can go from 1 minute to 7 days before.")}
        )


def _check_future(starts_at: datetime.datetime, now: datetime.datetime) -> None:
    if starts_at < now - PLANNED_GRACE:
        raise RuleViolation(_("A planned meeting must be in the future; log it as held instead."))


def _enqueue_reminders(meeting: Meeting) -> None:
    """Once committed, ask the task worker to look for due reminders at the reminder time."""
    if meeting.status != MeetingStatus.PLANNED or meeting.reminder_minutes is None:
        return
    from alongside.meetings.reminders import reminder_time, schedule_reminder_run

    run_at = reminder_time(meeting)
    transaction.on_commit(lambda: schedule_reminder_run(run_at))


def meeting_log(
    *,
    engagement,
    actor,
    starts_at: datetime.datetime,
    duration_minutes: int,
    mode: str,
    status: str = MeetingStatus.HELD,
    note_body: str = "",
    next_steps: str = "",
    place_type: str = "",
    reminder_minutes: int | None = None,
    allow_overlap: bool = True,
) -> Meeting:
    """Plan a meeting or log one that happened (held or missed), with its note.

    A held meeting gets its service units from the program's unit length. With
    ``allow_overlap=False`` a clash with the supporter's other meetings raises
    ``MeetingOverlap`` (carrying the clashing meetings) and nothing is saved.
    """
    ensure_writable(engagement)
    now = timezone.now()
    if status not in MeetingStatus.values or status == MeetingStatus.CANCELLED:
        raise ValidationError({"status": _("Choose whether it happened or is planned.")})
    if status in (MeetingStatus.HELD, MeetingStatus.MISSED) and starts_at > now:
        raise RuleViolation(_("A meeting that was held cannot be in the future."))
    if status == MeetingStatus.PLANNED:
        _check_future(starts_at, now)
    if note_body.strip() and status != MeetingStatus.HELD:
        raise RuleViolation(_("Only a meeting that was held can have a note."))
    _check_reminder(reminder_minutes, status)
    if not allow_overlap and status in BUSY_STATUSES:
        overlaps = meeting_overlaps(
            supporter=engagement.supporter, starts_at=starts_at, duration_minutes=duration_minutes
        )
        if overlaps:
            _refuse_overlap(overlaps)
    with transaction.atomic():
        meeting = Meeting(
            engagement=engagement,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            planned_minutes=duration_minutes if status == MeetingStatus.PLANNED else None,
            mode=mode,
            place_type=place_type or "",
            status=status,
            reminder_minutes=reminder_minutes,
            created_by=actor,
        )
        if status == MeetingStatus.HELD:
            meeting.service_units = service_units(
                int(duration_minutes), engagement.program.service_unit_minutes
            )
        meeting._history_user = actor
        meeting.full_clean()
        meeting.save()
        if note_body.strip():
            note = Note(meeting=meeting, author=actor, body=note_body, next_steps=next_steps)
            note._history_user = actor
            note.save()
        event_record(
            actor=actor,
            organization=engagement.organization,
            action=f"meeting.{status}",
            obj=meeting,
            data={"engagement": engagement.pk},
        )
        _enqueue_reminders(meeting)
    return meeting


def meeting_schedule(
    *,
    engagement,
    actor,
    starts_at: datetime.datetime,
    duration_minutes: int,
    mode: str,
    place_type: str,
    reminder_minutes: int | None = None,
    allow_overlap: bool = False,
) -> Meeting:
    """Plan a meeting: when, how long, how and where; a clash needs ``allow_overlap``."""
    if place_type not in PlaceType.values:
        raise ValidationError({"place_type": _("Choose where you will meet.")})
    return meeting_log(
        engagement=engagement,
        actor=actor,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        mode=mode,
        status=MeetingStatus.PLANNED,
        place_type=place_type,
        reminder_minutes=reminder_minutes,
        allow_overlap=allow_overlap,
    )


def _locked_planned(meeting: Meeting, expected_version: int | None) -> Meeting:
    """The stored meeting, locked, still planned and as the actor last read it."""
    ensure_writable(meeting.engagement)
    current = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("engagement__program", "engagement__organization")
        .get(pk=meeting.pk)
    )
    check_version(current, expected_version if expected_version is not None else -1)
    if current.status != MeetingStatus.PLANNED:
        raise RuleViolation(
            _("This meeting is already %(status)s; only a planned meeting can change.")
            % {"status": current.get_status_display().lower()}
        )
    return current


def meeting_reschedule(
    *,
    meeting: Meeting,
    actor,
    expected_version: int | None,
    starts_at: datetime.datetime,
    duration_minutes: int,
    mode: str | None = None,
    place_type: str | None = None,
    reminder_minutes: int | None = None,
    allow_overlap: bool = False,
) -> Meeting:
    """Move a planned meeting (or change its length, mode, place or reminder).

    The history keeps the earlier time; a moved meeting's reminder is due again.
    """
    _check_future(starts_at, timezone.now())
    _check_reminder(reminder_minutes, MeetingStatus.PLANNED)
    if place_type is not None and place_type not in PlaceType.values:
        raise ValidationError({"place_type": _("Choose where you will meet.")})
    with transaction.atomic():
        current = _locked_planned(meeting, expected_version)
        if not allow_overlap:
            overlaps = meeting_overlaps(
                supporter=current.engagement.supporter,
                starts_at=starts_at,
                duration_minutes=duration_minutes,
                exclude=current,
            )
            if overlaps:
                _refuse_overlap(overlaps)
        moved_from = current.starts_at
        wanted = {
            "starts_at": starts_at,
            "duration_minutes": int(duration_minutes),
            "planned_minutes": int(duration_minutes),
            "mode": mode if mode is not None else current.mode,
            "place_type": place_type if place_type is not None else current.place_type,
            "reminder_minutes": reminder_minutes,
        }
        fields = [name for name, value in wanted.items() if getattr(current, name) != value]
        for name in fields:
            setattr(current, name, wanted[name])
        if {"starts_at", "reminder_minutes"} & set(fields):
            # A new time (or lead time) deserves a reminder of its own.
            current.reminder_sent_at = None
            current.reminder_outcome = ""
            fields += ["reminder_sent_at", "reminder_outcome"]
        current.full_clean()
        if fields:
            save_changes(current, actor, fields, reason="rescheduled")
            event_record(
                actor=actor,
                organization=current.engagement.organization,
                action="meeting.rescheduled",
                obj=current,
                data={
                    "engagement": current.engagement_id,
                    "from": moved_from.isoformat(),
                    "to": current.starts_at.isoformat(),
                    "fields": sorted(set(fields) - {"reminder_sent_at", "reminder_outcome"}),
                },
            )
            _enqueue_reminders(current)
    return current


def meeting_cancel(
    *, meeting: Meeting, actor, expected_version: int | None, reason: str
) -> Meeting:
    """Cancel a planned meeting; a reason is required (it stays with the team)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the meeting is cancelled.")})
    if len(reason) > 500:
        raise ValidationError({"reason": _("Keep the reason under 500 characters.")})
    with transaction.atomic():
        current = _locked_planned(meeting, expected_version)
        current.status = MeetingStatus.CANCELLED
        current.cancel_reason = reason
        current.service_units = 0
        save_changes(
            current, actor, ["status", "cancel_reason", "service_units"], reason="cancelled"
        )
        event_record(
            actor=actor,
            organization=current.engagement.organization,
            action="meeting.cancelled",
            obj=current,
            data={"engagement": current.engagement_id},
        )
    return current


def _check_started(current: Meeting) -> None:
    if current.starts_at > timezone.now():
        raise RuleViolation(
            _("This meeting has not started yet; record what happened once it has.")
        )


def meeting_record_missed(*, meeting: Meeting, actor, expected_version: int | None) -> Meeting:
    """The participant did not come (a no-show): no service units."""
    with transaction.atomic():
        current = _locked_planned(meeting, expected_version)
        _check_started(current)
        current.status = MeetingStatus.MISSED
        current.service_units = 0
        save_changes(current, actor, ["status", "service_units"], reason="missed")
        event_record(
            actor=actor,
            organization=current.engagement.organization,
            action="meeting.missed",
            obj=current,
            data={"engagement": current.engagement_id},
        )
    return current


def meeting_record_held(
    *,
    meeting: Meeting,
    actor,
    expected_version: int | None,
    duration_minutes: int,
    mode: str | None = None,
) -> Meeting:
    """The meeting happened and ran ``duration_minutes``: its service units are fixed now.

    The planned length stays in ``planned_minutes``; ``duration_minutes`` becomes the
    actual length.
    """
    with transaction.atomic():
        current = _locked_planned(meeting, expected_version)
        _check_started(current)
        if current.planned_minutes is None:
            current.planned_minutes = current.duration_minutes
        current.duration_minutes = int(duration_minutes)
        if mode is not None:
            current.mode = mode
        current.status = MeetingStatus.HELD
        current.service_units = service_units(
            current.duration_minutes, current.engagement.program.service_unit_minutes
        )
        current.full_clean()
        save_changes(
            current,
            actor,
            ["status", "duration_minutes", "planned_minutes", "mode", "service_units"],
            reason="held",
        )
        event_record(
            actor=actor,
            organization=current.engagement.organization,
            action="meeting.held",
            obj=current,
            data={
                "engagement": current.engagement_id,
                "minutes": current.duration_minutes,
                "units": current.service_units,
            },
        )
    return current
