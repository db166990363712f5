"""The one scoring engine against worked examples, every number checked by hand."""

from __future__ import annotations

import copy
import json

import pytest

from alongside.surveys.definitions import DEFINITIONS_DIR, definition_check
from alongside.surveys.scoring import band_for, score


def shipped(name: str) -> dict:
    return json.loads((DEFINITIONS_DIR / name).read_text())


def answers(*values) -> dict:
    return {str(n): v for n, v in enumerate(values, start=1) if v is not None}


WHO5 = shipped("who-5.v1.json")
BARC10 = shipped("barc-10.v1.json")

# Four items on a 1-5 scale, item 2 reverse-scored, one free-text item (never scored);
# one item may be missing, and is then prorated.
SYNTHETIC = definition_check(
    {
        "slug": "synthetic",
        "version": 1,
        "title": {"en": "Synthetic"},
        "description": {"en": "For tests."},
        "instructions": {"en": "Answer."},
        "source": "Written for Alongside",
        "licence": "Part of Alongside.",
        "languages": ["en"],
        "scales": {
            "five": {"options": [{"value": v, "label": {"en": str(v)}} for v in range(1, 6)]}
        },
        "items": [
            {"number": 1, "kind": "choice", "scale": "five", "text": {"en": "A"}},
            {"number": 2, "kind": "choice", "scale": "five", "text": {"en": "B"}, "reverse": True},
            {"number": 3, "kind": "choice", "scale": "five", "text": {"en": "C"}},
            {"number": 4, "kind": "choice", "scale": "five", "text": {"en": "D"}},
            {"number": 5, "kind": "text", "text": {"en": "Anything else?"}, "required": False},
        ],
        "scoring": {
            "method": "sum",
            "max_missing": 1,
            "missing_rule": "prorate",
            "headline": "raw",
            "range": [4, 20],
        },
        "bands": [
            {"min": 4, "max": 10, "key": "low", "label": {"en": "Low"}},
            {"min": 11, "max": 20, "key": "high", "label": {"en": "High"}},
        ],
    }
)


# WHO-5: raw = sum of the five answers (0-5 each), score = raw x 4.


def test_who5_three_two_four_one_three_scores_52_above_the_cut_off():
    result = score(WHO5, answers(3, 2, 4, 1, 3))  # 3+2+4+1+3 = 13; 13 x 4 = 52
    assert (result.raw, result.score, result.band_key) == (13, 52, "above_50")
    assert result.answered == [1, 2, 3, 4, 5] and result.missing == []


def test_who5_twelve_raw_is_48_poor_wellbeing():
    result = score(WHO5, answers(3, 2, 3, 2, 2))  # 3+2+3+2+2 = 12; 12 x 4 = 48 <= 50
    assert (result.raw, result.score, result.band_key) == (12, 48, "poor_wellbeing")


def test_who5_seven_raw_is_28_likely_depression_and_eight_is_not():
    low = score(WHO5, answers(2, 1, 2, 1, 1))  # 2+1+2+1+1 = 7; 7 x 4 = 28 <= 28
    above = score(WHO5, answers(2, 2, 2, 1, 1))  # 2+2+2+1+1 = 8; 8 x 4 = 32 > 28
    assert (low.score, low.band_key) == (28, "likely_depression")
    assert (above.score, above.band_key) == (32, "poor_wellbeing")


def test_who5_ends_of_its_range():
    assert score(WHO5, answers(0, 0, 0, 0, 0)).score == 0  # 0 x 4
    assert score(WHO5, answers(5, 5, 5, 5, 5)).score == 100  # 25 x 4


def test_who5_band_edges_are_inclusive():
    # Scores are multiples of 4, so 50 itself never occurs; the bounds hold all the same.
    assert [band_for(WHO5, s)["key"] for s in (28, 29, 50, 51, 100)] == [
        "likely_depression",
        "poor_wellbeing",
        "poor_wellbeing",
        "above_50",
        "above_50",
    ]


def test_who5_with_an_item_unanswered_has_no_score():
    result = score(WHO5, answers(3, 2, 4, None, 3))  # max_missing 0: no score
    assert (result.raw, result.score, result.band) == (None, None, None)
    assert result.missing == [4] and result.answered == [1, 2, 3, 5]


# BARC-10: ten answers 1-6, total 10-60; 47 or more is the remission level.


def test_barc10_46_is_below_and_47_reaches_the_remission_level():
    below = score(BARC10, answers(5, 5, 5, 5, 5, 5, 4, 4, 4, 4))  # 6x5 + 4x4 = 30+16 = 46
    at = score(BARC10, answers(5, 5, 5, 5, 5, 5, 5, 4, 4, 4))  # 7x5 + 3x4 = 35+12 = 47
    assert (below.raw, below.score, below.band_key) == (46, 46, "below_47")
    assert (at.raw, at.score, at.band_key) == (47, 47, "remission_level")


def test_barc10_ends_of_its_range():
    assert score(BARC10, answers(*[1] * 10)).score == 10  # 10 x 1
    assert score(BARC10, answers(*[6] * 10)).band_key == "remission_level"  # 10 x 6 = 60


# The synthetic definition: reverse scoring, prorating, free text.


def test_a_reverse_scored_item_counts_max_plus_min_minus_the_answer():
    result = score(SYNTHETIC, answers(4, 2, 5, 3, "notes"))
    # item 2 reversed: 5 + 1 - 2 = 4; total 4 + 4 + 5 + 3 = 16; the text item is not scored
    assert (result.raw, result.score, result.band_key) == (16, 16, "high")


def test_one_missing_item_within_max_missing_is_prorated_to_one_decimal():
    result = score(SYNTHETIC, answers(4, 2, 5))
    # answered 4 + (5+1-2=4) + 5 = 13 over 3 items; 13 / 3 x 4 = 17.333... -> 17.3
    assert (result.raw, result.score, result.missing) == (17.3, 17.3, [4])


def test_a_prorated_score_between_two_bands_stays_in_the_lower_one():
    result = score(SYNTHETIC, answers(2, 4, 3))
    # 2 + (5+1-4=2) + 3 = 7 over 3; 7 / 3 x 4 = 9.333 -> 9.3: low (<= 10)
    assert (result.score, result.band_key) == (9.3, "low")
    edge = score(SYNTHETIC, answers(3, 2, 4))
    # 3 + 4 + 4 = 11 over 3; 11 / 3 x 4 = 14.666 -> 14.7: high
    assert (edge.score, edge.band_key) == (14.7, "high")
    between = score(SYNTHETIC, answers(3, 4, 3))
    # 3 + 2 + 3 = 8 over 3; 8 / 3 x 4 = 10.666 -> 10.7: above 10, not yet 11: low
    assert (between.score, between.band_key) == (10.7, "low")


def test_two_missing_items_beyond_max_missing_give_no_score():
    result = score(SYNTHETIC, answers(4, 2))
    assert (result.score, result.band, result.missing) == (None, None, [3, 4])


def test_the_missing_rule_none_sums_the_answered_items_only():
    definition = copy.deepcopy(SYNTHETIC)
    definition["scoring"]["missing_rule"] = "none"
    assert score(definition, answers(4, 2, 5)).score == 13  # 4 + 4 + 5, not prorated


def test_the_mean_method_averages_the_answered_items_to_two_decimals():
    definition = copy.deepcopy(SYNTHETIC)
    definition["scoring"].update(range=[1, 5])
    definition["scoring"]["method"] = "mean"
    definition["bands"] = [
        {"min": 1, "max": 2.5, "key": "low", "label": {"en": "Low"}},
        {"min": 2.51, "max": 5, "key": "high", "label": {"en": "High"}},
    ]
    definition_check(definition)
    result = score(definition, answers(4, 2, 5))  # (4 + 4 + 5) / 3 = 4.333 -> 4.33
    assert (result.raw, result.score, result.band_key) == (4.33, 4.33, "high")


def test_scoring_items_limits_what_counts():
    definition = copy.deepcopy(SYNTHETIC)
    definition["scoring"].update(items=[1, 3], range=[2, 10], max_missing=0)
    definition["bands"] = [
        {"min": 2, "max": 5, "key": "low", "label": {"en": "Low"}},
        {"min": 6, "max": 10, "key": "high", "label": {"en": "High"}},
    ]
    definition_check(definition)
    result = score(definition, answers(4, None, 5))  # items 1 and 3 only: 4 + 5 = 9
    assert (result.score, result.band_key, result.missing) == (9, "high", [])


@pytest.mark.parametrize("headline,expected", [("raw", 13), ("scaled", 32.5)])
def test_scaled_sum_gives_the_raw_or_the_scaled_headline(headline, expected):
    definition = copy.deepcopy(SYNTHETIC)
    definition["scoring"].update(method="scaled_sum", multiplier=2.5, headline=headline)
    if headline == "scaled":
        definition["scoring"]["range"] = [10, 50]  # 4 x 2.5, 20 x 2.5
        definition["bands"][0].update(min=10, max=25)
        definition["bands"][1].update(min=26, max=50)
    definition_check(definition)
    result = score(definition, answers(4, 2, 1, 4))  # 4 + 4 + 1 + 4 = 13; x 2.5 = 32.5
    assert (result.raw, result.score) == (13, expected)
