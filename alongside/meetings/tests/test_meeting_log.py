"""Logging and planning meetings, with their notes."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alongside.audit.models import AuditEvent
from alongside.core.errors import RuleViolation
from alongside.engagements.models import State
from alongside.meetings.models import Meeting, MeetingStatus, Mode, Note
from alongside.meetings.services import meeting_log


def _log(world, engagement=None, **overrides) -> Meeting:
    arguments = {
        "engagement": engagement or world.engagement,
        "actor": world.supporter,
        "starts_at": timezone.now() - datetime.timedelta(hours=3),
        "duration_minutes": 50,
        "mode": Mode.IN_PERSON,
    }
    arguments.update(overrides)
    return meeting_log(**arguments)


def _nothing_saved(world) -> bool:
    return not Meeting.objects.filter(engagement=world.engagement).exists() and (
        not Note.objects.exists()
    )


def test_it_logs_a_held_meeting_with_its_note(world):
    meeting = _log(world, note_body="Talked about the job interview.", next_steps="Call Friday")

    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert meeting.created_by == world.supporter
    assert meeting.note.body == "Talked about the job interview."
    assert meeting.note.next_steps == "Call Friday"
    assert meeting.note.author == world.supporter
    assert meeting.history.first().history_user == world.supporter
    event = AuditEvent.objects.get(object_type="meeting", object_id=str(meeting.pk))
    assert event.action == "meeting.held"
    assert event.data == {"engagement": world.engagement.pk}


def test_a_held_meeting_without_a_note_has_none(world):
    meeting = _log(world, note_body="   ")

    assert not Note.objects.filter(meeting=meeting).exists()


def test_it_plans_a_future_meeting(world):
    meeting = _log(
        world,
        starts_at=timezone.now() + datetime.timedelta(days=2),
        status=MeetingStatus.PLANNED,
        mode=Mode.VIDEO,
    )

    assert meeting.status == MeetingStatus.PLANNED
    assert AuditEvent.objects.filter(action="meeting.planned", object_id=str(meeting.pk)).exists()


def test_it_refuses_a_held_meeting_in_the_future(world):
    with pytest.raises(RuleViolation, match="cannot be in the future"):
        _log(world, starts_at=timezone.now() + datetime.timedelta(hours=2))

    assert _nothing_saved(world)


def test_it_refuses_a_planned_meeting_in_the_past(world):
    with pytest.raises(RuleViolation, match="log it as held"):
        _log(
            world,
            starts_at=timezone.now() - datetime.timedelta(days=1),
            status=MeetingStatus.PLANNED,
        )

    assert _nothing_saved(world)


@pytest.mark.parametrize("status", [MeetingStatus.PLANNED, MeetingStatus.MISSED])
def test_only_a_held_meeting_can_have_a_note(world, status):
    starts_at = timezone.now() + datetime.timedelta(days=1)
    if status == MeetingStatus.MISSED:
        starts_at = timezone.now() - datetime.timedelta(days=1)

    with pytest.raises(RuleViolation, match="Only a meeting that was held"):
        _log(world, starts_at=starts_at, status=status, note_body="Should not be here")

    assert _nothing_saved(world)


@pytest.mark.parametrize("minutes", [0, 1441])
def test_it_refuses_a_length_out_of_range(world, minutes):
    with pytest.raises(ValidationError):
        _log(world, duration_minutes=minutes, note_body="A note")

    assert _nothing_saved(world)


def test_it_refuses_an_unknown_mode_and_saves_nothing(world):
    events = AuditEvent.objects.count()

    with pytest.raises(ValidationError) as refused:
        _log(world, mode="carrier pigeon", note_body="A note")

    assert "mode" in refused.value.message_dict
    assert _nothing_saved(world)
    assert AuditEvent.objects.count() == events


def test_it_refuses_a_meeting_on_a_closed_engagement(world):
    world.engagement.state = State.CLOSED
    world.engagement.closed_on = timezone.localdate()
    world.engagement.save()

    with pytest.raises(RuleViolation, match="closed"):
        _log(world, note_body="Late note")

    assert _nothing_saved(world)
