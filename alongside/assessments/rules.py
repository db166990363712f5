"""The suggested tier: a short, readable rule over the gathered facts (``facts.gather``).

The rule only suggests; the team always decides, and says why when it chooses another
tier. Every fact it weighs becomes a reason the page shows, with the threshold it was
measured against, so anyone can check the arithmetic. An organization's admin tunes the
thresholds (``TierRule`` in the admin); without a row the defaults apply.

Signs, per fact (only scores taken since the last assessment count):

- BARC-10 (recovery capital): at or above the threshold, or rising, is progress; falling
  below it is a concern.
- WHO-5 (wellbeing): at or below the floor is a concern; rising above the floor, or by
  at least the set rise, is progress.
- Progress Survey: an average at or above "good" is progress; below "low" a concern.
- Goals with something recorded in the period (a check-in, a stage change, marked
  achieved): a goal is progressing when achieved, moved forward a stage of change, or
  its last check-in is at or above the set rating or higher than before. A share at or
  above the set share is progress. More goals moving back a stage than forward is a
  concern.
- Attendance (held of held and missed; cancelled meetings do not count), once enough
  meetings were recorded: below the floor is a concern.

Then, in order: nothing judged, no suggestion; the set share of goals achieved and no
concern (and BARC-10, if measured, at the threshold), tier 3; enough signs of progress
and no concern, tier 1; otherwise tier 2.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alongside.assessments.models import Tier, TierRule

PROGRESS, CONCERN, NEUTRAL, VERDICT = "progress", "concern", "neutral", "verdict"


@dataclass
class Suggestion:
    tier: int | None
    reasons: list[dict] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [reason["text"] for reason in self.reasons]

    def as_json(self) -> list[dict]:
        return [dict(reason) for reason in self.reasons]


def rule_for(organization) -> TierRule:
    """The organization's rule, or an unsaved one holding the defaults."""
    found = TierRule.objects.filter(organization=organization).first()
    return found or TierRule(organization=organization)


def _n(value) -> str:
    """A score as people write it: 49, 3.5, 3.25."""
    if isinstance(value, Decimal):
        value = float(value)
    if float(value).is_integer():
        return str(int(value))
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def _percent(part: int, whole: int) -> int:
    return round(part * 100 / whole) if whole else 0


def _day(iso: str) -> str:
    return formats.date_format(datetime.date.fromisoformat(iso), "DATE_FORMAT")


def goal_progressing(goal: dict, rule: TierRule) -> bool:
    """Achieved, a stage forward, or a last check-in high enough or higher than before."""
    if goal.get("achieved_on") or goal.get("movement") == "forward":
        return True
    last = goal.get("last")
    if last is None:
        return False
    before = goal["baseline"] if goal.get("baseline") is not None else goal.get("first")
    return last >= rule.goal_rating_progress or (before is not None and last > before)


def goal_has_evidence(goal: dict) -> bool:
    return bool(goal.get("check_ins") or goal.get("achieved_on")) or goal.get("movement") in (
        "forward",
        "back",
    )


class _Tally:
    def __init__(self) -> None:
        self.reasons: list[dict] = []
        self.progress = 0
        self.concerns = 0
        self.judged = False

    def add(self, kind: str, text: str, *, judged: bool = True) -> None:
        self.reasons.append({"kind": kind, "text": text})
        self.progress += kind == PROGRESS
        self.concerns += kind == CONCERN
        self.judged = self.judged or judged


def _recovery_capital(score: dict, rule: TierRule, tally: _Tally) -> None:
    now, before = score["score"], score["previous"]
    values = {
        "now": _n(now),
        "before": _n(before) if before is not None else "",
        "t": rule.recovery_capital_threshold,
    }
    if now >= rule.recovery_capital_threshold:
        if before is not None and before < now:
            text = _("BARC-10 rose from %(before)s to %(now)s (≥ %(t)s)") % values
        else:
            text = _("BARC-10 at %(now)s (≥ %(t)s)") % values
        tally.add(PROGRESS, text)
    elif before is not None and now > before:
        tally.add(PROGRESS, _("BARC-10 rose from %(before)s to %(now)s (below %(t)s)") % values)
    elif before is not None and now < before:
        tally.add(CONCERN, _("BARC-10 fell from %(before)s to %(now)s (below %(t)s)") % values)
    else:
        tally.add(NEUTRAL, _("BARC-10 at %(now)s (below %(t)s)") % values)


def _wellbeing(score: dict, rule: TierRule, tally: _Tally) -> None:
    now, before = score["score"], score["previous"]
    floor = rule.wellbeing_floor
    values = {"now": _n(now), "before": _n(before) if before is not None else "", "f": floor}
    if now <= floor:
        if before is not None and before > now:
            text = _("WHO-5 fell from %(before)s to %(now)s (≤ %(f)s)") % values
        else:
            text = _("WHO-5 at %(now)s (≤ %(f)s)") % values
        tally.add(CONCERN, text)
    elif before is not None and (before <= floor or now - before >= rule.wellbeing_rise):
        values["rise"] = rule.wellbeing_rise
        tally.add(
            PROGRESS,
            (
                _("WHO-5 rose from %(before)s to %(now)s (above %(f)s)")
                if before <= floor
                else _("WHO-5 rose from %(before)s to %(now)s (by %(rise)s or more)")
            )
            % values,
        )
    else:
        tally.add(NEUTRAL, _("WHO-5 at %(now)s (above %(f)s)") % values)


def _progress_survey(score: dict, rule: TierRule, tally: _Tally) -> None:
    now = score["score"]
    good, low = float(rule.progress_survey_good), float(rule.progress_survey_low)
    values = {"now": _n(now), "good": _n(good), "low": _n(low)}
    if now >= good:
        tally.add(PROGRESS, _("Progress Survey at %(now)s (≥ %(good)s)") % values)
    elif now < low:
        tally.add(CONCERN, _("Progress Survey at %(now)s (below %(low)s)") % values)
    else:
        tally.add(NEUTRAL, _("Progress Survey at %(now)s (%(low)s to %(good)s)") % values)


def _goals(facts: dict, rule: TierRule, tally: _Tally) -> tuple[int, int]:
    """Weigh the goals; answers (goals in scope, goals achieved in the period)."""
    in_scope = [g for g in facts.get("goals", []) if g.get("in_scope")]
    judged = [g for g in in_scope if goal_has_evidence(g)]
    achieved = [g for g in in_scope if g.get("achieved_on")]
    if judged:
        progressing = [g for g in judged if goal_progressing(g, rule)]
        share = _percent(len(progressing), len(judged))
        values = {
            "n": len(progressing),
            "of": len(judged),
            "share": share,
            "t": rule.goals_progressing_share,
        }
        if share >= rule.goals_progressing_share:
            text = ngettext(
                "%(n)s of %(of)s goal progressing (%(share)s%% ≥ %(t)s%%)",
                "%(n)s of %(of)s goals progressing (%(share)s%% ≥ %(t)s%%)",
                len(judged),
            )
            tally.add(PROGRESS, text % values)
        else:
            text = ngettext(
                "%(n)s of %(of)s goal progressing (%(share)s%%, below %(t)s%%)",
                "%(n)s of %(of)s goals progressing (%(share)s%%, below %(t)s%%)",
                len(judged),
            )
            tally.add(NEUTRAL, text % values)
    unrecorded = len(in_scope) - len(judged)
    if unrecorded:
        text = ngettext(
            "%(n)s goal has no check-in or stage change since %(since)s",
            "%(n)s goals have no check-in or stage change since %(since)s",
            unrecorded,
        ) % {"n": unrecorded, "since": _day(facts["since"])}
        tally.add(NEUTRAL, text, judged=False)
    forward = sum(1 for g in in_scope if g.get("movement") == "forward")
    back = sum(1 for g in in_scope if g.get("movement") == "back")
    if back > forward:
        tally.add(
            CONCERN,
            ngettext(
                "%(back)s goal moved back a stage of change, %(forward)s forward",
                "%(back)s goals moved back a stage of change, %(forward)s forward",
                back,
            )
            % {"back": back, "forward": forward},
        )
    return len(in_scope), len(achieved)


def _attendance(facts: dict, rule: TierRule, tally: _Tally) -> None:
    counts = facts.get("attendance") or {}
    held, missed = counts.get("held", 0), counts.get("missed", 0)
    recorded = held + missed
    if not recorded:
        return
    values = {"held": held, "of": recorded, "needed": rule.attendance_min_meetings}
    if recorded < rule.attendance_min_meetings:
        text = ngettext(
            "%(of)s meeting recorded: attendance is judged from %(needed)s",
            "%(of)s meetings recorded: attendance is judged from %(needed)s",
            recorded,
        )
        tally.add(NEUTRAL, text % values, judged=False)
        return
    values.update(rate=_percent(held, recorded), floor=rule.attendance_floor)
    if values["rate"] < rule.attendance_floor:
        text = _("Attended %(held)s of %(of)s meetings (%(rate)s%%, below %(floor)s%%)")
        tally.add(CONCERN, text % values)
    else:
        text = _("Attended %(held)s of %(of)s meetings (%(rate)s%% ≥ %(floor)s%%)")
        tally.add(NEUTRAL, text % values)


def suggest_tier(facts: dict, rule: TierRule) -> Suggestion:
    """The suggested tier (None when too little was recorded) and every reason for it."""
    tally = _Tally()
    recent = {s["slug"]: s for s in facts.get("scores", []) if s.get("recent")}
    if "barc-10" in recent:
        _recovery_capital(recent["barc-10"], rule, tally)
    if "who-5" in recent:
        _wellbeing(recent["who-5"], rule, tally)
    if "progress-survey" in recent:
        _progress_survey(recent["progress-survey"], rule, tally)
    in_scope, achieved = _goals(facts, rule, tally)
    _attendance(facts, rule, tally)

    if not tally.judged:
        tally.add(
            VERDICT,
            _(
                "Not enough recorded since %(since)s to suggest a tier (no survey score, "
                "goal check-in or enough meetings): the team decides."
            )
            % {"since": _day(facts["since"])},
        )
        return Suggestion(None, tally.reasons)
    barc = recent.get("barc-10")
    capital_ok = barc is None or barc["score"] >= rule.recovery_capital_threshold
    achieved_share = _percent(achieved, in_scope)
    values = {
        "progress": tally.progress,
        "concerns": tally.concerns,
        "needed": rule.min_progress_signs,
        "n": achieved,
        "of": in_scope,
        "share": achieved_share,
        "t": rule.exit_goals_achieved_share,
    }
    exit_ready = in_scope and achieved_share >= rule.exit_goals_achieved_share
    if exit_ready and capital_ok and not tally.concerns:
        tally.add(
            VERDICT,
            _(
                "Tier 3: %(n)s of %(of)s goals achieved (%(share)s%% ≥ %(t)s%%) and no "
                "concern. Talk together about stepping down support."
            )
            % values,
        )
        return Suggestion(Tier.EXITING, tally.reasons)
    if tally.progress >= rule.min_progress_signs and not tally.concerns:
        tally.add(
            VERDICT,
            _("Tier 1: signs of progress: %(progress)s (%(needed)s needed); concerns: none.")
            % values,
        )
        return Suggestion(Tier.MAKING_PROGRESS, tally.reasons)
    if tally.concerns:
        text = _(
            "Tier 2: concerns: %(concerns)s (tier 1 needs none); signs of progress: %(progress)s."
        )
    else:
        text = _("Tier 2: signs of progress: %(progress)s (tier 1 needs %(needed)s).")
    tally.add(VERDICT, text % values)
    return Suggestion(Tier.MAINTAINING, tally.reasons)
