"""After a load or kill run: is every acknowledged write there, once, and whole?

``python loadtests/check.py LEDGER [--prefix load-|kill-]`` (Django settings from the
environment) prints one JSON object and exits 1 when anything is missing, doubled or
half-written. The ledger has one acknowledged write a line: ``goal|note|plan MARKER``.

Half-written means a record without the rows its one transaction writes with it: a goal
without its audit event or stage history, a note whose meeting lacks its audit event, an
emergency plan whose versions are not 1..N with the plan pointing at N.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alongside.settings")

import django

django.setup()

from alongside.audit.models import AuditEvent  # noqa: E402
from alongside.emergencyplans.models import EmergencyPlan, EmergencyPlanVersion  # noqa: E402
from alongside.meetings.models import Note  # noqa: E402
from alongside.plans.models import Goal, GoalStage  # noqa: E402

FIELD = {
    "goal": (Goal, "statement"),
    "note": (Note, "body"),
    "plan": (EmergencyPlanVersion, "helps"),
}


def found(kind: str, prefix: str) -> Counter:
    """How many stored rows carry each marker, for markers starting with ``prefix``."""
    model, field = FIELD[kind]
    counts: Counter = Counter()
    for text in model.objects.filter(**{f"{field}__contains": prefix}).values_list(
        field, flat=True
    ):
        for word in text.replace("(", " ").replace(")", " ").replace(".", " ").split():
            if word.startswith(prefix):
                counts[word] += 1
    return counts


def half_written(prefix: str) -> list[str]:
    problems = []
    goals = list(Goal.objects.filter(statement__contains=prefix).values_list("pk", "stage"))
    events = set(
        AuditEvent.objects.filter(action="goal.created", object_type="goal").values_list(
            "object_id", flat=True
        )
    )
    staged = set(GoalStage.objects.values_list("goal_id", flat=True))
    for pk, stage in goals:
        if str(pk) not in events:
            problems.append(f"goal {pk} has no goal.created event")
        if stage and pk not in staged:
            problems.append(f"goal {pk} has no stage history")
    meetings = Note.objects.filter(body__contains=prefix).values_list("meeting_id", flat=True)
    logged = set(
        AuditEvent.objects.filter(action="meeting.held", object_type="meeting").values_list(
            "object_id", flat=True
        )
    )
    problems += [
        f"meeting {pk} has its note but no meeting.held event"
        for pk in meetings
        if str(pk) not in logged
    ]
    plans = EmergencyPlan.objects.filter(versions__helps__contains=prefix).distinct()
    for plan in plans.select_related("current"):
        numbers = sorted(plan.versions.values_list("number", flat=True))
        if numbers != list(range(1, plan.version + 1)):
            problems.append(f"plan {plan.pk}: versions {numbers}, plan at {plan.version}")
        if plan.current is None or plan.current.number != plan.version:
            problems.append(f"emergency plan {plan.pk} does not point at its last version")
        saved = Counter(
            event["version"]
            for event in AuditEvent.objects.filter(
                action="emergency_plan.saved", object_type="emergencyplan", object_id=str(plan.pk)
            ).values_list("data", flat=True)
        )
        missing = [n for n in numbers if saved[n] != 1]
        if missing:
            problems.append(f"emergency plan {plan.pk}: versions {missing} lack their event")
    return problems


def check(ledger: Path, prefix: str) -> dict:
    acknowledged: dict[str, list[str]] = {kind: [] for kind in FIELD}
    if ledger.exists():
        for line in ledger.read_text().splitlines():
            kind, marker = line.split()
            acknowledged[kind].append(marker)
    result: dict = {"acknowledged": {}, "missing": [], "doubled": [], "stored": {}}
    for kind, markers in acknowledged.items():
        stored = found(kind, prefix)
        result["acknowledged"][kind] = len(markers)
        result["stored"][kind] = sum(stored.values())
        result["missing"] += [f"{kind} {m}" for m in markers if stored[m] == 0]
        result["doubled"] += [f"{kind} {m}" for m, n in stored.items() if n > 1]
    result["half_written"] = half_written(prefix)
    result["ok"] = not (result["missing"] or result["doubled"] or result["half_written"])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ledger", type=Path)
    parser.add_argument("--prefix", default="load-")
    args = parser.parse_args()
    result = check(args.ledger, args.prefix)
    print(json.dumps(result))
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
