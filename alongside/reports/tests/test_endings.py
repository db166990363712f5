"""Endings: exits completed in the period by reason and kind, and the length of the
engagements closed in it against the program's guideline (and its extensions)."""

from __future__ import annotations

import datetime

from alongside.engagements.models import Engagement, State
from alongside.exits.models import Exit, ExitKind, ExitReason
from alongside.organizations.models import Site
from alongside.reports.filters import ReportFilters
from alongside.reports.registry import definition, run
from alongside.reports.testing import at, engagements_of, filters_of
from alongside.reports.testing import row as _row
from alongside.reports.testing import table as _table

START, END = datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)
D = datetime.date


def _filters(world, **kwargs) -> ReportFilters:
    return filters_of(world, START, END, **kwargs)


def _report(world, **kwargs):
    return run(definition("endings"), _filters(world, **kwargs))


def _exits(engagements, when, reason=ExitReason.GOALS_MET, kind=ExitKind.PLANNED, **extra):
    for e in engagements:
        Exit.objects.create(
            engagement=e,
            kind=kind,
            reason=reason,
            started_at=at(D(2025, 12, 1)),
            started_by=e.supporter,
            completed_at=when,
            completed_by=e.supporter if when else None,
            **extra,
        )


def _closed(engagements, started, closed, **fields):
    Engagement.objects.filter(pk__in=[e.pk for e in engagements]).update(
        started_on=started, activated_on=started, closed_on=closed, state=State.CLOSED, **fields
    )


def test_exits_of_the_period_by_reason_and_kind(world):
    _exits(engagements_of(12, world.program, world.supporter), at(D(2026, 3, 10)))
    _exits(
        engagements_of(11, world.respite, world.supporter, prefix="Lost"),
        at(D(2026, 4, 1)),
        reason=ExitReason.LOST_CONTACT,
        kind=ExitKind.ABRUPT,
    )
    # Completed just outside the period, or not completed: not counted.
    _exits(engagements_of(1, world.program, world.supporter, prefix="B"), at(D(2025, 12, 31), 23))
    _exits(engagements_of(1, world.program, world.supporter, prefix="A"), at(D(2026, 7, 1), 0))
    _exits(engagements_of(1, world.program, world.supporter, prefix="O"), None)

    table = _table(_report(world), "exits")

    assert table.columns == ["Planned exit", "Staged step-down", "Abrupt ending", "Total"]
    assert [r.label for r in table.rows] == [*ExitReason.labels, "Total"]
    assert _row(table, "Goals met") == [12, 0, 0, 12]
    assert _row(table, "Lost contact") == [0, 0, 11, 11]
    assert _row(table, "Moved away") == [0, 0, 0, 0]
    assert _row(table, "Total") == [12, 0, 11, 23]


def test_a_small_kind_is_hidden_with_what_would_give_it_away(world):
    _exits(engagements_of(12, world.program, world.supporter), at(D(2026, 3, 10)))
    _exits(
        engagements_of(11, world.respite, world.supporter, prefix="Lost"),
        at(D(2026, 4, 1)),
        reason=ExitReason.LOST_CONTACT,
        kind=ExitKind.ABRUPT,
    )
    _exits(
        engagements_of(2, world.program, world.supporter, prefix="Step"),
        at(D(2026, 5, 1)),
        kind=ExitKind.STEP_DOWN,
        step_down_per_month=1,
        step_down_until=D(2026, 5, 1),
    )

    table = _table(_report(world), "exits")

    assert _row(table, "Goals met") == [None, None, 0, 14]
    assert _row(table, "Lost contact") == [0, 0, 11, 11]
    # The two step-downs are a small total of their own, and take the next smallest along.
    assert _row(table, "Total") == [None, None, None, 25]


def test_lengths_against_the_guideline_and_its_extensions(world):
    # Community Peer Support: a 365-day guideline, ending 1 June 2026 from 1 June 2025.
    early = engagements_of(6, world.program, world.supporter)
    late = engagements_of(6, world.program, world.supporter, prefix="Late")
    _closed(early, D(2025, 6, 1), D(2026, 3, 1))  # 273 days
    _closed(late[:3], D(2025, 6, 1), D(2026, 6, 10))  # 374 days, past the guideline
    _closed(late[3:], D(2025, 6, 1), D(2026, 6, 10), guideline_ends_on=D(2026, 7, 1))
    # Closed the day before or after the period: not counted.
    _closed(
        engagements_of(1, world.program, world.supporter, prefix="B"),
        D(2025, 6, 1),
        D(2025, 12, 31),
    )
    _closed(
        engagements_of(1, world.program, world.supporter, prefix="A"), D(2025, 6, 1), D(2026, 7, 1)
    )

    table = _table(_report(world), "lengths")

    assert _row(table, "Community Peer Support") == [12, 323.5, 365, 50.0, 75.0]
    assert _row(table, "Peer Respite") == [0, None, 7, None, None]
    assert _row(table, "Total") == [12, 323.5, None, 50.0, 75.0]


def test_a_program_without_a_guideline_has_lengths_but_no_share(world):
    world.respite.duration_guideline_days = None
    world.respite.save()
    _closed(engagements_of(12, world.program, world.supporter), D(2025, 6, 1), D(2026, 3, 1))
    _closed(
        engagements_of(11, world.respite, world.supporter, prefix="R"),
        D(2026, 2, 1),
        D(2026, 3, 1),
    )

    table = _table(_report(world), "lengths")

    assert _row(table, "Peer Respite") == [11, 28.0, None, None, None]
    assert _row(table, "Total") == [23, 273.0, None, 100.0, 100.0]


def test_a_small_program_is_hidden_with_its_complement(world):
    _closed(engagements_of(12, world.program, world.supporter), D(2025, 6, 1), D(2026, 3, 1))
    _closed(
        engagements_of(2, world.respite, world.supporter, prefix="R"), D(2026, 2, 1), D(2026, 2, 5)
    )

    table = _table(_report(world), "lengths")

    assert _row(table, "Peer Respite") == [None, None, 7, None, None]
    assert _row(table, "Community Peer Support") == [None, None, 365, None, None]
    assert _row(table, "Total")[0] == 14


def test_endings_follow_the_supporter_program_and_site_filters(world):
    site = Site.objects.create(organization=world.org, name="Drop-in center")
    sunny = engagements_of(12, world.program, world.supporter)
    omar = engagements_of(11, world.program, world.other_supporter, prefix="O")
    _closed(sunny, D(2025, 6, 1), D(2026, 3, 1), site=site)
    _closed(omar, D(2025, 6, 1), D(2026, 3, 1))
    _exits(sunny + omar, at(D(2026, 3, 1)))

    def totals(**kwargs):
        report = _report(world, **kwargs)
        return _row(_table(report, "exits"), "Total")[-1], _row(
            _table(report, "lengths"), "Total"
        )[0]

    assert totals() == (23, 23)
    assert totals(supporter_id=world.other_supporter.pk) == (11, 11)
    assert totals(site_id=site.pk) == (12, 12)
    assert totals(program_ids=(world.respite.pk,)) == (0, 0)


def test_endings_take_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    engagements = engagements_of(15, world.program, world.supporter)
    _closed(engagements, D(2025, 6, 1), D(2026, 3, 1))
    _exits(engagements, at(D(2026, 3, 1)))
    with django_assert_max_num_queries(3):
        _report(world)
