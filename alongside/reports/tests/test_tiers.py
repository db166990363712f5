"""Tiers by quarter and assessments done against those due: counted from each
engagement's own sequence of assessments, at the quarter's end."""

from __future__ import annotations

import datetime

from alongside.assessments.models import Assessment
from alongside.engagements.models import Engagement, State
from alongside.reports.definitions.tiers import quarters
from alongside.reports.filters import ReportFilters
from alongside.reports.registry import definition, run
from alongside.reports.testing import engagements_of, filters_of
from alongside.reports.testing import row as _row
from alongside.reports.testing import table as _table

START, END = datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)
D = datetime.date


def _filters(world, **kwargs) -> ReportFilters:
    return filters_of(world, START, END, **kwargs)


def _report(world, **kwargs):
    return run(definition("tiers"), _filters(world, **kwargs))


def _dated(engagements, started: datetime.date, **fields):
    Engagement.objects.filter(pk__in=[e.pk for e in engagements]).update(
        started_on=started, activated_on=started, **fields
    )


def _assessed(engagement, tier: int, day: datetime.date, reassess_on=None) -> Assessment:
    return Assessment.objects.create(
        engagement=engagement,
        tier=tier,
        rationale="Seen together.",
        assessed_on=day,
        reassess_on=reassess_on or day + datetime.timedelta(days=365),
        assessed_by=engagement.supporter,
    )


def test_quarters_touching_the_period_are_cut_to_it():
    filters = ReportFilters(1, D(2025, 11, 15), D(2026, 2, 10), (1,))
    found = quarters(filters)
    assert [q.label for q in found] == ["2025 Q4", "2026 Q1"]
    assert (found[0].first, found[0].last) == (D(2025, 11, 15), D(2025, 12, 31))
    assert (found[1].first, found[1].last) == (D(2026, 1, 1), D(2026, 2, 10))


def test_tiers_are_counted_at_each_quarters_end_from_the_latest_assessment_then(world):
    people = engagements_of(24, world.program, world.supporter)
    _dated(people, D(2025, 10, 1))
    for e in people:
        _assessed(e, 1, D(2026, 2, 1))
    for e in people[:12]:
        _assessed(e, 2, D(2026, 4, 15))
    _assessed(people[0], 3, D(2026, 7, 1))  # after the period: not seen
    # Closed on the last day of Q1: not open at its end.
    _dated(people[23:], D(2025, 10, 1), closed_on=D(2026, 3, 31), state=State.CLOSED)
    # Open but not assessed yet: not counted.
    _dated(engagements_of(1, world.program, world.supporter, prefix="New"), D(2026, 1, 5))

    table = _table(_report(world), "tier_by_quarter")

    assert [r.label for r in table.rows] == ["2026 Q1", "2026 Q2"]
    assert _row(table, "2026 Q1") == [23, 0, 0, 23]
    assert _row(table, "2026 Q2") == [11, 12, 0, 23]
    assert table.row_total and table.chart.kind == "stacked"


def test_a_small_tier_is_hidden_with_its_complement(world):
    people = engagements_of(14, world.program, world.supporter)
    _dated(people, D(2025, 10, 1))
    for e in people:
        _assessed(e, 2, D(2026, 2, 1))
    for e in people[:3]:
        _assessed(e, 3, D(2026, 5, 1))

    table = _table(_report(world), "tier_by_quarter")

    assert _row(table, "2026 Q1") == [0, 14, 0, 14]
    # 14 - 11 would give the three in Tier 3 away.
    assert _row(table, "2026 Q2") == [0, None, None, 14]


def test_assessments_done_and_due_by_quarter(world):
    world.program.assessment_interval_months = 3
    world.program.save()
    # First assessment due 1 March (3 months after activation), done early in February;
    # the next due 20 May: six on the day, six late.
    twelve = engagements_of(12, world.program, world.supporter)
    _dated(twelve, D(2025, 12, 1))
    for i, e in enumerate(twelve):
        _assessed(e, 1, D(2026, 2, 20), reassess_on=D(2026, 5, 20))
        _assessed(e, 2, D(2026, 5, 20) if i < 6 else D(2026, 6, 10))
    # Due 1 March and never assessed: due, not on time.
    _dated(engagements_of(1, world.program, world.supporter, prefix="Due"), D(2025, 12, 1))
    # Closed before its first due date: nothing was due.
    closed = engagements_of(1, world.program, world.supporter, prefix="Gone")
    _dated(closed, D(2025, 12, 1), closed_on=D(2026, 2, 15), state=State.CLOSED)
    # Assessed the day before the period (late, for 30 December) and the day after it.
    edge = engagements_of(1, world.program, world.supporter, prefix="Edge")[0]
    _dated([edge], D(2025, 9, 30))
    _assessed(edge, 2, D(2025, 12, 31), reassess_on=D(2026, 7, 1))
    _assessed(edge, 2, D(2026, 7, 1))

    table = _table(_report(world), "assessments")

    assert _row(table, "2026 Q1") == [12, 13, 92.3]
    assert _row(table, "2026 Q2") == [12, 12, 50.0]


def test_without_a_re_assessment_date_the_programs_interval_sets_the_next(world):
    world.program.assessment_interval_months = 3
    world.program.save()
    twelve = engagements_of(12, world.program, world.supporter)
    _dated(twelve, D(2025, 9, 1))  # first due 1 December, before the period
    for e in twelve:
        assessment = _assessed(e, 1, D(2025, 12, 20))
        Assessment.objects.filter(pk=assessment.pk).update(reassess_on=None)
        _assessed(e, 1, D(2026, 3, 25))

    table = _table(_report(world), "assessments")

    assert _row(table, "2026 Q1") == [12, 12, 0.0]  # due 20 March, done 25 March


def test_tiers_follow_the_supporter_and_program_filters(world):
    sunny = engagements_of(12, world.program, world.supporter)
    omar = engagements_of(11, world.program, world.other_supporter, prefix="O")
    _dated(sunny + omar, D(2025, 10, 1))
    for e in sunny + omar:
        _assessed(e, 1, D(2026, 2, 1))

    assert _row(_table(_report(world), "tier_by_quarter"), "2026 Q1") == [23, 0, 0, 23]
    mine = _report(world, supporter_id=world.supporter.pk)
    assert _row(_table(mine, "tier_by_quarter"), "2026 Q1") == [12, 0, 0, 12]
    assert _row(_table(mine, "assessments"), "2026 Q1")[0] == 12
    respite = _report(world, program_ids=(world.respite.pk,))
    assert _row(_table(respite, "tier_by_quarter"), "2026 Q1") == [0, 0, 0, 0]


def test_tiers_take_two_queries(world, django_assert_max_num_queries):
    people = engagements_of(15, world.program, world.supporter)
    _dated(people, D(2025, 10, 1))
    for e in people:
        _assessed(e, 1, D(2026, 2, 1))
        _assessed(e, 2, D(2026, 5, 1))
    with django_assert_max_num_queries(2):
        _report(world)
