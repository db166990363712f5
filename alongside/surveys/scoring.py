"""The one scoring engine: a score computed from the definition alone, for every instrument.

No instrument has code of its own here. The definition says which choice items count,
which are reverse-scored, how they combine (sum, mean, scaled sum), how many may be
missing and what then (none: the answered items alone; prorate: their mean times the
number of items), which number is the headline, and the bands on that headline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any


@dataclass(frozen=True)
class Result:
    """``raw`` and ``score`` are None when more items are missing than the definition allows."""

    raw: int | float | None
    score: int | float | None
    band: dict[str, Any] | None  # the band of the definition: key, label, min, max
    answered: list[int] = field(default_factory=list)  # scored items answered
    missing: list[int] = field(default_factory=list)  # scored items not answered

    @property
    def band_key(self) -> str:
        return self.band["key"] if self.band else ""


def scored_items(definition: dict) -> list[int]:
    """The numbers of the items that count towards the score."""
    scoring = definition["scoring"]
    if "items" in scoring:
        return list(scoring["items"])
    return [item["number"] for item in definition["items"] if item["kind"] == "choice"]


def _scale_bounds(definition: dict) -> dict[int, tuple[int, int]]:
    bounds = {}
    for item in definition["items"]:
        if item["kind"] == "choice":
            values = [option["value"] for option in definition["scales"][item["scale"]]["options"]]
            bounds[item["number"]] = (min(values), max(values))
    return bounds


def _round(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value.normalize())


def item_value(definition: dict, number: int, answer: int) -> int:
    """What an answer counts for: reverse-scored items count (max + min - answer)."""
    item = next(i for i in definition["items"] if i["number"] == number)
    if item.get("reverse"):
        low, high = _scale_bounds(definition)[number]
        return high + low - answer
    return answer


def band_for(definition: dict, score: int | float | None) -> dict | None:
    """The band a headline score falls in: the last band whose min it reaches.

    Bounds are inclusive on whole scores; a prorated score between two bands (46.5
    between 10-46 and 47-60) belongs to the lower one, as it has not reached 47.
    """
    if score is None:
        return None
    found = None
    for band in definition["bands"]:
        if score >= band["min"]:
            found = band
    if found is not None and score > found["max"] and found is definition["bands"][-1]:
        return None  # above the range: not a score this definition can produce
    return found


def score(definition: dict, answers: dict[str, Any]) -> Result:
    """Score answers (keyed by item number as text) as the definition says."""
    scoring = definition["scoring"]
    numbers = scored_items(definition)
    answered = [n for n in numbers if answers.get(str(n)) is not None]
    missing = [n for n in numbers if answers.get(str(n)) is None]
    if len(missing) > scoring["max_missing"]:
        return Result(raw=None, score=None, band=None, answered=answered, missing=missing)

    values = [Decimal(item_value(definition, n, answers[str(n)])) for n in answered]
    total = sum(values, Decimal(0))
    if scoring["method"] == "mean":
        raw = _round(total / len(values), "0.01")
    elif missing and scoring["missing_rule"] == "prorate":
        raw = _round(total / len(values) * len(numbers), "0.1")
    else:
        raw = total
    headline = raw
    if scoring["headline"] == "scaled":
        headline = _round(raw * Decimal(str(scoring["multiplier"])), "0.01")
    result_score = _number(headline)
    return Result(
        raw=_number(raw),
        score=result_score,
        band=band_for(definition, result_score),
        answered=answered,
        missing=missing,
    )
