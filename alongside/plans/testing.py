"""For tests elsewhere (the access matrix among them): a goal, and a formal plan covering it."""

from __future__ import annotations

from alongside.plans.models import Goal, Plan, PlanStyle, WellnessDimension
from alongside.plans.services import goal_create, plan_create


def a_goal(engagement, actor, statement: str = "Walk to the park twice a week", **fields) -> Goal:
    fields.setdefault("wellness_dimension", WellnessDimension.PHYSICAL)
    return goal_create(engagement=engagement, actor=actor, statement=statement, **fields)


def a_formal_plan(engagement, actor, goals=None) -> Plan:
    """A formal written plan of the engagement, covering ``goals`` (a new goal if none)."""
    goals = goals or [a_goal(engagement, actor)]
    return plan_create(engagement=engagement, actor=actor, style=PlanStyle.FORMAL, goals=goals)
