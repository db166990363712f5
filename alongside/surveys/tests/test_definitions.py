"""Definition files: the shipped ones are valid, and each broken rule is named clearly."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from alongside.surveys.definitions import (
    DEFINITIONS_DIR,
    DefinitionError,
    definition_files,
    definition_load,
)
from alongside.surveys.tests.test_scoring import SYNTHETIC


def write(folder: Path, definition: dict, name: str = "synthetic.v1.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(definition))
    return path


def problems_of(tmp_path: Path, change, name: str = "synthetic.v1.json") -> str:
    definition = copy.deepcopy(SYNTHETIC)
    change(definition)
    with pytest.raises(DefinitionError) as caught:
        definition_load(write(tmp_path, definition, name))
    message = str(caught.value)
    assert message.startswith(f"{name} is not a valid instrument definition")
    return message


def test_every_shipped_definition_is_valid():
    names = [path.name for path in definition_files()]
    assert {"barc-10.v1.json", "who-5.v1.json"} <= set(names)
    for path in definition_files():
        loaded = definition_load(path)
        assert loaded.definition["slug"] in path.name
        assert len(loaded.sha256) == 64


def test_the_shipped_instruments_note_source_and_licence_with_a_caution():
    for name in ("barc-10.v1.json", "who-5.v1.json"):
        definition = definition_load(DEFINITIONS_DIR / name).definition
        assert "must check" in definition["source"]
        assert "must verify" in definition["licence"]
        assert definition["languages"] == ["en"]


def test_a_valid_synthetic_file_loads(tmp_path):
    assert definition_load(write(tmp_path, SYNTHETIC)).definition["slug"] == "synthetic"


def test_the_file_name_must_match_slug_and_version(tmp_path):
    message = problems_of(tmp_path, lambda d: None, name="synthetic.v2.json")
    assert "the version must be 2, as in the file name" in message
    message = problems_of(tmp_path, lambda d: None, name="Synthetic.json")
    assert "<slug>.v<version>.json" in message


def test_it_refuses_json_that_does_not_parse(tmp_path):
    path = tmp_path / "broken.v1.json"
    path.write_text("{not json")
    with pytest.raises(DefinitionError, match=r"(?s)broken\.v1\.json .*not valid UTF-8 JSON"):
        definition_load(path)


@pytest.mark.parametrize(
    "change,expected",
    [
        (lambda d: d.update(colour="blue"), "unknown fields ['colour']"),
        (lambda d: d.pop("licence"), "missing fields ['licence']"),
        (lambda d: d.update(languages=["es"]), 'languages must include "en"'),
        (lambda d: d.update(languages=["en", "es"]), "title has no text in ['es']"),
        (lambda d: d["items"][0].update(scale="seven"), "item 1: scale must name one of"),
        (lambda d: d["items"][4].update(reverse=True), "item 5: a text item has no reverse"),
        (lambda d: d["items"][1].update(number=1), "two items have the same number"),
        (lambda d: d["items"][0].update(kind="slider"), "kind must be 'choice' or 'text'"),
        (lambda d: d["items"][0].update(reversed=True), "item 1: unknown fields ['reversed']"),
        (lambda d: d["scoring"].update(method="median"), "scoring.method must be one of"),
        (lambda d: d["scoring"].update(multiplier=4), "multiplier goes with scaled_sum only"),
        (lambda d: d["scoring"].update(headline="scaled"), "'scaled' goes with the scaled_sum"),
        (lambda d: d["scoring"].update(items=[1, 5]), "[5] are not choice items"),
        (lambda d: d["scoring"].update(max_missing=4), "max_missing must be a whole number"),
        (lambda d: d["scoring"].update(range=[0, 20]), "the items and method give [4, 20]"),
        (lambda d: d["bands"][1].update(min=13), "starts at 13, but the band before ends at 10"),
        (lambda d: d["bands"][1].update(min=10), "must not overlap or leave a gap"),
        (lambda d: d["bands"][1].update(max=19), "bands must cover scoring.range"),
        (
            lambda d: (
                d["scales"]["five"]["options"].reverse()
                or d["scales"]["five"]["options"].insert(0, {"value": 3, "label": {"en": "x"}})
            ),
            "has the same value twice",
        ),
    ],
)
def test_each_broken_rule_is_named(tmp_path, change, expected):
    assert expected in problems_of(tmp_path, change)


def test_every_problem_is_listed_at_once(tmp_path):
    def break_two(definition):
        definition["slug"] = "Bad Slug"
        definition["bands"][0]["key"] = "Not A Key"

    message = problems_of(tmp_path, break_two)
    assert "slug must be lowercase" in message
    assert "key must be lowercase letters" in message
