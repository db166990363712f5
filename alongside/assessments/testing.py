"""For tests here and elsewhere: scores, check-ins and meetings on a day, and an assessment."""

from __future__ import annotations

import datetime

from django.utils import timezone

from alongside.assessments.models import Assessment
from alongside.assessments.services import assessment_record
from alongside.meetings.models import Meeting
from alongside.plans.models import CheckIn, Goal, GoalStage
from alongside.surveys.models import Response
from alongside.surveys.testing import installed


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def at_noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def a_score(engagement, actor, slug: str, score, day: datetime.date, band: str = "") -> Response:
    """A completed, scored response to an installed instrument, completed on ``day``."""
    return Response.objects.create(
        engagement=engagement,
        instrument_version=installed(slug),
        status="complete",
        method="with_supporter",
        filled_by=actor,
        completed_at=at_noon(day),
        raw=score,
        score=score,
        band=band,
    )


def a_check_in(goal: Goal, actor, rating: int, day: datetime.date) -> CheckIn:
    return CheckIn.objects.create(goal=goal, rating=rating, checked_on=day, recorded_by=actor)


def a_stage(goal: Goal, actor, stage: str, day: datetime.date) -> GoalStage:
    return GoalStage.objects.create(
        goal=goal, stage=stage, recorded_at=at_noon(day), recorded_by=actor
    )


def a_meeting(engagement, actor, status: str, day: datetime.date) -> Meeting:
    return Meeting.objects.create(
        engagement=engagement,
        starts_at=at_noon(day),
        duration_minutes=30,
        mode="phone",
        status=status,
        created_by=actor,
    )


def an_assessment(engagement, actor, **fields) -> Assessment:
    """An assessment recorded today (tier 2 unless said), with its plan written."""
    values = {
        "tier": 2,
        "rationale": "Holding steady.",
        "assessed_on": timezone.localdate(),
        "achievable_goals": "Keep the job.",
        "actions": "Call the union rep by Friday.",
        "measure": "Weekly check-ins.",
        "corrections": "Talk it over at the next meeting.",
        "tier_override_reason": "We know more than the numbers show.",
    }
    values.update(fields)
    return assessment_record(engagement=engagement, actor=actor, **values)
