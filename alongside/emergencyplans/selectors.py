"""Reads of emergency plans; scope comes from the engagement (staff) or the sign-in (portal)."""

from __future__ import annotations

from alongside.emergencyplans.models import (
    LIST_SECTIONS,
    SECTION_LABELS,
    TEXT_SECTIONS,
    EmergencyPlan,
    EmergencyPlanVersion,
)

HISTORY_SHOWN = 20


def plan_for(participant_id: int) -> EmergencyPlan | None:
    """The participant's plan with its current version, in one query."""
    return (
        EmergencyPlan.objects.select_related("current__saved_by")
        .filter(participant_id=participant_id, current__isnull=False)
        .first()
    )


def engagement_section(engagement) -> dict:
    """What the engagement page shows about the participant's plan (one query)."""
    plan = plan_for(engagement.participant_id)
    return {
        "emergency_plan": plan,
        "emergency_plan_current": plan.current if plan else None,
    }


def plan_history(plan: EmergencyPlan) -> list[EmergencyPlanVersion]:
    """The latest versions, newest first, without their content."""
    return list(
        plan.versions.select_related("saved_by")
        .only("pk", "plan_id", "number", "saved_at", "changed", "saved_by")
        .order_by("-number")[:HISTORY_SHOWN]
    )


def plan_version(plan: EmergencyPlan, number) -> EmergencyPlanVersion | None:
    try:
        number = int(number)
    except (TypeError, ValueError):
        return None
    return plan.versions.select_related("saved_by").filter(number=number).first()


def sections(version: EmergencyPlanVersion) -> list[dict]:
    """The plan's written sections in reading order, for display: key, label, text."""
    return [
        {"key": name, "label": label, "text": getattr(version, name)}
        for name, label in TEXT_SECTIONS
    ]


def section_labels(names: list[str]) -> list[str]:
    return [str(SECTION_LABELS.get(name, name)) for name in names]


def _display(name: str, value) -> str:
    if name == "contacts":
        return "; ".join(
            f"{c['name']} ({c['relationship']}) {c['phone']}".replace(" ()", "") for c in value
        )
    if name == "crisis_lines":
        return "; ".join(f"{line['name']} {line['phone']}" for line in value)
    return value


def differences(before: EmergencyPlanVersion | None, after: EmergencyPlanVersion) -> list[dict]:
    """What changed between two versions, section by section: label, before, after."""
    names = [name for name, _label in TEXT_SECTIONS[:4]] + [n for n, _l in LIST_SECTIONS]
    names += [name for name, _label in TEXT_SECTIONS[4:]]
    rows = []
    for name in names:
        old = (
            getattr(before, name)
            if before is not None
            else ("" if name in dict(TEXT_SECTIONS) else [])
        )
        new = getattr(after, name)
        if old != new:
            rows.append(
                {
                    "label": SECTION_LABELS[name],
                    "before": _display(name, old),
                    "after": _display(name, new),
                }
            )
    return rows
