"""Outcomes: scores paired first to latest, goals set and achieved, stage movement."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from alongside.assessments.testing import a_score, a_stage
from alongside.plans.models import Goal, GoalStatus
from alongside.reports.definitions import outcomes
from alongside.reports.filters import ReportFilters
from alongside.reports.registry import definition, run
from alongside.reports.testing import at, engagements_of

START, END = datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)
BEFORE = datetime.date(2025, 12, 31)  # one day before the period
AFTER = datetime.date(2026, 4, 1)  # one day after it
IN = datetime.date(2026, 2, 1)


def _filters(w, **extra) -> ReportFilters:
    values = {
        "organization_id": w.org.pk,
        "start": START,
        "end": END,
        "program_ids": (w.program.pk, w.respite.pk),
    }
    values.update(extra)
    return ReportFilters(**values)


def _table(tables, key):
    return next(t for t in tables if t.key == key)


def _row(table, label):
    return next(r for r in table.rows if r.label == label)


def _values(row):
    return [c.value for c in row.cells]


def _shown(row):
    return [c.shown for c in row.cells]


def _who5_key(tables, breakdown):
    return f"scores_who-5_{breakdown}"


@pytest.fixture
def scores(world):
    """12 Community pairs 40 → 60 (six in tier 1), 3 Respite pairs 60 → 50, and engagements
    that do not pair: one response only, the latest outside the period, another org's."""
    w = world
    community = engagements_of(12, w.program, w.supporter)
    for i, engagement in enumerate(community):
        a_score(engagement, w.supporter, "who-5", 40, BEFORE - datetime.timedelta(days=30))
        a_score(engagement, w.supporter, "who-5", 48, IN)  # neither first nor latest
        a_score(engagement, w.supporter, "who-5", 60, END)
        if i < 6:
            type(engagement).objects.filter(pk=engagement.pk).update(tier=1)
    respite = engagements_of(3, w.respite, w.supporter, prefix="Rest")
    for engagement in respite:
        a_score(engagement, w.supporter, "who-5", 60, START)
        a_score(engagement, w.supporter, "who-5", 50, IN)
    lone, late, early = engagements_of(3, w.program, w.other_supporter, prefix="Odd")
    a_score(lone, w.other_supporter, "who-5", 10, IN)
    a_score(late, w.other_supporter, "who-5", 10, IN)
    a_score(late, w.other_supporter, "who-5", 90, AFTER)  # after the end: not the latest
    a_score(early, w.other_supporter, "who-5", 10, BEFORE - datetime.timedelta(days=5))
    a_score(early, w.other_supporter, "who-5", 90, BEFORE)  # latest before the period
    a_score(w.foreign_engagement, w.outsider, "who-5", 10, START)
    a_score(w.foreign_engagement, w.outsider, "who-5", 90, IN)
    return w


def test_scores_pair_first_and_latest_by_program_and_tier(scores):
    tables = outcomes.build(_filters(scores))
    by_program = _table(tables, _who5_key(tables, "program"))
    assert _values(_row(by_program, "Community Peer Support")) == [12, 40.0, 60.0, 20.0, 100.0]
    assert _values(_row(by_program, "Peer Respite")) == [3, 60.0, 50.0, -10.0, 0.0]
    assert _values(by_program.rows[-1]) == [15, 44.0, 58.0, 14.0, 80.0]
    assert by_program.rows[-1].is_total
    by_tier = _table(tables, _who5_key(tables, "tier"))
    assert _row(by_tier, "Tier 1 · making progress").cells[0].value == 6
    assert _row(by_tier, "Tier 2 · maintaining position").cells[0].value == 0
    assert _row(by_tier, "No tier yet").cells[0].value == 9
    # Only instruments with pairs get tables (BARC-10 was installed but not answered).
    assert not [t for t in tables if t.key.startswith("scores_barc-10")]
    assert by_program.title == "WHO-5 Well-Being Index: first to latest, by program"


def test_scores_follow_the_program_and_supporter_filters(scores):
    w = scores
    tables = outcomes.build(_filters(w, program_ids=(w.respite.pk,), single_program=True))
    assert _values(_table(tables, _who5_key(tables, "program")).rows[-1])[0] == 3
    tables = outcomes.build(_filters(w, supporter_id=w.other_supporter.pk))
    assert _table(tables, "scores").rows[-1].cells[0].value == 0


def test_a_small_group_is_hidden_with_its_complement(scores):
    tables = run(definition("outcomes"), _filters(scores)).tables
    by_program = _table(tables, _who5_key(tables, "program"))
    assert _shown(_row(by_program, "Peer Respite")) == [None] * 5
    # 12 alone would give the respite 3 away by subtraction from the total.
    assert _shown(_row(by_program, "Community Peer Support")) == [None] * 5
    assert _shown(by_program.rows[-1]) == [15, 44.0, 58.0, 14.0, 80.0]
    by_tier = _table(tables, _who5_key(tables, "tier"))
    assert _row(by_tier, "Tier 1 · making progress").cells[0].shown is None


def _goal(engagement, created, *, achieved=None, history=True):
    goal = Goal.objects.create(
        engagement=engagement,
        statement="Find a job I like",
        wellness_dimension="occupational",
        created_by=engagement.supporter,
    )
    Goal.objects.filter(pk=goal.pk).update(created_at=at(created))
    goal.refresh_from_db()
    if achieved is not None:
        if history:
            goal.status = GoalStatus.ACHIEVED
            goal.save()
            Goal.history.filter(id=goal.pk, status=GoalStatus.ACHIEVED).update(
                history_date=at(achieved)
            )
            Goal.objects.filter(pk=goal.pk).update(updated_at=at(achieved, 11))
        else:  # no history row: when it was last updated stands in
            Goal.objects.filter(pk=goal.pk).update(
                status=GoalStatus.ACHIEVED, updated_at=at(achieved)
            )
        goal.refresh_from_db()
    return goal


def test_goals_set_and_achieved_in_the_period(world):
    w = world
    people = engagements_of(12, w.program, w.supporter)
    for engagement in people[:11]:
        _goal(engagement, START, achieved=END)
    _goal(people[0], IN)  # a second goal: 13 goals, 12 people
    _goal(people[11], END, achieved=AFTER)  # set in the period, achieved after it
    _goal(people[11], BEFORE, achieved=IN, history=False)  # achieved only
    _goal(people[11], AFTER)  # after the period
    _goal(people[11], BEFORE, achieved=BEFORE)  # achieved before the period
    reopened = _goal(people[10], BEFORE, achieved=IN)
    reopened.status = GoalStatus.ACTIVE
    reopened.save()  # no longer achieved
    _goal(w.foreign_engagement, IN, achieved=IN)
    goals = _table(outcomes.build(_filters(w)), "goals")
    assert _values(_row(goals, "Community Peer Support")) == [13, 12, 12, 12]
    assert _values(_row(goals, "Peer Respite")) == [0, 0, 0, 0]
    assert _values(goals.rows[-1]) == [13, 12, 12, 12]
    earlier = outcomes.build(_filters(w, end=END - datetime.timedelta(days=1)))
    assert _values(_table(earlier, "goals").rows[-1]) == [12, 11, 1, 1]


def test_stage_movement_per_goal_first_against_latest_by_the_end(world):
    w = world
    people = engagements_of(14, w.program, w.supporter)
    for engagement in people[:11]:
        goal = _goal(engagement, BEFORE)
        a_stage(goal, w.supporter, "contemplation", BEFORE)
        a_stage(goal, w.supporter, "action", IN)
    back = _goal(people[11], START)
    a_stage(back, w.supporter, "action", START)
    a_stage(back, w.supporter, "contemplation", END)
    a_stage(back, w.supporter, "maintenance", AFTER)  # after the end: not counted
    same = _goal(people[12], START)
    a_stage(same, w.supporter, "preparation", START)
    a_stage(same, w.supporter, "preparation", IN)
    once = _goal(people[13], START)
    a_stage(once, w.supporter, "contemplation", IN)
    quiet = _goal(people[13], BEFORE)  # nothing recorded in the period
    a_stage(quiet, w.supporter, "precontemplation", BEFORE)
    a_stage(quiet, w.supporter, "action", BEFORE)
    stages = _table(outcomes.build(_filters(w)), "stages")
    assert [(r.label, r.cells[0].value, r.cells[1].value) for r in stages.rows] == [
        ("Moved forward", 11, 11),
        ("Same stage", 1, 1),
        ("Moved back", 1, 1),
        ("One stage recorded so far", 1, 1),
        ("Total", 14, 14),
    ]
    assert _row(stages, "Moved forward").cells[2].value == round(100 * 11 / 14, 1)
    shown = run(definition("outcomes"), _filters(w)).tables
    assert _row(_table(shown, "stages"), "Moved forward").cells[0].shown == 11
    assert _row(_table(shown, "stages"), "Same stage").cells[0].shown is None


def test_the_query_count_does_not_grow_with_the_data(scores, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        outcomes.build(_filters(scores))


def test_the_page_answers_coordinators_only(scores, client):
    w = scores
    url = reverse("reports:report", args=["outcomes"])
    params = {"start": START.isoformat(), "end": END.isoformat()}
    client.force_login(w.coordinator)
    response = client.get(url, params)
    assert response.status_code == 200
    assert "Stage of change movement" in response.content.decode()
    download = client.get(reverse("reports:download", args=["outcomes", "csv"]), params)
    assert download.status_code == 200
    assert "WHO-5 Well-Being Index" in download.content.decode("utf-8-sig")
    client.force_login(w.supporter)
    assert client.get(url, params).status_code in (403, 404)
