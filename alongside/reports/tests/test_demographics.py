"""Demographics of the people served, as recorded, with "not recorded" shown."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from alongside.meetings.models import MeetingStatus
from alongside.participants.models import Participant
from alongside.reports.definitions import demographics
from alongside.reports.filters import ReportFilters
from alongside.reports.registry import definition, run
from alongside.reports.testing import held
from conftest import open_engagement

START, END = datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)
BEFORE, AFTER, IN = (
    datetime.date(2025, 12, 31),
    datetime.date(2026, 4, 1),
    datetime.date(2026, 2, 1),
)


def _filters(w, **extra) -> ReportFilters:
    values = {
        "organization_id": w.org.pk,
        "start": START,
        "end": END,
        "program_ids": (w.program.pk, w.respite.pk),
    }
    values.update(extra)
    return ReportFilters(**values)


def _person(w, program, supporter, **fields):
    participant = Participant.objects.create(organization=w.org, first_name="Someone", **fields)
    return open_engagement(participant, program, supporter)


def _counts(table):
    return {row.label: row.cells[0].value for row in table.rows if row.cells[0].value}


def _table(tables, key):
    return next(t for t in tables if t.key == key)


@pytest.fixture
def served(world):
    w = world
    usual = {"gender": "woman", "race_ethnicity": ["white"], "veteran_status": "no"}
    for _i in range(10):
        held(
            _person(w, w.program, w.supporter, date_of_birth=datetime.date(1995, 6, 1), **usual),
            IN,
        )
    eighteen = _person(
        w,
        w.program,
        w.supporter,
        gender="man",
        race_ethnicity=["black", "hispanic"],
        date_of_birth=datetime.date(2008, 3, 31),  # 18 on the last day of the period
        preferred_language="es",
    )
    held(eighteen, START)
    held(eighteen, END)  # twice: counted once
    held(_person(w, w.program, w.supporter, veteran_status="yes"), IN)  # nothing else told
    seventeen = _person(
        w,
        w.program,
        w.supporter,
        gender="woman",
        race_ethnicity=["white"],
        veteran_status="declined",
        date_of_birth=datetime.date(2008, 4, 1),  # 18 the day after the period
    )
    held(seventeen, IN)
    held(open_engagement(seventeen.participant, w.respite, w.supporter), IN)  # still one person
    held(_person(w, w.program, w.supporter, gender="man"), BEFORE)
    held(_person(w, w.program, w.supporter, gender="man"), AFTER)
    held(_person(w, w.program, w.supporter, gender="man"), IN, status=MeetingStatus.MISSED)
    held(w.foreign_engagement, IN)
    return w


def test_each_characteristic_with_not_recorded_and_totals(served):
    tables = demographics.build(_filters(served))
    gender = _table(tables, "gender")
    assert _counts(gender) == {"Woman": 11, "Man": 1, "Not recorded": 1, "Total": 13}
    assert gender.rows[-1].is_total
    assert next(r for r in gender.rows if r.label == "Woman").cells[1].value == 84.6
    race = _table(tables, "race_ethnicity")
    assert _counts(race) == {
        "White": 11,
        "Black or African American": 1,
        "Hispanic or Latino/a/e": 1,
        "Not recorded": 1,
    }
    assert not any(row.is_total for row in race.rows)
    assert "13 people served" in race.note
    assert _counts(_table(tables, "veteran")) == {
        "Veteran": 1,
        "Not a veteran": 10,
        "Prefers not to say": 1,
        "Not recorded": 1,
        "Total": 13,
    }
    assert _counts(_table(tables, "age")) == {
        "Under 18": 1,
        "18 to 24": 1,
        "25 to 34": 10,
        "Not recorded": 1,
        "Total": 13,
    }
    assert _counts(_table(tables, "language")) == {"English": 12, "Spanish": 1, "Total": 13}


def test_filters_narrow_the_people_served(served):
    w = served
    tables = demographics.build(_filters(w, program_ids=(w.respite.pk,), single_program=True))
    assert _counts(_table(tables, "gender")) == {"Woman": 1, "Total": 1}
    tables = demographics.build(_filters(w, supporter_id=w.other_supporter.pk))
    assert _counts(_table(tables, "gender")) == {}
    assert "fewer than 11" in _table(tables, "race_ethnicity").note


def test_small_groups_are_hidden(served):
    tables = run(definition("demographics"), _filters(served)).tables
    gender = _table(tables, "gender")
    assert [row.cells[0].shown for row in gender.rows] == [11, None, 0, 0, 0, None, 13]
    race = _table(tables, "race_ethnicity")
    assert [row.cells[0].shown for row in race.rows if row.cells[0].value] == [
        None,
        None,
        11,
        None,
    ]


def test_one_query(served, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        demographics.build(_filters(served))


def test_the_page_answers_coordinators_only(served, client):
    w = served
    url = reverse("reports:report", args=["demographics"])
    params = {"start": START.isoformat(), "end": END.isoformat()}
    client.force_login(w.coordinator)
    response = client.get(url, params)
    assert response.status_code == 200
    assert "Not recorded" in response.content.decode()
    client.force_login(w.supporter)
    assert client.get(url, params).status_code in (403, 404)
