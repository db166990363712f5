"""Endings: exits completed in the period by reason and kind, and how long the
engagements closed in the period lasted against their program's duration guideline.
Two queries (exits; closed engagements) and one for the programs' names.

A length runs from ``started_on`` (the match, where the guideline starts too: see
engagements.services.due_dates) to ``closed_on``. "Within the guideline" compares the
closing day with the program's guideline from the start; "as extended" with the
guideline's end as it stood at closing, after any extension a coordinator made
(engagements.guidelines.current_end).
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alongside.engagements.models import Engagement
from alongside.exits.models import Exit, ExitKind, ExitReason
from alongside.organizations.models import Program
from alongside.reports.definitions.common import in_period, median_days, scope, share
from alongside.reports.filters import ReportFilters
from alongside.reports.registry import register
from alongside.reports.result import Cell, Chart, Row, Table


def _tally(pairs: list[tuple[int, int]]) -> Cell:
    """How many exits, about how many distinct people."""
    return Cell(len(pairs), people=len({person for _exit, person in pairs}))


def _exits(filters: ReportFilters) -> Table:
    cells: dict[tuple[str, str], list] = defaultdict(list)
    rows = Exit.objects.filter(scope(filters), in_period(filters, "completed_at")).values_list(
        "pk", "reason", "kind", "engagement__participant_id"
    )
    for pk, reason, kind, person in rows.order_by():
        for r in (reason, None):
            for k in (kind, None):
                cells[r, k].append((pk, person))
    kinds = [*ExitKind.values, None]
    table_rows = [
        Row(label, [_tally(cells[reason, kind]) for kind in kinds])
        for reason, label in ExitReason.choices
    ]
    table_rows.append(
        Row(_("Total"), [_tally(cells[None, kind]) for kind in kinds], is_total=True)
    )
    return Table(
        key="exits",
        title=_("Exits by reason"),
        label_header=_("Reason"),
        columns=[*(str(label) for label in ExitKind.labels), _("Total")],
        rows=table_rows,
        row_total=True,
        chart=Chart("bars", column=len(ExitKind.values)),
        note=_("Exits completed in the period (the engagement closed), by reason and kind."),
    )


class _Lengths:
    def __init__(self) -> None:
        self.days: list[int] = []
        self.people: set[int] = set()
        self.measured = 0  # closed where a guideline applies
        self.within = 0
        self.within_extended = 0

    def add(self, person, days: int, within: bool | None, within_extended: bool | None) -> None:
        """One engagement closed: its length, and whether it closed within the guideline
        and the guideline as extended (None: its program has no guideline)."""
        self.days.append(days)
        self.people.add(person)
        if within is not None:
            self.measured += 1
            self.within += within
            self.within_extended += within_extended

    def cells(self, guideline_days) -> list[Cell]:
        n = len(self.people)
        median = median_days(self.days)
        median.people = n
        return [
            Cell(len(self.days), people=n),
            median,
            Cell(guideline_days),
            share(self.within, self.measured, n),
            share(self.within_extended, self.measured, n),
        ]


def _closed(person, started, closed, guideline_days, ends_on) -> tuple:
    """``_Lengths.add``'s arguments for one engagement, worked out once for every tally."""
    if not guideline_days:
        return person, (closed - started).days, None, None
    guideline_end = started + datetime.timedelta(days=guideline_days)
    return (
        person,
        (closed - started).days,
        closed <= guideline_end,
        closed <= (ends_on or guideline_end),
    )


def _lengths(filters: ReportFilters) -> Table:
    by_program: dict[int, _Lengths] = defaultdict(_Lengths)
    total = _Lengths()
    rows = Engagement.objects.filter(
        scope(filters, via=""),
        closed_on__gte=filters.start,
        closed_on__lte=filters.end,
    ).values_list(
        "program_id",
        "participant_id",
        "started_on",
        "closed_on",
        "program__duration_guideline_days",
        "guideline_ends_on",
    )
    for program_id, *row in rows.order_by():
        closed = _closed(*row)
        by_program[program_id].add(*closed)
        total.add(*closed)
    programs = Program.objects.filter(pk__in=filters.program_ids).values_list(
        "pk", "name", "duration_guideline_days"
    )
    table_rows = [
        Row(name, by_program[pk].cells(days))
        for pk, name, days in sorted(programs, key=lambda item: item[1])
    ]
    table_rows.append(Row(_("Total"), total.cells(None), is_total=True))
    return Table(
        key="lengths",
        title=_("Length of engagement"),
        label_header=_("Program"),
        columns=[
            _("Engagements closed"),
            _("Median days"),
            _("Guideline (days)"),
            _("Within the guideline (%)"),
            _("Within the guideline as extended (%)"),
        ],
        rows=table_rows,
        chart=Chart("bars", column=1, unit=" d"),
        note=_(
            "Engagements closed in the period, from the day they started (the match) to "
            "the day they closed. Within the guideline: closed by the program's duration "
            "guideline counted from the start; as extended: by the guideline's end after "
            "any extension. Programs without a guideline are left out of both shares."
        ),
    )


@register(
    "endings",
    gettext_lazy("Endings"),
    gettext_lazy(
        "Exits by reason and kind, and how long engagements lasted against the "
        "program's duration guideline."
    ),
)
def build(filters: ReportFilters) -> list[Table]:
    return [_exits(filters), _lengths(filters)]
