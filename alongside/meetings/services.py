"""Logging meetings and their notes."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.audit.services import event_record
from alongside.core.errors import RuleViolation
from alongside.engagements.services import ensure_writable
from alongside.meetings.models import Meeting, MeetingStatus, Note


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
) -> Meeting:
    """Plan a meeting or log one that happened, with its note."""
    ensure_writable(engagement)
    now = timezone.now()
    if status == MeetingStatus.HELD and starts_at > now:
        raise RuleViolation(_("A meeting that was held cannot be in the future."))
    if status == MeetingStatus.PLANNED and starts_at < now - datetime.timedelta(hours=1):
        raise RuleViolation(_("A planned meeting must be in the future; log it as held instead."))
    if note_body.strip() and status != MeetingStatus.HELD:
        raise RuleViolation(_("Only a meeting that was held can have a note."))
    with transaction.atomic():
        meeting = Meeting(
            engagement=engagement,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            mode=mode,
            status=status,
            created_by=actor,
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
    return meeting
