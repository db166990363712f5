"""For tests elsewhere: what onboarding asks besides the documents, done in one call."""

from __future__ import annotations

from django.utils import timezone

from alongside.emergencyplans.testing import emergency_plan_give
from alongside.engagements.models import OnboardingStep
from alongside.teamplans.models import TeamPlanWorksheet
from alongside.teamplans.services import worksheet_save


def conversations_and_worksheet(engagement, actor) -> None:
    """The getting-started conversations and a team plan worksheet (not the plan)."""
    for step in OnboardingStep.Step.values:
        OnboardingStep.objects.get_or_create(
            engagement=engagement,
            step=step,
            defaults={"done_at": timezone.now(), "done_by": actor},
        )
    if not TeamPlanWorksheet.objects.filter(engagement=engagement).exists():
        worksheet_save(
            engagement=engagement,
            actor=actor,
            expected_version=None,
            channels=["phone"],
            boundaries="No calls after 9 pm.",
        )


def onboarding_complete(engagement, actor) -> None:
    """Everything onboarding asks but the signed documents."""
    conversations_and_worksheet(engagement, actor)
    emergency_plan_give(engagement.participant, actor)
