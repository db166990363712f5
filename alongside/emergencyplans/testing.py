"""A helper for tests elsewhere that need a participant to have an emergency plan."""

from __future__ import annotations

from alongside.emergencyplans.models import EmergencyPlanVersion
from alongside.emergencyplans.selectors import plan_for
from alongside.emergencyplans.services import emergency_plan_save


def emergency_plan_give(participant, actor) -> EmergencyPlanVersion:
    """A short, valid plan for ``participant`` (the current one if they have a plan)."""
    plan = plan_for(participant.pk)
    if plan is not None:
        return plan.current
    return emergency_plan_save(
        participant=participant,
        actor=actor,
        based_on=0,
        warning_signs="Stops answering the phone for two days.",
        crisis_lines=[{"name": "988 Suicide & Crisis Lifeline", "phone": "988"}],
    )
