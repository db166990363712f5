"""Service volume: meetings held, their hours and service units, and logged contacts, by
month, mode and program. One aggregate over meetings (by month, by mode, by program and in
all, each with its distinct people: ``rollup``, GROUPING SETS on PostgreSQL), one over
contacts (by month and in all) and one for the programs' names. Only the totals leave the
database, so the cost does not grow with the number of people met."""

from __future__ import annotations

from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alongside.contacts.models import Contact
from alongside.meetings.models import Meeting, MeetingStatus, Mode
from alongside.organizations.models import Program
from alongside.reports.definitions.common import (
    in_period,
    keyed,
    month_label,
    month_start,
    months,
    rollup,
    scope,
)
from alongside.reports.filters import ReportFilters
from alongside.reports.registry import register
from alongside.reports.result import Cell, Chart, Row, Table

_NONE = (0, 0, 0, 0)  # meetings, minutes, units, people


class _Tally:
    """Meetings, minutes, units and the people behind them, for one row of a table."""

    def __init__(self, meetings=(0, 0, 0, 0), contacts=(0, 0)) -> None:
        self.meetings, self.minutes, self.units, self.people = meetings
        self.contacts, self.contact_people = contacts

    def cells(self, with_contacts: bool) -> list[Cell]:
        n = self.people
        cells = [
            Cell(self.meetings, people=n),
            Cell(round(self.minutes / 60, 1), people=n),
            Cell(self.units, people=n),
            Cell(n, people=n),
        ]
        if with_contacts:
            cells.append(Cell(self.contacts, people=self.contact_people))
        return cells


def _table(key, title, label_header, rows, total, *, with_contacts=False) -> Table:
    columns = [_("Meetings held"), _("Hours"), _("Service units"), _("People")]
    if with_contacts:
        columns.append(_("Other contacts"))
    return Table(
        key=key,
        title=title,
        label_header=label_header,
        columns=columns,
        rows=[Row(label, tally.cells(with_contacts)) for label, tally in rows]
        + [Row(_("Total"), total.cells(with_contacts), is_total=True)],
        chart=Chart("bars", column=1, unit=" h"),
    )


@register(
    "volume",
    gettext_lazy("Service volume"),
    gettext_lazy(
        "Meetings held, hours and service units, and other contacts by month, mode and program."
    ),
)
def build(filters: ReportFilters) -> list[Table]:
    meetings = rollup(
        Meeting.objects.filter(
            scope(filters), in_period(filters, "starts_at"), status=MeetingStatus.HELD
        )
        .annotate(month=TruncMonth("starts_at"))
        .values_list(
            "month",
            "mode",
            "engagement__program_id",
            "engagement__participant_id",
            "duration_minutes",
            "service_units",
        ),
        keys=3,
        sums=2,
    )
    contacts = rollup(
        Contact.objects.filter(scope(filters), in_period(filters, "occurred_at"))
        .annotate(month=TruncMonth("occurred_at"))
        .values_list("month", "engagement__participant_id"),
        keys=1,
        sums=0,
    )
    meetings_by_month = keyed(meetings, 0, month_start)
    contacts_by_month = keyed(contacts, 0, month_start)
    by_month = {
        month: _Tally(meetings_by_month.get(month, _NONE), contacts_by_month.get(month, (0, 0)))
        for month in months(filters)
    }
    by_mode = {mode: _Tally(figures) for mode, figures in keyed(meetings, 1, str).items()}
    by_program = {pk: _Tally(figures) for pk, figures in keyed(meetings, 2, int).items()}
    total = _Tally(meetings.get((None, None), _NONE), contacts.get((None, None), (0, 0)))
    programs = dict(Program.objects.filter(pk__in=filters.program_ids).values_list("pk", "name"))
    return [
        _table(
            "by_month",
            _("By month"),
            _("Month"),
            [(month_label(m), tally) for m, tally in by_month.items()],
            total,
            with_contacts=True,
        ),
        _table(
            "by_mode",
            _("By mode"),
            _("Mode"),
            [(label, by_mode.get(mode, _Tally())) for mode, label in Mode.choices],
            total,
        ),
        _table(
            "by_program",
            _("By program"),
            _("Program"),
            [
                (name, by_program.get(pk, _Tally()))
                for pk, name in sorted(programs.items(), key=lambda item: item[1])
            ],
            total,
        ),
    ]
