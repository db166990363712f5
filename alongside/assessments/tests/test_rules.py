"""The suggested tier, worked through example by example: every sign and every verdict.

These need no database: the rule reads a facts dict and an (unsaved) ``TierRule``.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from alongside.assessments.models import Tier, TierRule
from alongside.assessments.rules import goal_progressing, suggest_tier

SINCE = "2026-05-01"


def facts(scores=(), goals=(), held=0, missed=0, cancelled=0) -> dict:
    return {
        "since": SINCE,
        "since_kind": "assessment",
        "until": "2026-11-01",
        "scores": list(scores),
        "goals": list(goals),
        "attendance": {"held": held, "missed": missed, "cancelled": cancelled},
    }


def score(slug: str, now, before=None, recent: bool = True) -> dict:
    return {"slug": slug, "score": now, "previous": before, "recent": recent}


def goal(*, status="active", in_scope=True, check_ins=0, baseline=None, first=None, last=None,
         movement=None, achieved_on=None) -> dict:  # fmt: skip
    return {
        "status": status,
        "in_scope": in_scope,
        "check_ins": check_ins,
        "baseline": baseline,
        "first": first,
        "last": last,
        "movement": movement,
        "achieved_on": achieved_on,
    }


def rated(first: int, last: int, baseline=None) -> dict:
    return goal(check_ins=2, first=first, last=last, baseline=baseline)


RULE = TierRule()  # the defaults: 47, 50, +10, 3.5/2.5, rating 4, 50%, 60% of 3+, 2 signs, 75%


def kinds(suggestion) -> list[tuple[str, str]]:
    return [(r["kind"], r["text"]) for r in suggestion.reasons]


# Nothing judged


def test_nothing_recorded_suggests_no_tier_and_says_so():
    suggestion = suggest_tier(facts(), RULE)

    assert suggestion.tier is None
    assert len(suggestion.reasons) == 1
    assert suggestion.reasons[0]["kind"] == "verdict"
    assert "Not enough recorded since" in suggestion.texts[0]


def test_goals_without_check_ins_and_too_few_meetings_are_not_enough():
    suggestion = suggest_tier(facts(goals=[goal(), goal()], held=2), RULE)

    assert suggestion.tier is None
    texts = suggestion.texts
    assert "2 goals have no check-in or stage change since" in texts[0]
    assert "2 meetings recorded: attendance is judged from 3" in texts[1]


def test_scores_taken_before_the_period_are_not_weighed():
    old = score("barc-10", 55, 40, recent=False)

    assert suggest_tier(facts(scores=[old]), RULE).tier is None


# BARC-10


def test_barc_10_rising_past_the_threshold_is_progress():
    suggestion = suggest_tier(facts(scores=[score("barc-10", 49, 38)]), RULE)

    assert ("progress", "BARC-10 rose from 38 to 49 (≥ 47)") in kinds(suggestion)


def test_barc_10_at_the_threshold_without_an_earlier_score_is_progress():
    suggestion = suggest_tier(facts(scores=[score("barc-10", 47)]), RULE)

    assert ("progress", "BARC-10 at 47 (≥ 47)") in kinds(suggestion)


def test_barc_10_rising_below_the_threshold_is_still_progress():
    suggestion = suggest_tier(facts(scores=[score("barc-10", 40, 30)]), RULE)

    assert ("progress", "BARC-10 rose from 30 to 40 (below 47)") in kinds(suggestion)


def test_barc_10_falling_below_the_threshold_is_a_concern():
    suggestion = suggest_tier(facts(scores=[score("barc-10", 40, 45)]), RULE)

    assert ("concern", "BARC-10 fell from 45 to 40 (below 47)") in kinds(suggestion)
    assert suggestion.tier == Tier.MAINTAINING


def test_barc_10_steady_below_the_threshold_is_neutral():
    suggestion = suggest_tier(facts(scores=[score("barc-10", 40, 40)]), RULE)

    assert ("neutral", "BARC-10 at 40 (below 47)") in kinds(suggestion)
    assert suggestion.tier == Tier.MAINTAINING


def test_the_admin_tunes_the_recovery_capital_threshold():
    rule = TierRule(recovery_capital_threshold=50)

    suggestion = suggest_tier(facts(scores=[score("barc-10", 49, 49)]), rule)

    assert ("neutral", "BARC-10 at 49 (below 50)") in kinds(suggestion)


# WHO-5


def test_who_5_at_or_below_the_floor_is_a_concern():
    suggestion = suggest_tier(facts(scores=[score("who-5", 50)]), RULE)

    assert ("concern", "WHO-5 at 50 (≤ 50)") in kinds(suggestion)


def test_who_5_falling_to_the_floor_says_from_where():
    suggestion = suggest_tier(facts(scores=[score("who-5", 44, 64)]), RULE)

    assert ("concern", "WHO-5 fell from 64 to 44 (≤ 50)") in kinds(suggestion)


def test_who_5_rising_above_the_floor_is_progress():
    suggestion = suggest_tier(facts(scores=[score("who-5", 56, 40)]), RULE)

    assert ("progress", "WHO-5 rose from 40 to 56 (above 50)") in kinds(suggestion)


def test_who_5_rising_by_the_set_rise_above_the_floor_is_progress():
    suggestion = suggest_tier(facts(scores=[score("who-5", 72, 60)]), RULE)

    assert ("progress", "WHO-5 rose from 60 to 72 (by 10 or more)") in kinds(suggestion)


def test_who_5_rising_a_little_above_the_floor_is_neutral():
    suggestion = suggest_tier(facts(scores=[score("who-5", 64, 60)]), RULE)

    assert ("neutral", "WHO-5 at 64 (above 50)") in kinds(suggestion)


def test_the_admin_tunes_the_wellbeing_floor():
    suggestion = suggest_tier(facts(scores=[score("who-5", 52)]), TierRule(wellbeing_floor=60))

    assert ("concern", "WHO-5 at 52 (≤ 60)") in kinds(suggestion)


# Progress Survey


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (3.5, ("progress", "Progress Survey at 3.5 (≥ 3.5)")),
        (4.27, ("progress", "Progress Survey at 4.27 (≥ 3.5)")),
        (2.49, ("concern", "Progress Survey at 2.49 (below 2.5)")),
        (3, ("neutral", "Progress Survey at 3 (2.5 to 3.5)")),
    ],
)
def test_the_progress_survey_average_against_its_two_levels(now, expected):
    suggestion = suggest_tier(facts(scores=[score("progress-survey", now)]), RULE)

    assert expected in kinds(suggestion)


def test_the_admin_tunes_the_progress_survey_levels():
    rule = TierRule(progress_survey_good=Decimal("4.00"), progress_survey_low=Decimal("3.00"))

    suggestion = suggest_tier(facts(scores=[score("progress-survey", 3.5)]), rule)

    assert ("neutral", "Progress Survey at 3.5 (3 to 4)") in kinds(suggestion)


def test_other_instruments_are_shown_but_not_weighed():
    assert suggest_tier(facts(scores=[score("exit-survey", 5)]), RULE).tier is None


# Goals


@pytest.mark.parametrize(
    ("row", "progressing"),
    [
        (goal(achieved_on="2026-06-01"), True),
        (goal(movement="forward"), True),
        (rated(2, 4), True),  # the last check-in at the set rating
        (rated(1, 3), True),  # higher than the first in the period
        (rated(3, 3, baseline=2), True),  # higher than before the period
        (rated(3, 3), False),
        (rated(3, 2, baseline=3), False),
        (goal(movement="back"), False),
        (goal(), False),
    ],
)
def test_when_a_goal_counts_as_progressing(row, progressing):
    assert goal_progressing(row, RULE) is progressing


def test_the_admin_tunes_the_check_in_rating_that_counts():
    assert goal_progressing(rated(3, 3), TierRule(goal_rating_progress=3)) is True


def test_enough_goals_progressing_is_progress():
    goals = [rated(2, 4), rated(3, 3), goal(movement="forward")]

    suggestion = suggest_tier(facts(goals=goals), RULE)

    assert ("progress", "2 of 3 goals progressing (67% ≥ 50%)") in kinds(suggestion)


def test_too_few_goals_progressing_is_neutral():
    goals = [rated(2, 4), rated(3, 3), rated(3, 2)]

    suggestion = suggest_tier(facts(goals=goals), RULE)

    assert ("neutral", "1 of 3 goals progressing (33%, below 50%)") in kinds(suggestion)
    assert suggestion.tier == Tier.MAINTAINING


def test_goals_out_of_scope_are_not_counted():
    goals = [rated(2, 4), {**rated(1, 1), "in_scope": False, "status": "set_aside"}]

    suggestion = suggest_tier(facts(goals=goals), RULE)

    assert ("progress", "1 of 1 goal progressing (100% ≥ 50%)") in kinds(suggestion)


def test_more_goals_moving_back_a_stage_than_forward_is_a_concern():
    goals = [goal(movement="back"), goal(movement="back"), goal(movement="forward")]

    suggestion = suggest_tier(facts(goals=goals), RULE)

    assert ("concern", "2 goals moved back a stage of change, 1 forward") in kinds(suggestion)


def test_as_many_goals_forward_as_back_is_no_concern():
    goals = [goal(movement="back"), goal(movement="forward")]

    suggestion = suggest_tier(facts(goals=goals), RULE)

    assert not [r for r in suggestion.reasons if r["kind"] == "concern"]


# Attendance


def test_attendance_below_the_floor_is_a_concern():
    suggestion = suggest_tier(facts(held=2, missed=4, cancelled=3), RULE)

    assert ("concern", "Attended 2 of 6 meetings (33%, below 60%)") in kinds(suggestion)
    assert suggestion.tier == Tier.MAINTAINING


def test_attendance_at_the_floor_is_neutral_and_cancellations_do_not_count():
    suggestion = suggest_tier(facts(held=3, missed=2, cancelled=5), RULE)

    assert ("neutral", "Attended 3 of 5 meetings (60% ≥ 60%)") in kinds(suggestion)


def test_the_admin_tunes_how_many_meetings_attendance_needs():
    rule = TierRule(attendance_min_meetings=10)

    suggestion = suggest_tier(facts(held=1, missed=5), rule)

    assert suggestion.tier is None
    assert "6 meetings recorded: attendance is judged from 10" in suggestion.texts[0]


# Verdicts


def test_two_signs_of_progress_and_no_concern_suggest_tier_1():
    suggestion = suggest_tier(
        facts(scores=[score("barc-10", 49, 38)], goals=[rated(2, 4)], held=5, missed=1), RULE
    )

    assert suggestion.tier == Tier.MAKING_PROGRESS
    assert suggestion.texts == [
        "BARC-10 rose from 38 to 49 (≥ 47)",
        "1 of 1 goal progressing (100% ≥ 50%)",
        "Attended 5 of 6 meetings (83% ≥ 60%)",
        "Tier 1: signs of progress: 2 (2 needed); concerns: none.",
    ]


def test_one_sign_of_progress_suggests_tier_2_and_says_what_tier_1_needs():
    suggestion = suggest_tier(facts(scores=[score("barc-10", 49, 38)], held=4), RULE)

    assert suggestion.tier == Tier.MAINTAINING
    assert suggestion.texts[-1] == "Tier 2: signs of progress: 1 (tier 1 needs 2)."


def test_progress_with_a_concern_suggests_tier_2():
    suggestion = suggest_tier(
        facts(scores=[score("barc-10", 49, 38), score("who-5", 40)], goals=[rated(2, 5)]),
        RULE,
    )

    assert suggestion.tier == Tier.MAINTAINING
    assert suggestion.texts[-1] == (
        "Tier 2: concerns: 1 (tier 1 needs none); signs of progress: 2."
    )


def test_the_admin_tunes_how_many_signs_tier_1_needs():
    rule = TierRule(min_progress_signs=1)

    suggestion = suggest_tier(facts(scores=[score("barc-10", 49, 38)]), rule)

    assert suggestion.tier == Tier.MAKING_PROGRESS


def test_most_goals_achieved_and_no_concern_suggest_tier_3():
    goals = [goal(achieved_on="2026-07-01")] * 3 + [rated(3, 3)]

    suggestion = suggest_tier(facts(goals=goals, scores=[score("barc-10", 52, 50)]), RULE)

    assert suggestion.tier == Tier.EXITING
    assert suggestion.texts[-1].startswith("Tier 3: 3 of 4 goals achieved (75% ≥ 75%)")


def test_goals_achieved_with_a_concern_do_not_suggest_tier_3():
    goals = [goal(achieved_on="2026-07-01")] * 4

    suggestion = suggest_tier(facts(goals=goals, held=1, missed=3), RULE)

    assert suggestion.tier == Tier.MAINTAINING


def test_goals_achieved_with_recovery_capital_below_the_threshold_do_not_suggest_tier_3():
    goals = [goal(achieved_on="2026-07-01")] * 4

    suggestion = suggest_tier(facts(goals=goals, scores=[score("barc-10", 44, 40)]), RULE)

    # Rising capital and all goals progressing: tier 1, not yet stepping down.
    assert suggestion.tier == Tier.MAKING_PROGRESS


def test_fewer_goals_achieved_than_the_share_do_not_suggest_tier_3():
    goals = [goal(achieved_on="2026-07-01")] * 2 + [rated(4, 4), rated(4, 5)]

    suggestion = suggest_tier(facts(goals=goals), RULE)

    assert suggestion.tier == Tier.MAINTAINING  # one sign of progress: the goals
    assert suggest_tier(facts(goals=goals), TierRule(exit_goals_achieved_share=50)).tier == 3


def test_the_reasons_are_plain_data_that_can_be_stored():
    suggestion = suggest_tier(facts(scores=[score("who-5", 40)]), RULE)

    assert suggestion.as_json() == [
        {"kind": "concern", "text": "WHO-5 at 40 (≤ 50)"},
        {
            "kind": "verdict",
            "text": "Tier 2: concerns: 1 (tier 1 needs none); signs of progress: 0.",
        },
    ]
