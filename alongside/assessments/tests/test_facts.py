"""The facts an assessment gathers since the last one, in a fixed number of queries."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alongside.assessments.facts import gather
from alongside.assessments.models import Assessment
from alongside.assessments.testing import (
    a_check_in,
    a_meeting,
    a_score,
    a_stage,
    at_noon,
    days_ago,
)
from alongside.plans.models import Goal
from alongside.plans.services import goal_create, goal_update
from alongside.plans.testing import a_goal


def test_the_period_starts_at_activation_before_any_assessment(world):
    facts = gather(world.engagement)

    assert facts["since"] == world.engagement.activated_on.isoformat()
    assert facts["since_kind"] == "activation"
    assert facts["until"] == timezone.localdate().isoformat()
    assert facts["scores"] == [] and facts["goals"] == []
    assert facts["attendance"] == {"held": 0, "missed": 0, "cancelled": 0}


def test_the_period_starts_at_the_last_assessment(world):
    Assessment.objects.create(
        engagement=world.engagement,
        tier=2,
        rationale="x",
        assessed_on=days_ago(10),
        assessed_by=world.supporter,
    )

    facts = gather(world.engagement)

    assert facts["since"] == days_ago(10).isoformat()
    assert facts["since_kind"] == "assessment"


def test_an_assessment_edited_does_not_count_as_its_own_last_one(world):
    earlier = Assessment.objects.create(
        engagement=world.engagement, tier=2, rationale="x", assessed_on=days_ago(10),
        assessed_by=world.supporter,
    )  # fmt: skip
    edited = Assessment.objects.create(
        engagement=world.engagement, tier=2, rationale="x", assessed_on=days_ago(2),
        assessed_by=world.supporter,
    )  # fmt: skip

    assert gather(world.engagement, until=days_ago(2), exclude_pk=edited.pk)["since"] == (
        earlier.assessed_on.isoformat()
    )


def test_the_latest_score_per_instrument_with_the_one_before_it(world):
    engagement, sunny = world.engagement, world.supporter
    a_score(engagement, sunny, "barc-10", 30, days_ago(60))
    a_score(engagement, sunny, "barc-10", 38, days_ago(15))
    a_score(engagement, sunny, "barc-10", 49, days_ago(3), band="remission_level")
    a_score(engagement, sunny, "who-5", 44, days_ago(25), band="poor_wellbeing")

    scores = {s["slug"]: s for s in gather(engagement)["scores"]}

    barc = scores["barc-10"]
    assert (barc["score"], barc["previous"], barc["recent"]) == (49, 38, True)
    assert barc["previous_on"] == days_ago(15).isoformat()
    assert barc["band_label"].startswith("47 or more")
    assert (barc["low"], barc["high"]) == (10, 60)
    who = scores["who-5"]
    assert (who["score"], who["previous"], who["recent"]) == (44, None, False)  # before activation


def test_a_score_after_the_assessment_day_is_not_seen(world):
    a_score(world.engagement, world.supporter, "who-5", 60, days_ago(1))

    assert gather(world.engagement, until=days_ago(2))["scores"] == []


def test_goals_with_their_check_ins_stage_movement_and_status(world):
    engagement, sunny = world.engagement, world.supporter
    walking = a_goal(engagement, sunny, "Walk every day")
    a_check_in(walking, sunny, 2, days_ago(25))  # before activation: the baseline
    a_check_in(walking, sunny, 3, days_ago(10))
    a_check_in(walking, sunny, 4, days_ago(2))
    a_stage(walking, sunny, "contemplation", days_ago(28))
    a_stage(walking, sunny, "action", days_ago(5))
    job = goal_create(
        engagement=engagement,
        actor=sunny,
        statement="Find work",
        wellness_dimension="occupational",
    )
    goal_update(goal=job, actor=sunny, expected_version=1, status="achieved")
    aside = a_goal(engagement, sunny, "Learn Spanish")
    goal_update(goal=aside, actor=sunny, expected_version=1, status="set_aside")

    goals = {g["statement"]: g for g in gather(engagement)["goals"]}

    walk = goals["Walk every day"]
    assert walk["in_scope"] and walk["check_ins"] == 2
    assert (walk["baseline"], walk["first"], walk["last"]) == (2, 3, 4)
    assert (walk["stage_from"], walk["stage_to"], walk["movement"]) == (
        "contemplation",
        "action",
        "forward",
    )
    assert goals["Find work"]["achieved_on"] == timezone.localdate().isoformat()
    assert goals["Find work"]["in_scope"]
    assert not goals["Learn Spanish"]["in_scope"]


def test_a_goal_achieved_before_the_period_is_not_weighed_again(world):
    job = a_goal(world.engagement, world.supporter, "Find work")
    goal_update(goal=job, actor=world.supporter, expected_version=1, status="achieved")
    Goal.history.filter(id=job.pk).update(history_date=at_noon(days_ago(10)))
    Goal.objects.filter(pk=job.pk).update(created_at=at_noon(days_ago(12)))
    Assessment.objects.create(
        engagement=world.engagement, tier=1, rationale="x", assessed_on=days_ago(5),
        assessed_by=world.supporter,
    )  # fmt: skip

    [now] = gather(world.engagement)["goals"]
    [then] = gather(world.engagement, until=days_ago(6))["goals"]

    assert now["achieved_on"] is None and not now["in_scope"]
    assert then["achieved_on"] == days_ago(10).isoformat() and then["in_scope"]


def test_attendance_counts_held_missed_and_cancelled_in_the_period(world):
    engagement, sunny = world.engagement, world.supporter
    for status, day in [
        ("held", 25),  # before activation
        ("held", 15),
        ("held", 8),
        ("missed", 6),
        ("cancelled", 4),
        ("planned", 1),
    ]:
        a_meeting(engagement, sunny, status, days_ago(day))

    assert gather(engagement)["attendance"] == {"held": 2, "missed": 1, "cancelled": 1}


def _queries(engagement) -> int:
    with CaptureQueriesContext(connection) as context:
        gather(engagement)
    return len(context.captured_queries)


def test_gathering_costs_the_same_queries_for_a_short_or_long_history(world):
    engagement, sunny = world.engagement, world.supporter
    goal = a_goal(engagement, sunny)
    a_check_in(goal, sunny, 3, days_ago(3))
    a_score(engagement, sunny, "who-5", 60, days_ago(2))
    a_meeting(engagement, sunny, "held", days_ago(2))
    few = _queries(engagement)
    for n in range(8):
        extra = a_goal(engagement, sunny, f"Goal {n}")
        a_check_in(extra, sunny, 4, days_ago(2))
        a_stage(extra, sunny, "action", days_ago(2))
        a_score(engagement, sunny, "barc-10", 40 + n, days_ago(2))
        a_meeting(engagement, sunny, "missed", days_ago(3))

    assert _queries(engagement) == few
    assert few <= 8
