"""Instrument definition files: find them, read them, and check every rule of the format.

The format is described in docs/surveys.md. ``definition_load`` answers the definition as
a plain dict, or raises ``DefinitionError`` naming the file and every problem found, so
whoever writes a definition sees all that is wrong at once.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"
FILE_NAME = re.compile(r"^(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.v(?P<version>[1-9][0-9]*)\.json$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEY = re.compile(r"^[a-z0-9_]+$")

# A free-text answer may be this long unless its item says otherwise (max_length).
TEXT_MAX_LENGTH = 2000
TEXT_MAX_LENGTH_LIMIT = 10000

TOP_KEYS = {
    "slug",
    "version",
    "title",
    "description",
    "instructions",
    "source",
    "licence",
    "languages",
    "scales",
    "items",
    "scoring",
    "bands",
}
ITEM_KEYS = {"number", "kind", "scale", "text", "reverse", "required", "max_length"}
SCORING_KEYS = {
    "method",
    "multiplier",
    "items",
    "max_missing",
    "missing_rule",
    "headline",
    "range",
}
BAND_KEYS = {"min", "max", "key", "label"}
METHODS = ("sum", "mean", "scaled_sum")
MISSING_RULES = ("none", "prorate")
HEADLINES = ("raw", "scaled")


class DefinitionError(Exception):
    """A definition breaks the format; the message names the file and each problem."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"{source} is not a valid instrument definition:\n{lines}")


@dataclass(frozen=True)
class DefinitionFile:
    path: Path
    definition: dict[str, Any]
    sha256: str


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def definition_files(directory: Path | None = None) -> list[Path]:
    """The definition files of a folder (the shipped ones by default), in name order."""
    return sorted((directory or DEFINITIONS_DIR).glob("*.json"))


def definition_load(path: Path) -> DefinitionFile:
    """Read and check one definition file; DefinitionError if anything is wrong."""
    raw = path.read_bytes()
    try:
        definition = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DefinitionError(path.name, [f"it is not valid UTF-8 JSON ({error})."]) from None
    problems = definition_problems(definition)
    match = FILE_NAME.match(path.name)
    if match is None:
        problems.insert(0, "the file name must be <slug>.v<version>.json, e.g. who-5.v1.json.")
    elif isinstance(definition, dict):
        if definition.get("slug") != match["slug"]:
            problems.append(f"the slug must be {match['slug']!r}, as in the file name.")
        if definition.get("version") != int(match["version"]):
            problems.append(f"the version must be {match['version']}, as in the file name.")
    if problems:
        raise DefinitionError(path.name, problems)
    return DefinitionFile(path=path, definition=definition, sha256=hashlib.sha256(raw).hexdigest())


def definition_check(definition: Any, source: str = "the definition") -> dict[str, Any]:
    """Check a definition already read (from the admin or a test); DefinitionError if wrong."""
    problems = definition_problems(definition)
    if problems:
        raise DefinitionError(source, problems)
    return definition


def definition_problems(definition: Any) -> list[str]:
    """Every rule of the format this definition breaks, as sentences; empty when valid."""
    if not isinstance(definition, dict):
        return ["the file must hold one JSON object."]
    problems: list[str] = []
    unknown = sorted(set(definition) - TOP_KEYS)
    if unknown:
        problems.append(f"unknown fields {unknown}; the fields are {sorted(TOP_KEYS)}.")
    missing = sorted(TOP_KEYS - set(definition))
    if missing:
        problems.append(f"missing fields {missing}.")

    slug = definition.get("slug")
    if not isinstance(slug, str) or not SLUG.match(slug):
        problems.append("slug must be lowercase letters, digits and hyphens, like 'who-5'.")
    if not _is_int(definition.get("version")) or definition.get("version") < 1:
        problems.append("version must be a whole number of 1 or more.")
    for field in ("source", "licence"):
        value = definition.get(field)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{field} must be a sentence (not empty).")

    languages = definition.get("languages")
    if (
        not isinstance(languages, list)
        or not all(isinstance(code, str) and code for code in languages)
        or len(set(languages)) != len(languages)
    ):
        problems.append('languages must be a list of distinct language codes, like ["en"].')
        languages = ["en"]
    elif "en" not in languages:
        problems.append('languages must include "en".')

    def check_text(value: Any, where: str, every_language: bool = True) -> None:
        if not isinstance(value, dict) or not all(
            isinstance(text, str) and text.strip() for text in value.values()
        ):
            problems.append(f'{where} must be a dict of language -> text, like {{"en": "…"}}.')
            return
        needed = languages if every_language else ["en"]
        absent = [code for code in needed if code not in value]
        if absent:
            problems.append(f"{where} has no text in {absent}.")
        extra = [code for code in value if code not in languages]
        if extra:
            problems.append(f"{where} has text in {extra}, which languages does not list.")

    check_text(definition.get("title"), "title")
    check_text(definition.get("description"), "description", every_language=False)
    check_text(definition.get("instructions"), "instructions")

    scale_range = _check_scales(definition.get("scales"), problems, check_text)
    choice_items = _check_items(definition.get("items"), scale_range, problems, check_text)
    headline_range = _check_scoring(definition.get("scoring"), choice_items, problems)
    _check_bands(definition.get("bands"), headline_range, problems, check_text)
    return problems


def _check_scales(scales: Any, problems: list[str], check_text) -> dict[str, tuple[int, int]]:
    """Each scale's (lowest, highest) value, for the checks that follow."""
    ranges: dict[str, tuple[int, int]] = {}
    if not isinstance(scales, dict):
        problems.append('scales must be a dict of scale name -> {"options": [...]}.')
        return ranges
    for name, scale in scales.items():
        where = f"scale {name!r}"
        if not isinstance(scale, dict) or set(scale) != {"options"}:
            problems.append(f'{where} must be {{"options": [...]}} and nothing else.')
            continue
        options = scale["options"]
        if not isinstance(options, list) or len(options) < 2:
            problems.append(f"{where} needs at least two options.")
            continue
        values = []
        for index, option in enumerate(options, start=1):
            if not isinstance(option, dict) or set(option) != {"value", "label"}:
                problems.append(f'{where} option {index} must be {{"value": n, "label": {{…}}}}.')
                continue
            if not _is_int(option["value"]):
                problems.append(f"{where} option {index} needs a whole-number value.")
                continue
            values.append(option["value"])
            check_text(option["label"], f"{where} option {index} label")
        if len(set(values)) != len(values):
            problems.append(f"{where} has the same value twice.")
        elif values and values not in (sorted(values), sorted(values, reverse=True)):
            problems.append(f"{where} must list its options in order of value (up or down).")
        elif values:
            ranges[name] = (min(values), max(values))
    return ranges


def _check_items(
    items: Any, scale_range: dict[str, tuple[int, int]], problems: list[str], check_text
) -> dict[int, tuple[int, int]]:
    """The choice items' numbers with their scale's (lowest, highest) value."""
    choices: dict[int, tuple[int, int]] = {}
    if not isinstance(items, list) or not items:
        problems.append("items must be a non-empty list.")
        return choices
    numbers: list[int] = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.append(f"item {index} in the list must be an object.")
            continue
        number = item.get("number")
        where = f"item {number}" if _is_int(number) else f"item {index} in the list"
        if not _is_int(number) or number < 1:
            problems.append(f"{where}: number must be a whole number of 1 or more.")
        else:
            numbers.append(number)
        unknown = sorted(set(item) - ITEM_KEYS)
        if unknown:
            problems.append(f"{where}: unknown fields {unknown}; they are {sorted(ITEM_KEYS)}.")
        check_text(item.get("text"), f"{where} text")
        for flag in ("reverse", "required"):
            if flag in item and not isinstance(item[flag], bool):
                problems.append(f"{where}: {flag} must be true or false.")
        kind = item.get("kind")
        if kind == "choice":
            scale = item.get("scale")
            if scale not in scale_range:
                problems.append(f"{where}: scale must name one of the scales ({scale!r} is not).")
            elif _is_int(number):
                choices[number] = scale_range[scale]
            if "max_length" in item:
                problems.append(f"{where}: max_length is for text items only.")
        elif kind == "text":
            for field in ("scale", "reverse"):
                if item.get(field):
                    problems.append(f"{where}: a text item has no {field} (it is never scored).")
            length = item.get("max_length", TEXT_MAX_LENGTH)
            if not _is_int(length) or not 1 <= length <= TEXT_MAX_LENGTH_LIMIT:
                problems.append(f"{where}: max_length must be 1 to {TEXT_MAX_LENGTH_LIMIT}.")
        else:
            problems.append(f"{where}: kind must be 'choice' or 'text'.")
    if len(set(numbers)) != len(numbers):
        problems.append("two items have the same number; each number is used once.")
    return choices


def _check_scoring(
    scoring: Any, choices: dict[int, tuple[int, int]], problems: list[str]
) -> tuple[float, float] | None:
    """The headline's possible range as the definition computes it, when it can tell."""
    if not isinstance(scoring, dict):
        problems.append("scoring must be an object.")
        return None
    unknown = sorted(set(scoring) - SCORING_KEYS)
    if unknown:
        problems.append(f"scoring: unknown fields {unknown}; they are {sorted(SCORING_KEYS)}.")
    method = scoring.get("method")
    if method not in METHODS:
        problems.append(f"scoring.method must be one of {list(METHODS)}.")
    if method == "scaled_sum":
        if not _is_number(scoring.get("multiplier")) or scoring["multiplier"] <= 0:
            problems.append("scoring.multiplier must be a positive number for scaled_sum.")
    elif "multiplier" in scoring:
        problems.append("scoring.multiplier goes with scaled_sum only.")
    headline = scoring.get("headline")
    if headline not in HEADLINES:
        problems.append(f"scoring.headline must be one of {list(HEADLINES)}.")
    elif headline == "scaled" and method != "scaled_sum":
        problems.append("scoring.headline 'scaled' goes with the scaled_sum method only.")
    if scoring.get("missing_rule") not in MISSING_RULES:
        problems.append(f"scoring.missing_rule must be one of {list(MISSING_RULES)}.")

    scored = scoring.get("items", sorted(choices))
    if not isinstance(scored, list) or not scored or not all(_is_int(n) for n in scored):
        problems.append("scoring.items must be a non-empty list of item numbers.")
        return None
    if len(set(scored)) != len(scored):
        problems.append("scoring.items names an item twice.")
    not_choice = [n for n in scored if n not in choices]
    if not_choice:
        problems.append(f"scoring.items {not_choice} are not choice items of this definition.")
        return None
    max_missing = scoring.get("max_missing")
    if not _is_int(max_missing) or not 0 <= max_missing < len(scored):
        problems.append(
            f"scoring.max_missing must be a whole number from 0 to {len(scored) - 1} "
            "(fewer than the items scored)."
        )

    low = sum(choices[n][0] for n in scored)
    high = sum(choices[n][1] for n in scored)
    if method == "mean":
        low, high = low / len(scored), high / len(scored)
    elif method == "scaled_sum" and headline == "scaled" and _is_number(scoring.get("multiplier")):
        low, high = low * scoring["multiplier"], high * scoring["multiplier"]
    expected = [_tidy(low), _tidy(high)]
    declared = scoring.get("range")
    if (
        not isinstance(declared, list)
        or len(declared) != 2
        or not all(_is_number(v) for v in declared)
    ):
        problems.append(f"scoring.range must be [lowest, highest]: here {expected}.")
        return None
    if abs(declared[0] - low) > 1e-9 or abs(declared[1] - high) > 1e-9:
        problems.append(f"scoring.range is {declared}, but the items and method give {expected}.")
    return float(declared[0]), float(declared[1])


def _check_bands(
    bands: Any, headline_range: tuple[float, float] | None, problems: list[str], check_text
) -> None:
    if not isinstance(bands, list) or not bands:
        problems.append("bands must be a non-empty list, from the lowest scores up.")
        return
    keys: list[str] = []
    previous = None
    for index, band in enumerate(bands, start=1):
        where = f"band {index}"
        if not isinstance(band, dict) or set(band) != BAND_KEYS:
            problems.append(f"{where} must have exactly {sorted(BAND_KEYS)}.")
            return
        if not isinstance(band["key"], str) or not KEY.match(band["key"]):
            problems.append(f"{where}: key must be lowercase letters, digits and underscores.")
        keys.append(band["key"])
        check_text(band["label"], f"{where} label")
        low, high = band["min"], band["max"]
        if not (_is_number(low) and _is_number(high)) or low > high:
            problems.append(f"{where}: min and max must be numbers with min ≤ max.")
            return
        # Inclusive bounds on whole scores: the next band starts just above the last one
        # ends (a gap of at most 1; a prorated 46.5 counts in the band below 47).
        if previous is not None and not previous < low <= previous + 1:
            problems.append(
                f"{where} starts at {low}, but the band before ends at {previous}: "
                "bands must not overlap or leave a gap."
            )
        previous = high
    if len(set(keys)) != len(keys):
        problems.append("two bands have the same key.")
    if headline_range is not None and (
        bands[0]["min"] != headline_range[0] or bands[-1]["max"] != headline_range[1]
    ):
        problems.append(
            f"bands must cover scoring.range {list(headline_range)}: "
            f"the first starts at {bands[0]['min']}, the last ends at {bands[-1]['max']}."
        )


def _tidy(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 4)


def localized(texts: dict[str, str] | None, language: str = "en") -> str:
    """A text of the definition in ``language``, or in English when it has none."""
    if not texts:
        return ""
    return texts.get(language) or texts.get("en", "")


def shown_in_english_only(definition: dict, language: str) -> bool:
    """True when the person reads ``language`` but the instrument has no validated text in
    it: it is then shown in English, never machine-translated."""
    return language != "en" and language not in definition.get("languages", ["en"])
