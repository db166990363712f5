"""The written text of a plan: what both people read, sign, and find in the PDF.

Written once when the plan is saved, in the language of the person saving it, and
stored: the SHA-256 of the stored text is what a signature records.
"""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext as _

from alongside.plans.models import ActionStep, Approach, Stage


def _date(value) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def _step_line(step: ActionStep) -> str:
    line = f"- {step.text} ({step.get_owner_display()}"
    if step.due_on:
        line += ", " + _("by %(date)s") % {"date": _date(step.due_on)}
    line += ")"
    if step.is_done:
        line += " " + _("[done]")
    return line


def plan_text(plan, goals) -> str:
    """The plan as plain text, from its fields and the goals (with their steps) as they are."""
    engagement = plan.engagement
    participant = engagement.participant
    steps: dict[int, list[ActionStep]] = {}
    for step in ActionStep.objects.filter(goal__in=[g.pk for g in goals]).order_by(
        "created_at", "id"
    ):
        steps.setdefault(step.goal_id, []).append(step)
    lines = [
        _("Plan %(n)d for %(name)s") % {"n": plan.number, "name": participant.display_name},
        _("Peer supporter: %(name)s")
        % {"name": engagement.supporter.get_full_name() if engagement.supporter else "—"},
        _("How we plan: %(style)s") % {"style": plan.get_style_display()},
        _("Discussed on: %(date)s") % {"date": _date(plan.discussed_on)},
    ]
    if plan.review_on:
        lines.append(_("We look at it again on: %(date)s") % {"date": _date(plan.review_on)})
    for number, goal in enumerate(goals, start=1):
        title = _("Goal %(n)d: “%(statement)s”") % {"n": number, "statement": goal.statement}
        lines += ["", title]
        facts = [
            (_("Wellness dimension"), goal.get_wellness_dimension_display()),
            (_("Approach"), goal.get_approach_display() if goal.approach in Approach else ""),
            (_("Why it matters"), goal.why_it_matters),
            (_("Strengths and resources"), goal.strengths),
            (_("How progress will be measured"), goal.measure),
            (_("Stage of change"), Stage(goal.stage).label if goal.stage else ""),
        ]
        lines += [f"{label}: {value}" for label, value in facts if value]
        if steps.get(goal.pk):
            lines.append(_("Action steps:"))
            lines += [_step_line(step) for step in steps[goal.pk]]
    if plan.agreed:
        lines += ["", _("What we agreed:"), plan.agreed]
    return "\n".join(str(line) for line in lines)
