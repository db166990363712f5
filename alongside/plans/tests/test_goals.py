"""Participant-centered goals, and edits that must not overwrite each other."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alongside.audit.models import AuditEvent
from alongside.core.errors import RuleViolation, StaleEdit
from alongside.engagements.models import State
from alongside.meetings.models import Meeting, Note
from alongside.plans.models import Approach, Goal, GoalStatus, Stage, WellnessDimension
from alongside.plans.selectors import stage_movement
from alongside.plans.services import goal_create, goal_update, readiness_prompt


@pytest.fixture
def goal(world) -> Goal:
    return goal_create(
        engagement=world.engagement,
        actor=world.supporter,
        statement="  Get back to playing guitar  ",
        wellness_dimension=WellnessDimension.EMOTIONAL,
        measure="Play twice a week",
    )


def test_it_creates_a_goal_in_the_participants_words(world, goal):
    goal.refresh_from_db()
    assert goal.statement == "Get back to playing guitar"
    assert goal.status == GoalStatus.ACTIVE
    assert goal.version == 1
    assert goal.created_by == world.supporter
    assert goal.history.first().history_user == world.supporter
    assert AuditEvent.objects.filter(action="goal.created", object_id=str(goal.pk)).exists()


def test_it_refuses_an_empty_goal(world):
    with pytest.raises(ValidationError) as refused:
        goal_create(
            engagement=world.engagement,
            actor=world.supporter,
            statement="   ",
            wellness_dimension=WellnessDimension.SOCIAL,
        )

    assert "statement" in refused.value.message_dict
    assert not Goal.objects.exists()


def test_it_refuses_an_unknown_wellness_dimension(world):
    with pytest.raises(ValidationError) as refused:
        goal_create(
            engagement=world.engagement,
            actor=world.supporter,
            statement="Sleep better",
            wellness_dimension="cosmic",
        )

    assert "wellness_dimension" in refused.value.message_dict
    assert not Goal.objects.exists()


def test_it_updates_a_goal_read_at_the_current_version(world, goal):
    updated = goal_update(
        goal=goal,
        actor=world.coordinator,
        expected_version=1,
        status=GoalStatus.ACHIEVED,
        measure="Played at the open mic",
    )

    goal.refresh_from_db()
    assert updated.version == goal.version == 2
    assert goal.status == GoalStatus.ACHIEVED
    assert goal.measure == "Played at the open mic"
    assert goal.statement == "Get back to playing guitar"
    assert goal.history.first().history_user == world.coordinator
    event = AuditEvent.objects.get(action="goal.updated", object_id=str(goal.pk))
    assert event.data == {"fields": ["measure", "status"]}


def test_it_ignores_fields_that_are_not_editable(world, goal):
    goal_update(
        goal=goal, actor=world.supporter, expected_version=1, created_by=world.outsider, version=9
    )

    goal.refresh_from_db()
    assert goal.created_by == world.supporter
    assert goal.version == 2


def test_a_stale_expected_version_raises_stale_edit_and_nothing_changes(world, goal):
    goal_update(goal=goal, actor=world.coordinator, expected_version=1, measure="Weekly")
    history = goal.history.count()
    events = AuditEvent.objects.count()

    with pytest.raises(StaleEdit, match="Reload"):
        goal_update(
            goal=goal,
            actor=world.supporter,
            expected_version=1,
            statement="Learn the piano",
            status=GoalStatus.SET_ASIDE,
        )

    goal.refresh_from_db()
    assert goal.version == 2
    assert goal.statement == "Get back to playing guitar"
    assert goal.measure == "Weekly"
    assert goal.status == GoalStatus.ACTIVE
    assert goal.history.count() == history
    assert AuditEvent.objects.count() == events


def test_an_invalid_change_is_refused_and_nothing_changes(world, goal):
    with pytest.raises(ValidationError):
        goal_update(goal=goal, actor=world.supporter, expected_version=1, status="forgotten")

    goal.refresh_from_db()
    assert goal.status == GoalStatus.ACTIVE
    assert goal.version == 1


def test_goals_of_a_closed_engagement_cannot_change(world, goal):
    world.engagement.state = State.CLOSED
    world.engagement.closed_on = timezone.localdate()
    world.engagement.save()
    goal = Goal.objects.get(pk=goal.pk)

    with pytest.raises(RuleViolation, match="closed"):
        goal_update(goal=goal, actor=world.supporter, expected_version=1, measure="Daily")

    goal.refresh_from_db()
    assert goal.measure == "Play twice a week"
    assert goal.version == 1


# The goal's own words, and both pathways


def test_a_goal_keeps_why_it_matters_strengths_and_the_chosen_approach(world):
    goal = goal_create(
        engagement=world.engagement,
        actor=world.supporter,
        statement="Use more safely when I do use",
        wellness_dimension=WellnessDimension.PHYSICAL,
        approach=Approach.HARM_REDUCTION,
        why_it_matters=" I want to be around for my kids ",
        strengths="My sister; I already carry naloxone",
        measure="Never using alone",
    )

    goal.refresh_from_db()
    assert goal.approach == Approach.HARM_REDUCTION
    assert goal.why_it_matters == "I want to be around for my kids"
    assert goal.strengths == "My sister; I already carry naloxone"


@pytest.mark.parametrize("approach", [Approach.HARM_REDUCTION, Approach.ABSTINENCE])
def test_harm_reduction_and_abstinence_goals_take_the_same_fields(world, approach):
    goal = goal_create(
        engagement=world.engagement,
        actor=world.supporter,
        statement="Change how I drink",
        wellness_dimension=WellnessDimension.PHYSICAL,
        approach=approach,
        why_it_matters="Mornings",
        strengths="Friends",
        measure="A diary",
        stage=Stage.PREPARATION,
    )

    assert goal.approach == approach
    assert goal.stage == Stage.PREPARATION


def test_a_goal_without_an_approach_is_neither(world, goal):
    assert goal.approach == Approach.NOT_APPLICABLE


def test_it_refuses_an_unknown_approach(world):
    with pytest.raises(ValidationError) as refused:
        goal_create(
            engagement=world.engagement,
            actor=world.supporter,
            statement="Sleep better",
            wellness_dimension=WellnessDimension.PHYSICAL,
            approach="moderation-only",
        )

    assert "approach" in refused.value.message_dict
    assert not Goal.objects.exists()


# Stages of change over time


def test_a_goal_created_at_a_stage_records_its_first_stage(world):
    goal = goal_create(
        engagement=world.engagement,
        actor=world.supporter,
        statement="Find work I like",
        wellness_dimension=WellnessDimension.OCCUPATIONAL,
        stage=Stage.CONTEMPLATION,
        stage_note="Talks about it often",
    )

    stage = goal.stages.get()
    assert (stage.stage, stage.recorded_by, stage.note) == (
        Stage.CONTEMPLATION,
        world.supporter,
        "Talks about it often",
    )


def test_moving_a_stage_adds_to_the_history_and_shows_the_movement(world, goal):
    goal_update(goal=goal, actor=world.supporter, expected_version=1, stage=Stage.CONTEMPLATION)
    goal_update(
        goal=goal,
        actor=world.supporter,
        expected_version=2,
        stage=Stage.PREPARATION,
        stage_note="Asked where lessons are",
    )

    stages = list(goal.stages.all())
    assert [s.stage for s in stages] == [Stage.CONTEMPLATION, Stage.PREPARATION]
    movement = stage_movement(stages)
    assert movement.before.stage == Stage.CONTEMPLATION
    assert movement.after.stage == Stage.PREPARATION
    assert movement.after.note == "Asked where lessons are"
    event = AuditEvent.objects.filter(action="goal.updated").order_by("pk").last()
    assert event.data["stage"] == {"from": "contemplation", "to": "preparation"}


def test_saving_a_goal_without_moving_its_stage_adds_no_stage(world, goal):
    goal_update(goal=goal, actor=world.supporter, expected_version=1, stage=Stage.ACTION)
    goal_update(
        goal=goal, actor=world.supporter, expected_version=2, stage=Stage.ACTION, measure="x"
    )

    assert goal.stages.count() == 1


def test_it_refuses_an_unknown_stage_and_records_none(world, goal):
    with pytest.raises(ValidationError):
        goal_update(goal=goal, actor=world.supporter, expected_version=1, stage="enlightened")

    assert not goal.stages.exists()
    goal.refresh_from_db()
    assert goal.stage == ""


# The readiness prompt: a suggestion, never a block


def _note_with_signals(world, signals):
    meeting = Meeting.objects.create(
        engagement=world.engagement,
        starts_at=timezone.now(),
        mode="in_person",
        created_by=world.supporter,
    )
    return Note.objects.create(
        meeting=meeting, author=world.supporter, body="We talked.", readiness_signals=signals
    )


@pytest.mark.parametrize("to_stage", [Stage.PREPARATION, Stage.ACTION])
def test_moving_to_planning_without_readiness_signals_suggests_ask_share_ask(world, to_stage):
    _note_with_signals(world, [])

    prompt = readiness_prompt(
        engagement=world.engagement, from_stage=Stage.CONTEMPLATION, to_stage=to_stage
    )

    assert "Ask-Share-Ask" in prompt


def test_moving_to_planning_after_a_readiness_signal_suggests_nothing(world):
    _note_with_signals(world, ["wants_plan"])

    assert (
        readiness_prompt(
            engagement=world.engagement,
            from_stage=Stage.CONTEMPLATION,
            to_stage=Stage.PREPARATION,
        )
        == ""
    )


def test_a_signal_in_another_engagements_notes_does_not_count(world):
    meeting = Meeting.objects.create(
        engagement=world.other_engagement,
        starts_at=timezone.now(),
        mode="in_person",
        created_by=world.other_supporter,
    )
    Note.objects.create(
        meeting=meeting, author=world.other_supporter, body="x", readiness_signals=["resolve"]
    )

    assert readiness_prompt(
        engagement=world.engagement, from_stage="", to_stage=Stage.ACTION
    ).startswith("No readiness signal")


@pytest.mark.parametrize(
    ("from_stage", "to_stage"),
    [
        (Stage.PRECONTEMPLATION, Stage.CONTEMPLATION),
        (Stage.ACTION, Stage.MAINTENANCE),
        (Stage.PREPARATION, Stage.PREPARATION),
        ("", ""),
    ],
)
def test_other_moves_suggest_nothing(world, from_stage, to_stage):
    assert (
        readiness_prompt(engagement=world.engagement, from_stage=from_stage, to_stage=to_stage)
        == ""
    )


def test_the_move_to_planning_is_saved_even_without_readiness(world, goal):
    goal_update(goal=goal, actor=world.supporter, expected_version=1, stage=Stage.ACTION)

    goal.refresh_from_db()
    assert goal.stage == Stage.ACTION
