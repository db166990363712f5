"""Planning, moving, cancelling and recording meetings; service units; overlaps."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alongside.audit.models import AuditEvent
from alongside.core.errors import RuleViolation, StaleEdit
from alongside.engagements.models import State
from alongside.meetings.models import Meeting, MeetingStatus, Mode, PlaceType, ReminderOutcome
from alongside.meetings.services import (
    MeetingOverlap,
    meeting_cancel,
    meeting_log,
    meeting_overlaps,
    meeting_record_held,
    meeting_record_missed,
    meeting_reschedule,
    meeting_schedule,
    service_units,
)
from conftest import open_engagement


def _soon(hours: float = 24) -> datetime.datetime:
    return (timezone.now() + datetime.timedelta(hours=hours)).replace(second=0, microsecond=0)


def plan(world, engagement=None, **overrides) -> Meeting:
    arguments = {
        "engagement": engagement or world.engagement,
        "actor": world.supporter,
        "starts_at": _soon(),
        "duration_minutes": 60,
        "mode": Mode.IN_PERSON,
        "place_type": PlaceType.COMMUNITY,
        "allow_overlap": True,
    }
    arguments.update(overrides)
    return meeting_schedule(**arguments)


def started(meeting: Meeting, minutes_ago: int = 90) -> Meeting:
    """Pretend the planned meeting's time has come (planning in the past is refused)."""
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=minutes_ago)
    )
    meeting.refresh_from_db()
    return meeting


# Service units --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "unit", "units"),
    [
        (7, 15, 0),  # under half a unit
        (8, 15, 1),  # half a unit or more counts as one
        (15, 15, 1),
        (22, 15, 1),
        (23, 15, 2),
        (60, 15, 4),
        (50, 15, 3),
        (5, 10, 1),  # exactly half a unit counts
        (4, 10, 0),
        (90, 60, 2),  # 1.5 units round up
        (0, 15, 0),
        (60, 0, 0),  # a program without a unit length reports none
    ],
)
def test_service_units_round_to_the_nearest_unit_with_half_counting_as_one(minutes, unit, units):
    assert service_units(minutes, unit) == units


def test_a_held_meeting_gets_service_units_from_its_program(world):
    world.program.service_unit_minutes = 30
    world.program.save()

    meeting = meeting_log(
        engagement=world.engagement,
        actor=world.supporter,
        starts_at=timezone.now() - datetime.timedelta(hours=2),
        duration_minutes=50,
        mode=Mode.PHONE,
    )

    assert meeting.service_units == 2
    assert meeting.planned_minutes is None


# Planning -------------------------------------------------------------------------------


def test_it_plans_a_meeting_with_place_length_and_reminder(world):
    meeting = plan(world, reminder_minutes=60, mode=Mode.VIDEO, place_type=PlaceType.VIRTUAL)

    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED
    assert meeting.planned_minutes == 60
    assert meeting.duration_minutes == 60
    assert meeting.place_type == PlaceType.VIRTUAL
    assert meeting.reminder_minutes == 60
    assert meeting.service_units == 0
    assert AuditEvent.objects.filter(action="meeting.planned", object_id=str(meeting.pk)).exists()


def test_planning_needs_a_place(world):
    with pytest.raises(ValidationError) as refused:
        plan(world, place_type="")

    assert "place_type" in refused.value.message_dict
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("minutes", [0, 7 * 24 * 60 + 1])
def test_it_refuses_a_reminder_lead_time_out_of_range(world, minutes):
    with pytest.raises(ValidationError) as refused:
        plan(world, reminder_minutes=minutes)

    assert "reminder_minutes" in refused.value.message_dict
    assert not Meeting.objects.exists()


def test_only_a_planned_meeting_takes_a_reminder(world):
    with pytest.raises(ValidationError):
        meeting_log(
            engagement=world.engagement,
            actor=world.supporter,
            starts_at=timezone.now() - datetime.timedelta(hours=2),
            duration_minutes=30,
            mode=Mode.PHONE,
            reminder_minutes=60,
        )

    assert not Meeting.objects.exists()


def test_it_refuses_to_plan_on_a_closed_engagement(world):
    world.engagement.state = State.CLOSED
    world.engagement.closed_on = timezone.localdate()
    world.engagement.save()

    with pytest.raises(RuleViolation, match="closed"):
        plan(world)

    assert not Meeting.objects.exists()


# Overlaps -------------------------------------------------------------------------------


def test_it_finds_the_supporters_overlapping_meetings_across_engagements(world):
    second = open_engagement(world.other_participant, world.respite, world.supporter)
    first = plan(world, starts_at=_soon(24), duration_minutes=60)
    plan(world, engagement=second, starts_at=_soon(30))  # later that day: no clash

    overlaps = meeting_overlaps(
        supporter=world.supporter, starts_at=_soon(24.5), duration_minutes=60
    )

    assert overlaps == [first]


def test_meetings_that_only_touch_do_not_overlap(world):
    plan(world, starts_at=_soon(24), duration_minutes=60)

    assert (
        meeting_overlaps(supporter=world.supporter, starts_at=_soon(25), duration_minutes=30) == []
    )
    assert (
        meeting_overlaps(supporter=world.supporter, starts_at=_soon(23), duration_minutes=60) == []
    )


def test_cancelled_and_missed_meetings_and_other_supporters_do_not_clash(world):
    cancelled = plan(world, starts_at=_soon(24))
    meeting_cancel(meeting=cancelled, actor=world.supporter, expected_version=1, reason="Unwell")
    plan(world, engagement=world.other_engagement, actor=world.other_supporter)

    assert (
        meeting_overlaps(supporter=world.supporter, starts_at=_soon(24), duration_minutes=60) == []
    )


def test_a_clash_is_refused_until_the_actor_saves_anyway(world):
    existing = plan(world, starts_at=_soon(24))
    second = open_engagement(world.other_participant, world.respite, world.supporter)

    with pytest.raises(MeetingOverlap) as warned:
        plan(world, engagement=second, starts_at=_soon(24.5), allow_overlap=False)

    assert warned.value.overlaps == [existing]
    assert "Save anyway" in warned.value.message
    assert Meeting.objects.count() == 1

    plan(world, engagement=second, starts_at=_soon(24.5), allow_overlap=True)
    assert Meeting.objects.count() == 2


def test_a_long_held_meeting_yesterday_clashes_with_its_overlap(world):
    long_one = meeting_log(
        engagement=world.engagement,
        actor=world.supporter,
        starts_at=timezone.now() - datetime.timedelta(hours=10),
        duration_minutes=600,
        mode=Mode.IN_PERSON,
    )

    overlaps = meeting_overlaps(
        supporter=world.supporter,
        starts_at=timezone.now() - datetime.timedelta(hours=2),
        duration_minutes=30,
    )

    assert overlaps == [long_one]


# Rescheduling -----------------------------------------------------------------------------


def test_it_moves_a_planned_meeting_and_keeps_the_old_time_in_history(world):
    meeting = plan(world, starts_at=_soon(24), reminder_minutes=60)
    Meeting.objects.filter(pk=meeting.pk).update(
        reminder_sent_at=timezone.now(), reminder_outcome=ReminderOutcome.SENT
    )
    old_time = meeting.starts_at

    moved = meeting_reschedule(
        meeting=meeting,
        actor=world.supporter,
        expected_version=1,
        starts_at=_soon(48),
        duration_minutes=45,
        place_type=PlaceType.OFFICE,
        reminder_minutes=60,
    )

    moved.refresh_from_db()
    assert moved.starts_at == _soon(48)
    assert moved.planned_minutes == 45
    assert moved.place_type == PlaceType.OFFICE
    assert moved.version == 2
    # The new time gets a reminder of its own.
    assert moved.reminder_sent_at is None
    assert moved.reminder_outcome == ""
    assert [h.starts_at for h in moved.history.order_by("history_date")] == [old_time, _soon(48)]
    assert moved.history.first().history_change_reason == "rescheduled"
    event = AuditEvent.objects.get(action="meeting.rescheduled")
    assert event.data["from"] == old_time.isoformat()


def test_a_stale_move_is_refused_and_changes_nothing(world):
    meeting = plan(world, starts_at=_soon(24))
    meeting_reschedule(
        meeting=meeting,
        actor=world.coordinator,
        expected_version=1,
        starts_at=_soon(30),
        duration_minutes=60,
    )

    with pytest.raises(StaleEdit, match="Someone else changed"):
        meeting_reschedule(
            meeting=meeting,
            actor=world.supporter,
            expected_version=1,
            starts_at=_soon(50),
            duration_minutes=60,
        )

    meeting.refresh_from_db()
    assert meeting.starts_at == _soon(30)


def test_a_move_into_a_clash_is_warned_about(world):
    plan(world, starts_at=_soon(24))
    other = plan(world, starts_at=_soon(48))

    with pytest.raises(MeetingOverlap):
        meeting_reschedule(
            meeting=other,
            actor=world.supporter,
            expected_version=1,
            starts_at=_soon(24.25),
            duration_minutes=30,
        )

    other.refresh_from_db()
    assert other.starts_at == _soon(48)


def test_a_meeting_does_not_clash_with_itself_when_moved_a_little(world):
    meeting = plan(world, starts_at=_soon(24))

    moved = meeting_reschedule(
        meeting=meeting,
        actor=world.supporter,
        expected_version=1,
        starts_at=_soon(24.5),
        duration_minutes=60,
    )

    assert moved.starts_at == _soon(24.5)


def test_it_refuses_to_move_a_meeting_into_the_past(world):
    meeting = plan(world)

    with pytest.raises(RuleViolation, match="must be in the future"):
        meeting_reschedule(
            meeting=meeting,
            actor=world.supporter,
            expected_version=1,
            starts_at=timezone.now() - datetime.timedelta(days=2),
            duration_minutes=60,
        )


# Cancelling, no-shows, held ---------------------------------------------------------------


def test_it_cancels_with_a_reason(world):
    meeting = plan(world)

    meeting_cancel(
        meeting=meeting, actor=world.supporter, expected_version=1, reason=" Pat is unwell "
    )

    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert meeting.cancel_reason == "Pat is unwell"
    assert meeting.service_units == 0
    event = AuditEvent.objects.get(action="meeting.cancelled")
    assert "unwell" not in str(event.data)


def test_cancelling_needs_a_reason(world):
    meeting = plan(world)

    with pytest.raises(ValidationError) as refused:
        meeting_cancel(meeting=meeting, actor=world.supporter, expected_version=1, reason="  ")

    assert "reason" in refused.value.message_dict
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED


def test_it_records_a_no_show_without_units(world):
    meeting = started(plan(world))

    meeting_record_missed(meeting=meeting, actor=world.supporter, expected_version=1)

    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.MISSED
    assert meeting.service_units == 0
    assert AuditEvent.objects.filter(action="meeting.missed").exists()


def test_it_records_a_held_meeting_with_its_real_length_and_fixes_the_units(world):
    meeting = started(plan(world, duration_minutes=60))

    meeting_record_held(
        meeting=meeting,
        actor=world.supporter,
        expected_version=1,
        duration_minutes=80,
        mode=Mode.PHONE,
    )

    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert meeting.planned_minutes == 60
    assert meeting.duration_minutes == 80
    assert meeting.mode == Mode.PHONE
    assert meeting.service_units == 5  # 80 / 15 = 5.33
    # Units stay as reported even if the program's unit length changes later.
    world.program.service_unit_minutes = 60
    world.program.save()
    meeting.refresh_from_db()
    assert meeting.service_units == 5


def test_a_meeting_that_has_not_started_cannot_be_recorded(world):
    meeting = plan(world)

    with pytest.raises(RuleViolation, match="has not started yet"):
        meeting_record_held(
            meeting=meeting, actor=world.supporter, expected_version=1, duration_minutes=30
        )
    with pytest.raises(RuleViolation, match="has not started yet"):
        meeting_record_missed(meeting=meeting, actor=world.supporter, expected_version=1)

    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED


@pytest.mark.parametrize("first", ["cancel", "missed", "held"])
def test_only_a_planned_meeting_changes(world, first):
    meeting = started(plan(world))
    if first == "cancel":
        meeting_cancel(meeting=meeting, actor=world.supporter, expected_version=1, reason="x")
    elif first == "missed":
        meeting_record_missed(meeting=meeting, actor=world.supporter, expected_version=1)
    else:
        meeting_record_held(
            meeting=meeting, actor=world.supporter, expected_version=1, duration_minutes=30
        )
    meeting.refresh_from_db()
    before = (meeting.status, meeting.service_units, meeting.version)

    with pytest.raises(RuleViolation, match="only a planned meeting can change"):
        meeting_cancel(meeting=meeting, actor=world.supporter, expected_version=2, reason="y")
    with pytest.raises(RuleViolation, match="only a planned meeting can change"):
        meeting_reschedule(
            meeting=meeting,
            actor=world.supporter,
            expected_version=2,
            starts_at=_soon(),
            duration_minutes=30,
        )

    meeting.refresh_from_db()
    assert (meeting.status, meeting.service_units, meeting.version) == before


def test_a_stale_outcome_is_refused(world):
    meeting = started(plan(world))
    meeting_cancel(meeting=meeting, actor=world.coordinator, expected_version=1, reason="x")

    with pytest.raises(StaleEdit):
        meeting_record_held(
            meeting=meeting, actor=world.supporter, expected_version=1, duration_minutes=30
        )
