"""Recording and changing assessments: the tier, its suggestion, the plan, the dates."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alongside.assessments.models import Assessment, PlanChoice, Tier, TierRule
from alongside.assessments.services import assessment_record, assessment_update
from alongside.assessments.testing import a_check_in, a_score, an_assessment, days_ago
from alongside.audit.models import AuditEvent
from alongside.core.dates import add_months
from alongside.core.errors import RuleViolation, StaleEdit
from alongside.engagements.models import Engagement, State
from alongside.plans.testing import a_goal
from conftest import open_engagement


def _record(world, engagement=None, **overrides) -> Assessment:
    arguments = {
        "engagement": engagement or world.engagement,
        "actor": world.supporter,
        "tier": Tier.MAKING_PROGRESS,
        "rationale": "Working steadily on two goals.",
        "assessed_on": timezone.localdate(),
    }
    arguments.update(overrides)
    return assessment_record(**arguments)


def _in_state(world, state: str):
    world.engagement.state = state
    world.engagement.save()
    return world.engagement


def _progressing(world) -> None:
    """Facts that suggest tier 1: BARC-10 past 47 and a goal moving up."""
    a_score(world.engagement, world.supporter, "barc-10", 38, days_ago(15))
    a_score(world.engagement, world.supporter, "barc-10", 49, days_ago(2))
    goal = a_goal(world.engagement, world.supporter)
    a_check_in(goal, world.supporter, 2, days_ago(10))
    a_check_in(goal, world.supporter, 4, days_ago(1))


# The callers' shape: tier, why, date (the matrix, the demo, other apps' tests)


def test_it_records_an_assessment_with_its_tier_and_plan(world):
    assessment = _record(world, tier=Tier.MAINTAINING, ongoing_plan="  Stay the course  ")

    assessment.refresh_from_db()
    assert assessment.tier == Tier.MAINTAINING
    assert assessment.ongoing_plan == "Stay the course"
    assert assessment.plan_choice == PlanChoice.STAY_COURSE
    assert assessment.assessed_by == world.supporter
    assert assessment.suggested_tier is None  # nothing recorded yet to suggest from
    assert assessment.facts["since_kind"] == "activation"
    assert "Not enough recorded" in assessment.suggestion_reasons[0]["text"]
    assert "Tier 2 · maintaining position" in assessment.text
    event = AuditEvent.objects.get(action="assessment.recorded", object_id=str(assessment.pk))
    assert event.data == {"tier": 2, "suggested_tier": None}


def test_an_exiting_engagement_can_be_assessed(world):
    assessment = _record(world, engagement=_in_state(world, State.EXITING), tier=Tier.EXITING)

    assert assessment.tier == Tier.EXITING


@pytest.mark.parametrize("state", [State.REFERRED, State.MATCHED, State.ONBOARDING])
def test_it_assesses_only_an_active_or_exiting_engagement(world, state):
    engagement = open_engagement(world.other_participant, world.respite, world.supporter, state)

    with pytest.raises(RuleViolation, match="once the engagement is active"):
        _record(world, engagement=engagement)

    assert not Assessment.objects.exists()


def test_it_refuses_a_date_in_the_future(world):
    with pytest.raises(RuleViolation, match="cannot be in the future"):
        _record(world, assessed_on=timezone.localdate() + datetime.timedelta(days=1))

    assert not Assessment.objects.exists()


def test_it_refuses_a_date_before_the_engagement_started(world):
    with pytest.raises(RuleViolation, match="before the engagement started"):
        _record(world, assessed_on=world.engagement.started_on - datetime.timedelta(days=1))

    assert not Assessment.objects.exists()


def test_the_first_day_of_the_engagement_is_a_valid_date(world):
    assessment = _record(world, assessed_on=world.engagement.started_on)

    assert assessment.assessed_on == world.engagement.started_on


@pytest.mark.parametrize("tier", [0, 4])
def test_it_refuses_a_tier_other_than_one_two_or_three(world, tier):
    with pytest.raises(ValidationError) as refused:
        _record(world, tier=tier)

    assert "tier" in refused.value.message_dict
    assert not Assessment.objects.exists()


def test_it_refuses_an_unknown_plan_choice(world):
    with pytest.raises(ValidationError) as refused:
        _record(world, plan_choice="give_up")

    assert "plan_choice" in refused.value.message_dict


def test_it_refuses_an_assessment_without_a_rationale(world):
    with pytest.raises(RuleViolation, match="Say why"):
        _record(world, rationale="   ")

    assert not Assessment.objects.exists()


def test_a_closed_engagement_cannot_be_assessed(world):
    engagement = _in_state(world, State.CLOSED)

    with pytest.raises(RuleViolation, match="closed"):
        _record(world, engagement=engagement)

    assert not Assessment.objects.exists()


# The suggested tier and the override


def test_the_suggested_tier_is_kept_with_its_reasons_and_the_facts(world):
    _progressing(world)

    assessment = _record(world, tier=Tier.MAKING_PROGRESS)

    assert assessment.suggested_tier == Tier.MAKING_PROGRESS
    texts = [r["text"] for r in assessment.suggestion_reasons]
    assert "BARC-10 rose from 38 to 49 (≥ 47)" in texts
    assert "1 of 1 goal progressing (100% ≥ 50%)" in texts
    assert assessment.facts["scores"][0]["score"] == 49
    assert "- BARC-10 rose from 38 to 49 (≥ 47)" in assessment.text
    assert not assessment.is_override


def test_another_tier_than_the_suggested_one_needs_a_reason(world):
    _progressing(world)

    with pytest.raises(RuleViolation, match="Say why you chose another") as refused:
        _record(world, tier=Tier.MAINTAINING, tier_override_reason="  ")

    assert refused.value.missing == ["why not the suggested tier"]
    assert not Assessment.objects.exists()


def test_the_team_overrides_the_suggestion_with_a_reason(world):
    _progressing(world)

    assessment = _record(
        world, tier=Tier.MAINTAINING, tier_override_reason="A hard month: a loss in the family."
    )

    assert assessment.is_override
    assert assessment.tier_override_reason == "A hard month: a loss in the family."
    assert "Why not the suggested tier:" in assessment.text
    world.engagement.refresh_from_db()
    assert world.engagement.tier == Tier.MAINTAINING


def test_a_reason_given_for_the_suggested_tier_is_not_kept(world):
    _progressing(world)

    assessment = _record(world, tier=Tier.MAKING_PROGRESS, tier_override_reason="Just because.")

    assert assessment.tier_override_reason == ""


def test_the_organizations_rule_is_used(world):
    _progressing(world)
    TierRule.objects.create(organization=world.org, min_progress_signs=3)

    assessment = _record(world, tier=Tier.MAINTAINING)

    assert assessment.suggested_tier == Tier.MAINTAINING
    assert assessment.suggestion_reasons[-1]["text"].endswith("(tier 1 needs 3).")


# Dates: re-assessment, the engagement's due dates, back-dating


def test_the_re_assessment_date_defaults_to_the_programs_interval(world):
    today = timezone.localdate()

    assessment = _record(world)

    assert assessment.reassess_on == add_months(today, 12)
    world.engagement.refresh_from_db()
    assert world.engagement.assessment_due_on == add_months(today, 12)
    assert world.engagement.goal_review_due_on == add_months(today, 3)  # counts as a review


def test_a_chosen_re_assessment_date_sets_when_the_next_is_due(world):
    soon = timezone.localdate() + datetime.timedelta(days=90)

    _record(world, reassess_on=soon, plan_choice=PlanChoice.CHANGE_TIME)

    world.engagement.refresh_from_db()
    assert world.engagement.assessment_due_on == soon


@pytest.mark.parametrize("days", [0, -1])
def test_the_re_assessment_date_must_be_after_the_assessment(world, days):
    with pytest.raises(RuleViolation, match="must be after"):
        _record(world, reassess_on=timezone.localdate() + datetime.timedelta(days=days))

    assert not Assessment.objects.exists()


def test_a_back_dated_assessment_replaces_neither_the_tier_nor_the_due_date(world):
    _record(world, tier=Tier.MAINTAINING)
    world.engagement.refresh_from_db()
    due = world.engagement.assessment_due_on

    _record(world, tier=Tier.MAKING_PROGRESS, assessed_on=days_ago(10), reassess_on=days_ago(1))

    world.engagement.refresh_from_db()
    assert world.engagement.tier == Tier.MAINTAINING
    assert world.engagement.assessment_due_on == due


def test_derived_dates_do_not_make_others_copies_stale(world):
    version = Engagement.objects.get(pk=world.engagement.pk).version

    _record(world)

    assert Engagement.objects.get(pk=world.engagement.pk).version == version


# Changing an assessment


def test_an_assessment_is_changed_against_the_version_read(world):
    assessment = an_assessment(world.engagement, world.supporter)

    changed = assessment_update(
        assessment=assessment,
        actor=world.supporter,
        expected_version=assessment.version,
        actions="  Apply for two jobs a week.  ",
        plan_choice=PlanChoice.CHANGE_FOCUS,
    )

    assert changed.actions == "Apply for two jobs a week."
    assert changed.version == assessment.version + 1
    assert "Change focus" in changed.text and "Apply for two jobs a week." in changed.text
    event = AuditEvent.objects.get(action="assessment.updated")
    assert set(event.data["fields"]) == {"actions", "plan_choice"}


def test_a_stale_copy_is_refused_and_nothing_changes(world):
    assessment = an_assessment(world.engagement, world.supporter)
    assessment_update(
        assessment=assessment, actor=world.coordinator, expected_version=1, measure="Monthly"
    )

    with pytest.raises(StaleEdit):
        assessment_update(
            assessment=assessment, actor=world.supporter, expected_version=1, measure="Weekly"
        )

    assessment.refresh_from_db()
    assert assessment.measure == "Monthly"


def test_a_change_of_date_moves_the_engagements_due_date(world):
    assessment = an_assessment(world.engagement, world.supporter)
    later = timezone.localdate() + datetime.timedelta(days=200)

    assessment_update(
        assessment=assessment, actor=world.supporter, expected_version=1, reassess_on=later
    )

    world.engagement.refresh_from_db()
    assert world.engagement.assessment_due_on == later


def test_a_change_still_needs_a_reason_to_override(world):
    assessment = an_assessment(world.engagement, world.supporter, tier=Tier.MAKING_PROGRESS)
    _progressing(world)

    with pytest.raises(RuleViolation, match="Say why"):
        assessment_update(
            assessment=assessment,
            actor=world.supporter,
            expected_version=1,
            tier=Tier.EXITING,
            tier_override_reason="",
        )
