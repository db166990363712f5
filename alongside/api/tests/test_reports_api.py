"""GET /api/v1/reports/{name}: the page's suppressed tables as JSON, for coordinators."""

from __future__ import annotations

import datetime

import pytest

from alongside.reports.testing import engagements_of, held

PERIOD = {"start": "2026-01-01", "end": "2026-06-30"}


@pytest.fixture
def busy(world):
    for engagement in engagements_of(12, world.program, world.supporter):
        held(engagement, datetime.date(2026, 3, 10))
    for engagement in engagements_of(3, world.respite, world.supporter, prefix="Stay"):
        held(engagement, datetime.date(2026, 3, 12))
    return world


def test_the_report_answers_its_tables_with_small_cells_null(busy, api_as):
    response = api_as(busy.coordinator).get("/api/v1/reports/volume", PERIOD)
    assert response.status_code == 200
    body = response.json()
    assert body["start"] == "2026-01-01" and body["end"] == "2026-06-30"
    by_program = next(t for t in body["tables"] if t["key"] == "by_program")
    respite = next(r for r in by_program["rows"] if r["label"] == "Peer Respite")
    assert respite["cells"][0] == {"value": None, "suppressed": True}
    total = next(r for r in by_program["rows"] if r["total"])
    assert [c["value"] for c in total["cells"]] == [15, 15.0, 60, 15]
    assert "fewer than 11 people" in body["suppression"]
    assert body["suppressed_count"] > 0


def test_the_list_names_every_report(world, api_as):
    names = [r["name"] for r in api_as(world.coordinator).get("/api/v1/reports").json()]
    assert {"volume", "funnel"} <= set(names)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-06-01", "end": "2026-01-01"}, "before its start"),
        ({**PERIOD, "program": 999999}, "Unknown program"),
        ({**PERIOD, "colour": "red"}, "colour: Unknown query parameter"),
        ({**PERIOD, "start": "June"}, "date"),
    ],
)
def test_bad_filters_answer_422_with_a_message(world, api_as, query, message):
    response = api_as(world.coordinator).get("/api/v1/reports/volume", query)
    assert response.status_code == 422
    assert message in response.json()["detail"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator", 200),
        ("outsider", 200),
        ("admin", 403),
        ("supervisor", 403),
        ("supporter", 403),
        ("other_supporter", 403),
        ("participant_user", 403),
    ],
)
def test_reports_are_for_coordinators(world, api_as, persona, status):
    client = api_as(getattr(world, persona))
    assert client.get("/api/v1/reports").status_code == status
    assert client.get("/api/v1/reports/volume").status_code == status


def test_signed_out_callers_get_401_and_unknown_reports_404(world, client, api_as):
    assert client.get("/api/v1/reports/volume").status_code == 401
    assert api_as(world.coordinator).get("/api/v1/reports/payroll").status_code == 404
