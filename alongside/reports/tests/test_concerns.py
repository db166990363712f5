"""Concerns: raised, acknowledged, resolved and how long it took, by category and urgency."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from alongside.concerns.models import Concern
from alongside.reports.definitions import concerns
from alongside.reports.filters import ReportFilters
from alongside.reports.registry import definition, run
from alongside.reports.testing import at, engagements_of

START, END = datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)
BEFORE, AFTER, IN = (
    datetime.date(2025, 12, 31),
    datetime.date(2026, 4, 1),
    datetime.date(2026, 2, 1),
)
HOUR = datetime.timedelta(hours=1)


def _filters(w, **extra) -> ReportFilters:
    values = {
        "organization_id": w.org.pk,
        "start": START,
        "end": END,
        "program_ids": (w.program.pk, w.respite.pk),
    }
    values.update(extra)
    return ReportFilters(**values)


def _concern(org, engagement, day, *, category="safety", urgency="normal", ack=None, done=None):
    concern = Concern.objects.create(
        organization=org,
        engagement=engagement,
        category=category,
        urgency=urgency,
        description="SECRET-DETAIL of what happened",
        contact_name="Ravi Raiser",
    )
    raised = at(day)
    Concern.objects.filter(pk=concern.pk).update(
        created_at=raised,
        acknowledged_at=raised + ack if ack else None,
        resolved_at=raised + done if done else None,
    )
    return concern


def _row(table, label):
    return next(r for r in table.rows if r.label == label)


def _values(row):
    return [c.value for c in row.cells]


@pytest.fixture
def raised(world):
    w = world
    people = engagements_of(12, w.program, w.supporter)
    _concern(w.org, people[0], IN, ack=4 * HOUR)  # acknowledged late, not resolved
    for engagement in people[1:]:
        _concern(w.org, engagement, IN, ack=2 * HOUR, done=72 * HOUR)
    for _i in range(2):  # two about the same person
        _concern(w.org, people[0], START, category="boundaries")
    for _i in range(3):  # general: no engagement
        _concern(w.org, None, END, category="other", urgency="urgent", ack=HOUR)
    (respite,) = engagements_of(1, w.respite, w.other_supporter, prefix="Rest")
    _concern(w.org, respite, IN, category="service", ack=HOUR, done=24 * HOUR)
    _concern(w.org, people[1], BEFORE)  # the day before the period
    _concern(w.org, people[1], AFTER)  # the day after it
    _concern(w.other_org, w.foreign_engagement, IN)
    _concern(w.other_org, None, IN)
    return w


def test_counts_and_medians_by_category_and_urgency(raised):
    tables = concerns.build(_filters(raised))
    by_category = tables[0]
    assert _values(_row(by_category, "Safety")) == [12, 12, 11, 2.0, 3.0]
    assert _values(_row(by_category, "Boundaries")) == [2, 0, 0, None, None]
    assert _row(by_category, "Boundaries").cells[0].people == 1  # one person, twice
    assert _values(_row(by_category, "Something else")) == [3, 3, 0, 1.0, None]
    assert _values(_row(by_category, "Quality of service")) == [1, 1, 1, 1.0, 1.0]
    total = by_category.rows[-1]
    assert total.is_total
    assert _values(total) == [18, 16, 12, 2.0, 3.0]
    assert total.cells[0].people == 12 + 3 + 1
    by_urgency = tables[1]
    assert _values(_row(by_urgency, "Urgent"))[:3] == [3, 3, 0]
    assert _values(_row(by_urgency, "Normal"))[:3] == [15, 13, 12]
    assert "public page" in by_category.note


def test_a_narrower_scope_leaves_general_concerns_out(raised):
    w = raised
    tables = concerns.build(_filters(w, program_ids=(w.respite.pk,), single_program=True))
    assert _values(tables[0].rows[-1])[:3] == [1, 1, 1]
    assert "public page" not in tables[0].note
    tables = concerns.build(_filters(w, supporter_id=w.supporter.pk))
    assert _values(tables[0].rows[-1])[:3] == [14, 12, 11]


def test_small_groups_are_hidden(raised):
    by_category = run(definition("concerns"), _filters(raised)).tables[0]
    assert _row(by_category, "Safety").cells[0].shown == 12
    assert _row(by_category, "Boundaries").cells[0].shown is None
    assert _row(by_category, "Something else").cells[0].shown is None
    assert by_category.rows[-1].cells[0].shown == 18


def test_one_query(raised, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        concerns.build(_filters(raised))


def test_the_page_shows_no_description_or_contact(raised, client):
    w = raised
    url = reverse("reports:report", args=["concerns"])
    params = {"start": START.isoformat(), "end": END.isoformat()}
    client.force_login(w.coordinator)
    response = client.get(url, params)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Median hours to acknowledge" in page
    assert "SECRET-DETAIL" not in page and "Ravi" not in page
    client.force_login(w.supporter)
    assert client.get(url, params).status_code in (403, 404)
