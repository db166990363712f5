"""Participant-centered goals, and edits that must not overwrite each other."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alongside.audit.models import AuditEvent
from alongside.core.errors import RuleViolation, StaleEdit
from alongside.engagements.models import State
from alongside.plans.models import Goal, GoalStatus, WellnessDimension
from alongside.plans.services import goal_create, goal_update


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
