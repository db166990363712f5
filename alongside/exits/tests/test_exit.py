"""Ending an engagement: start the exit, then complete it."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from alongside.audit.models import AuditEvent
from alongside.core.errors import RuleViolation, StaleEdit
from alongside.engagements.models import Engagement, State, StateChange
from alongside.engagements.services import engagement_transition
from alongside.engagements.testing import onboarding_complete
from alongside.exits.models import Exit, ExitReason
from alongside.exits.services import exit_complete, exit_start
from alongside.exits.testing import checklist_done
from alongside.meetings.models import Meeting
from alongside.meetings.services import meeting_log
from alongside.plans.models import Goal
from alongside.plans.services import goal_create


def _fresh(engagement: Engagement) -> Engagement:
    return Engagement.objects.get(pk=engagement.pk)


def _started(world) -> Exit:
    return exit_start(
        engagement=world.engagement,
        actor=world.supporter,
        reason=ExitReason.GOALS_MET,
        note="  Pat feels ready.  ",
    )


def test_starting_the_exit_moves_the_engagement_to_exiting(world):
    exit_ = _started(world)

    exit_.refresh_from_db()
    assert exit_.reason == ExitReason.GOALS_MET
    assert exit_.note == "Pat feels ready."
    assert exit_.started_by == world.supporter
    assert exit_.completed_at is None
    engagement = _fresh(world.engagement)
    assert engagement.state == State.EXITING
    change = engagement.state_changes.get()
    assert (change.from_state, change.to_state) == (State.ACTIVE, State.EXITING)
    assert change.reason == "Goals met"
    assert AuditEvent.objects.filter(action="exit.started", object_id=str(exit_.pk)).exists()


def test_the_started_exit_carries_the_current_engagement(world):
    exit_ = _started(world)

    assert exit_.engagement.state == State.EXITING
    assert exit_.engagement.version == _fresh(world.engagement).version


def test_it_refuses_to_start_an_exit_without_a_known_reason(world):
    with pytest.raises(RuleViolation, match="why support is ending"):
        exit_start(engagement=world.engagement, actor=world.supporter, reason="bored")

    assert not Exit.objects.exists()
    assert _fresh(world.engagement).state == State.ACTIVE


def test_it_refuses_to_start_a_second_exit(world):
    exit_ = _started(world)

    with pytest.raises(RuleViolation, match="already been started"):
        exit_start(engagement=exit_.engagement, actor=world.supporter, reason=ExitReason.MOVED)

    assert Exit.objects.get().reason == ExitReason.GOALS_MET


def test_an_engagement_still_matched_cannot_start_an_exit(world):
    Engagement.objects.filter(pk=world.engagement.pk).update(state=State.MATCHED)

    with pytest.raises(RuleViolation, match="cannot move from"):
        exit_start(
            engagement=_fresh(world.engagement),
            actor=world.supporter,
            reason=ExitReason.PARTICIPANT_CHOICE,
        )

    assert not Exit.objects.exists()


def test_completing_the_exit_closes_the_engagement(world):
    exit_ = _started(world)
    checklist_done(world.engagement, world.supporter)

    completed = exit_complete(
        engagement=exit_.engagement, actor=world.coordinator, note="Exit survey done."
    )

    completed.refresh_from_db()
    assert completed.completed_by == world.coordinator
    assert completed.completed_at is not None
    assert completed.note == "Pat feels ready.\n\nExit survey done."
    engagement = _fresh(world.engagement)
    assert engagement.state == State.CLOSED
    assert engagement.closed_on == timezone.localdate()
    last = engagement.state_changes.last()
    assert (last.from_state, last.to_state) == (State.EXITING, State.CLOSED)
    assert last.actor == world.coordinator
    assert last.reason == "Exit completed: Goals met"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"exit.completed", "engagement.closed"} <= actions


def test_completing_the_exit_is_atomic_when_the_close_is_refused(world):
    exit_ = _started(world)
    stale = _fresh(world.engagement)
    onboarding_complete(world.engagement, world.coordinator)
    # Someone else withdraws the exit and starts another meanwhile.
    back = engagement_transition(
        engagement=exit_.engagement, to_state=State.ACTIVE, actor=world.coordinator
    )
    again = exit_start(engagement=back, actor=world.coordinator, reason=ExitReason.MOVED)
    events = AuditEvent.objects.count()

    with pytest.raises(StaleEdit):
        exit_complete(engagement=stale, actor=world.supporter)

    again.refresh_from_db()
    assert again.completed_at is None
    assert again.completed_by is None
    engagement = _fresh(world.engagement)
    assert engagement.state == State.EXITING
    assert engagement.closed_on is None
    assert AuditEvent.objects.count() == events


def test_it_refuses_to_complete_an_exit_that_was_not_started(world):
    with pytest.raises(RuleViolation, match="Start the exit"):
        exit_complete(engagement=world.engagement, actor=world.supporter)

    assert _fresh(world.engagement).state == State.ACTIVE


def test_it_cannot_close_from_exiting_without_a_completed_exit(world):
    exit_ = _started(world)

    with pytest.raises(RuleViolation) as refused:
        engagement_transition(
            engagement=exit_.engagement, to_state=State.CLOSED, actor=world.coordinator
        )

    assert refused.value.missing == ["completed exit"]
    assert _fresh(world.engagement).state == State.EXITING


def test_it_cannot_close_from_exiting_when_no_exit_was_ever_started(world):
    exiting = engagement_transition(
        engagement=world.engagement, to_state=State.EXITING, actor=world.supporter
    )

    with pytest.raises(RuleViolation, match="Complete the exit"):
        engagement_transition(engagement=exiting, to_state=State.CLOSED, actor=world.coordinator)

    engagement = _fresh(world.engagement)
    assert engagement.state == State.EXITING
    assert list(engagement.state_changes.values_list("to_state", flat=True)) == [State.EXITING]


def test_the_closed_engagement_is_read_only(world):
    exit_ = _started(world)
    checklist_done(world.engagement, world.supporter)
    exit_complete(engagement=exit_.engagement, actor=world.coordinator)
    closed = _fresh(world.engagement)

    with pytest.raises(RuleViolation, match="closed"):
        meeting_log(
            engagement=closed,
            actor=world.supporter,
            starts_at=timezone.now() - datetime.timedelta(hours=1),
            duration_minutes=30,
            mode="phone",
        )
    with pytest.raises(RuleViolation, match="closed"):
        goal_create(
            engagement=closed,
            actor=world.supporter,
            statement="One more",
            wellness_dimension="social",
        )
    with pytest.raises(RuleViolation, match="closed"):
        exit_complete(engagement=closed, actor=world.coordinator)
    with pytest.raises(RuleViolation, match="cannot move from"):
        engagement_transition(engagement=closed, to_state=State.ACTIVE, actor=world.coordinator)

    assert not Meeting.objects.filter(engagement=closed).exists()
    assert not Goal.objects.filter(engagement=closed).exists()
    assert StateChange.objects.filter(engagement=closed).count() == 2
