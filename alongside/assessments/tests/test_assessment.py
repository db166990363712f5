"""Progress assessments that assign a tier."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alongside.assessments.models import Assessment, Tier
from alongside.assessments.services import assessment_record
from alongside.audit.models import AuditEvent
from alongside.core.errors import RuleViolation
from alongside.engagements.models import State
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


def test_it_records_an_assessment_with_its_tier_and_plan(world):
    assessment = _record(world, tier=Tier.MAINTAINING, ongoing_plan="  Stay the course  ")

    assessment.refresh_from_db()
    assert assessment.tier == Tier.MAINTAINING
    assert assessment.ongoing_plan == "Stay the course"
    assert assessment.assessed_by == world.supporter
    event = AuditEvent.objects.get(action="assessment.recorded", object_id=str(assessment.pk))
    assert event.data == {"tier": 2}


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


def test_it_refuses_an_assessment_without_a_rationale(world):
    with pytest.raises(RuleViolation, match="Say why"):
        _record(world, rationale="   ")

    assert not Assessment.objects.exists()


def test_a_closed_engagement_cannot_be_assessed(world):
    engagement = _in_state(world, State.CLOSED)

    with pytest.raises(RuleViolation, match="closed"):
        _record(world, engagement=engagement)

    assert not Assessment.objects.exists()
