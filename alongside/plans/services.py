"""Participant-centered goals."""

from __future__ import annotations

from django.db import transaction

from alongside.audit.services import event_record
from alongside.core.services import check_version, save_changes
from alongside.engagements.services import ensure_writable
from alongside.plans.models import Goal

GOAL_EDITABLE = ("statement", "wellness_dimension", "measure", "status")


def goal_create(
    *, engagement, actor, statement: str, wellness_dimension: str, measure: str = ""
) -> Goal:
    ensure_writable(engagement)
    with transaction.atomic():
        goal = Goal(
            engagement=engagement,
            statement=statement.strip(),
            wellness_dimension=wellness_dimension,
            measure=measure.strip(),
            created_by=actor,
        )
        goal._history_user = actor
        goal.full_clean()
        goal.save()
        event_record(
            actor=actor, organization=engagement.organization, action="goal.created", obj=goal
        )
    return goal


def goal_update(*, goal: Goal, actor, expected_version: int, **changes) -> Goal:
    """Change a goal, refusing if someone else changed it since ``expected_version``."""
    ensure_writable(goal.engagement)
    with transaction.atomic():
        current = Goal.objects.select_for_update().get(pk=goal.pk)
        check_version(current, expected_version)
        fields = [name for name in GOAL_EDITABLE if name in changes]
        for name in fields:
            setattr(current, name, changes[name])
        current.full_clean()
        save_changes(current, actor, fields)
        event_record(
            actor=actor,
            organization=goal.engagement.organization,
            action="goal.updated",
            obj=current,
            data={"fields": fields},
        )
    return current
