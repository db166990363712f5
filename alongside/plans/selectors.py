"""Reads of goals and plans: scoped fetches, stage movement, trends, page sections."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BooleanField, ExpressionWrapper, F, Prefetch, Q, QuerySet

from alongside.core.permissions import get_or_404, scoped
from alongside.meetings import notes
from alongside.plans.models import (
    ActionStep,
    CheckIn,
    Goal,
    GoalStage,
    Plan,
    PlanSignature,
    PlanSignerRole,
    Rating,
)

TREND_POINTS = 12  # the sparkline shows the latest check-ins only
TREND_WIDTH, TREND_HEIGHT, TREND_PAD = 160, 40, 5


def readiness_recorded(engagement) -> bool:
    """Has any note of this engagement recorded a readiness signal? (The meetings app knows.)"""
    return notes.readiness_recorded(engagement)


# Scoped fetches: outside the user's scope the record does not exist (404).


def goal_get_for(user, organization, pk) -> Goal:
    goals = Goal.objects.select_related("engagement__participant", "engagement__organization")
    return get_or_404(scoped(goals, user, organization, via="engagement"), pk=pk)


def step_get_for(user, organization, pk) -> ActionStep:
    steps = ActionStep.objects.select_related(
        "goal__engagement__participant", "goal__engagement__organization"
    )
    return get_or_404(scoped(steps, user, organization, via="goal__engagement"), pk=pk)


def plan_get_for(user, organization, pk) -> Plan:
    plans = Plan.objects.select_related(
        "engagement__participant", "engagement__organization", "engagement__supporter"
    )
    return get_or_404(scoped(plans, user, organization, via="engagement"), pk=pk)


def own_plan(user, organization, pk) -> Plan:
    """A plan of the signed-in participant's own engagement, else 404."""
    plans = Plan.objects.select_related(
        "engagement__participant", "engagement__organization", "engagement__supporter"
    ).filter(engagement__participant__user=user)
    return get_or_404(scoped(plans, user, organization, via="engagement"), pk=pk)


def own_goal(user, organization, pk) -> Goal:
    """A goal of the signed-in participant's own engagement, else 404."""
    goals = Goal.objects.select_related("engagement__participant").filter(
        engagement__participant__user=user
    )
    return get_or_404(scoped(goals, user, organization, via="engagement"), pk=pk)


# Stage movement and trends


@dataclass(frozen=True)
class Movement:
    before: GoalStage | None
    after: GoalStage


def stage_movement(stages: list[GoalStage]) -> Movement | None:
    """The latest change of stage ("contemplation → preparation on 3 May"), or None."""
    if not stages:
        return None
    latest = stages[-1]
    before = next((s for s in reversed(stages[:-1]) if s.stage != latest.stage), None)
    return Movement(before=before, after=latest)


@dataclass(frozen=True)
class Trend:
    width: int
    height: int
    points: str  # for <polyline points="…">
    dots: list[tuple[float, float, CheckIn]]
    first: CheckIn
    last: CheckIn


def trend(check_ins: list[CheckIn]) -> Trend | None:
    """A sparkline of the latest check-ins (1 at the bottom, 5 at the top); None if none."""
    shown = check_ins[-TREND_POINTS:]
    if not shown:
        return None
    inner_w = TREND_WIDTH - 2 * TREND_PAD
    inner_h = TREND_HEIGHT - 2 * TREND_PAD
    span = Rating.FULLY - Rating.NOT_AT_ALL
    dots = []
    for i, check_in in enumerate(shown):
        x = TREND_PAD + (inner_w * i / (len(shown) - 1) if len(shown) > 1 else inner_w / 2)
        y = TREND_PAD + inner_h * (Rating.FULLY - check_in.rating) / span
        dots.append((round(x, 1), round(y, 1), check_in))
    return Trend(
        width=TREND_WIDTH,
        height=TREND_HEIGHT,
        points=" ".join(f"{x},{y}" for x, y, _c in dots),
        dots=dots,
        first=shown[0],
        last=shown[-1],
    )


def _stages_prefetch() -> Prefetch:
    return Prefetch(
        "stages",
        queryset=GoalStage.objects.select_related("recorded_by").order_by("recorded_at", "id"),
    )


def _check_ins_marked() -> QuerySet[CheckIn]:
    """Check-ins in order, each with ``by_participant``: the participant's own, from the
    portal (read in the same query: a join, not one more)."""
    own = Q(recorded_by_id=F("goal__engagement__participant__user_id"))
    return CheckIn.objects.annotate(
        by_participant=ExpressionWrapper(own, output_field=BooleanField())
    ).order_by("checked_on", "id")


def goals_detailed(goals: QuerySet[Goal]) -> list[Goal]:
    """Goals with their stages, steps and check-ins read in four queries, whatever the count.

    Each goal gets ``stage_history``, ``movement``, ``step_list``, ``open_steps``,
    ``check_in_list`` and ``trend``.
    """
    goals = list(
        goals.prefetch_related(
            _stages_prefetch(),
            Prefetch("steps", queryset=ActionStep.objects.order_by("created_at", "id")),
            Prefetch("check_ins", queryset=_check_ins_marked()),
        )
    )
    for goal in goals:
        goal.stage_history = list(goal.stages.all())
        goal.movement = stage_movement(goal.stage_history)
        goal.step_list = list(goal.steps.all())
        goal.open_steps = [s for s in goal.step_list if not s.is_done]
        goal.check_in_list = list(goal.check_ins.all())
        goal.trend = trend(goal.check_in_list)
    return goals


def goal_detailed(goal: Goal) -> Goal:
    return goals_detailed(Goal.objects.filter(pk=goal.pk).select_related("engagement"))[0]


def plans_of(engagement) -> list[Plan]:
    """The engagement's plans, newest first, with their signatures."""
    return list(
        Plan.objects.filter(engagement=engagement)
        .select_related("created_by")
        .prefetch_related(
            Prefetch("signatures", queryset=PlanSignature.objects.order_by("signed_at", "id")),
        )
        .order_by("-number")
    )


def plans_of_many(engagements) -> dict[int, Plan]:
    """The current plan of each engagement (engagement id → plan), in two queries."""
    current: dict[int, Plan] = {}
    plans = (
        Plan.objects.filter(engagement__in=engagements)
        .prefetch_related(
            Prefetch("signatures", queryset=PlanSignature.objects.order_by("signed_at", "id"))
        )
        .order_by("engagement_id", "-number")
    )
    for plan in plans:
        current.setdefault(plan.engagement_id, plan)
    return current


def signature_state(plan: Plan) -> dict:
    """Who signed the plan (its prefetched signatures) and whether it is fully signed."""
    by_role = {s.role: s for s in plan.signatures.all()}
    return {
        "rows": [(role, label, by_role.get(role)) for role, label in PlanSignerRole.choices],
        "participant": by_role.get("participant"),
        "supporter": by_role.get("supporter"),
        "complete": {"participant", "supporter"} <= set(by_role),
        "any": bool(by_role),
    }


def engagement_section(engagement) -> dict:
    """What the engagement page shows of goals and the current plan (constant queries)."""
    goals = goals_detailed(Goal.objects.filter(engagement=engagement))
    plans = plans_of(engagement)
    plan = plans[0] if plans else None
    return {
        "goals": goals,
        "plan": plan,
        "plan_signatures": signature_state(plan) if plan else None,
    }


def stage_changes(engagement) -> QuerySet[GoalStage]:
    """Every stage recorded on the engagement's goals, for a timeline (newest first)."""
    return (
        GoalStage.objects.filter(goal__engagement=engagement)
        .select_related("goal", "recorded_by")
        .order_by("-recorded_at", "-id")
    )
