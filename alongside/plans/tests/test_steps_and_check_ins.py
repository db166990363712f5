"""Action steps (who does what by when, done or not) and progress check-ins with their trend."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alongside.audit.models import AuditEvent
from alongside.core.errors import RuleViolation, StaleEdit
from alongside.engagements.models import State
from alongside.plans.models import ActionStep, CheckIn, StepOwner
from alongside.plans.selectors import TREND_HEIGHT, TREND_PAD, TREND_POINTS, trend
from alongside.plans.services import check_in_record, step_create, step_mark, step_update
from alongside.plans.testing import a_goal


@pytest.fixture
def goal(world):
    return a_goal(world.engagement, world.supporter)


@pytest.fixture
def step(world, goal):
    return step_create(
        goal=goal,
        actor=world.supporter,
        text="  Find the bus times  ",
        owner=StepOwner.PARTICIPANT,
        due_on=timezone.localdate() + datetime.timedelta(days=7),
    )


def test_it_adds_a_step_with_owner_and_due_date(world, step):
    step.refresh_from_db()
    assert step.text == "Find the bus times"
    assert step.owner == StepOwner.PARTICIPANT
    assert not step.is_done
    assert AuditEvent.objects.filter(action="goal.step_added", object_id=str(step.pk)).exists()


@pytest.mark.parametrize("owner", StepOwner.values)
def test_a_step_can_belong_to_anyone_on_or_around_the_team(world, goal, owner):
    assert step_create(goal=goal, actor=world.supporter, text="Call", owner=owner).owner == owner


def test_it_refuses_an_empty_step_or_an_unknown_owner(world, goal):
    with pytest.raises(ValidationError):
        step_create(goal=goal, actor=world.supporter, text="  ", owner=StepOwner.BOTH)
    with pytest.raises(ValidationError):
        step_create(goal=goal, actor=world.supporter, text="Call", owner="the cat")

    assert not ActionStep.objects.exists()


def test_marking_a_step_done_records_when_and_undone_clears_it(world, step):
    done = step_mark(step=step, actor=world.supporter, expected_version=1, done=True)
    assert done.done_at is not None
    assert done.version == 2

    undone = step_mark(step=step, actor=world.supporter, expected_version=2, done=False)
    assert undone.done_at is None
    actions = list(AuditEvent.objects.filter(object_type="actionstep").values_list("action"))
    assert ("goal.step_done",) in actions and ("goal.step_undone",) in actions


def test_a_stale_step_edit_is_refused_and_nothing_changes(world, step):
    step_update(step=step, actor=world.coordinator, expected_version=1, notes="Route 7")

    with pytest.raises(StaleEdit):
        step_update(step=step, actor=world.supporter, expected_version=1, text="Walk instead")
    with pytest.raises(StaleEdit):
        step_mark(step=step, actor=world.supporter, expected_version=1, done=True)

    step.refresh_from_db()
    assert (step.text, step.notes, step.done_at, step.version) == (
        "Find the bus times",
        "Route 7",
        None,
        2,
    )


def test_editing_a_step_changes_only_its_editable_fields(world, step):
    step_update(
        step=step,
        actor=world.supporter,
        expected_version=1,
        owner=StepOwner.BOTH,
        done_at=timezone.now(),
    )

    step.refresh_from_db()
    assert step.owner == StepOwner.BOTH
    assert step.done_at is None


def test_steps_of_a_closed_engagement_cannot_change(world, step):
    world.engagement.state = State.CLOSED
    world.engagement.save()
    step = ActionStep.objects.get(pk=step.pk)

    with pytest.raises(RuleViolation, match="closed"):
        step_mark(step=step, actor=world.supporter, expected_version=1, done=True)


def test_a_check_in_records_a_rating_and_a_note(world, goal):
    check_in = check_in_record(goal=goal, actor=world.supporter, rating=3, note=" Twice ")

    check_in.refresh_from_db()
    assert (check_in.rating, check_in.note, check_in.checked_on) == (
        3,
        "Twice",
        timezone.localdate(),
    )
    assert check_in.get_rating_display() == "Somewhat"


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_it_refuses_a_rating_outside_one_to_five(world, goal, rating):
    with pytest.raises(ValidationError):
        check_in_record(goal=goal, actor=world.supporter, rating=rating)

    assert not CheckIn.objects.exists()


def test_it_refuses_a_check_in_dated_in_the_future(world, goal):
    with pytest.raises(RuleViolation, match="future"):
        check_in_record(
            goal=goal,
            actor=world.supporter,
            rating=4,
            checked_on=timezone.localdate() + datetime.timedelta(days=1),
        )

    assert not CheckIn.objects.exists()


def _check_ins(world, goal, ratings):
    today = timezone.localdate()
    return [
        check_in_record(
            goal=goal,
            actor=world.supporter,
            rating=rating,
            checked_on=today - datetime.timedelta(days=len(ratings) - i),
        )
        for i, rating in enumerate(ratings)
    ]


def test_the_trend_puts_fully_at_the_top_and_not_at_all_at_the_bottom(world, goal):
    shown = trend(_check_ins(world, goal, [1, 5, 3]))

    ys = [y for _x, y, _c in shown.dots]
    assert ys == [TREND_HEIGHT - TREND_PAD, TREND_PAD, TREND_HEIGHT / 2]
    xs = [x for x, _y, _c in shown.dots]
    assert xs == sorted(xs)
    assert shown.points.count(",") == 3
    assert (shown.first.rating, shown.last.rating) == (1, 3)


def test_the_trend_shows_only_the_latest_check_ins(world, goal):
    check_ins = _check_ins(world, goal, [2] * (TREND_POINTS + 3))

    shown = trend(check_ins)

    assert len(shown.dots) == TREND_POINTS
    assert shown.last == check_ins[-1]


def test_one_check_in_is_a_single_dot_and_none_is_no_trend(world, goal):
    assert trend([]) is None
    shown = trend(_check_ins(world, goal, [4]))
    assert len(shown.dots) == 1
