"""Service volume: meetings held, their hours and service units, and logged contacts, by
month, mode and program. One query over meetings (grouped down to each person, so the
people behind every cell are counted exactly) and one over contacts."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alongside.contacts.models import Contact
from alongside.meetings.models import Meeting, MeetingStatus, Mode
from alongside.organizations.models import Program
from alongside.reports.definitions.common import in_period, month_key, month_label, months, scope
from alongside.reports.filters import ReportFilters
from alongside.reports.registry import register
from alongside.reports.result import Cell, Chart, Row, Table


class _Tally:
    """Meetings, minutes, units and the people behind them, for one row of a table."""

    def __init__(self) -> None:
        self.meetings = 0
        self.minutes = 0
        self.units = 0
        self.contacts = 0
        self.people: set[int] = set()
        self.contact_people: set[int] = set()

    def cells(self, with_contacts: bool) -> list[Cell]:
        n = len(self.people)
        cells = [
            Cell(self.meetings, people=n),
            Cell(round(self.minutes / 60, 1), people=n),
            Cell(self.units, people=n),
            Cell(n, people=n),
        ]
        if with_contacts:
            cells.append(Cell(self.contacts, people=len(self.contact_people)))
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
    by_month: dict = defaultdict(_Tally)
    by_mode: dict = defaultdict(_Tally)
    by_program: dict = defaultdict(_Tally)
    total = _Tally()
    rows = (
        Meeting.objects.filter(
            scope(filters), in_period(filters, "starts_at"), status=MeetingStatus.HELD
        )
        .annotate(month=TruncMonth("starts_at"))
        .values_list("month", "mode", "engagement__program_id", "engagement__participant_id")
        .annotate(n=Count("id"), minutes=Sum("duration_minutes"), units=Sum("service_units"))
        .order_by()
    )
    for month, mode, program_id, person, n, minutes, units in rows:
        for tally in (
            by_month[month_key(month)],
            by_mode[mode],
            by_program[program_id],
            total,
        ):
            tally.meetings += n
            tally.minutes += minutes or 0
            tally.units += units or 0
            tally.people.add(person)
    contacts = (
        Contact.objects.filter(scope(filters), in_period(filters, "occurred_at"))
        .annotate(month=TruncMonth("occurred_at"))
        .values_list("month", "engagement__participant_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for month, person, n in contacts:
        for tally in (by_month[month_key(month)], total):
            tally.contacts += n
            tally.contact_people.add(person)
    programs = dict(Program.objects.filter(pk__in=filters.program_ids).values_list("pk", "name"))
    return [
        _table(
            "by_month",
            _("By month"),
            _("Month"),
            [(month_label(m), by_month.get(m, _Tally())) for m in months(filters)],
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
