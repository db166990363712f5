"""Concerns: how many were raised in the period, by category and by urgency, how many were
acknowledged and resolved, and how long that took. One query of dates and keys only: the
description, who raised it and whom it is about never leave the database."""

from __future__ import annotations

import statistics
from collections import defaultdict

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alongside.concerns.models import Category, Concern, ConcernUrgency
from alongside.reports.definitions.common import in_period, scope
from alongside.reports.filters import ReportFilters
from alongside.reports.registry import register
from alongside.reports.result import Cell, Chart, Row, Table


def includes_general(filters: ReportFilters) -> bool:
    """Concerns not about an engagement (raised on the public page, or about the service in
    general) belong to no program: they count only when nothing narrows the report."""
    return not (filters.single_program or filters.supporter_id or filters.site_id)


class _Tally:
    """Concerns of one row and, for small-cell suppression, who they are about: the
    participant of a concern about an engagement; any other concern counts as one person
    of its own (so several concerns about one participant count once, never more)."""

    def __init__(self) -> None:
        self.raised: set = set()
        self.acknowledged: set = set()
        self.resolved: set = set()
        self.n = {"raised": 0, "acknowledged": 0, "resolved": 0}
        self.hours: list[float] = []
        self.days: list[float] = []

    def add(self, who, created, acknowledged, resolved) -> None:
        self.n["raised"] += 1
        self.raised.add(who)
        if acknowledged is not None:
            self.n["acknowledged"] += 1
            self.acknowledged.add(who)
            self.hours.append(max((acknowledged - created).total_seconds(), 0) / 3600)
        if resolved is not None:
            self.n["resolved"] += 1
            self.resolved.add(who)
            self.days.append(max((resolved - created).total_seconds(), 0) / 86400)

    def cells(self) -> list[Cell]:
        def median(values: list[float], people: set) -> Cell:
            value = round(statistics.median(values), 1) if values else None
            return Cell(value, people=len(people))

        return [
            Cell(self.n["raised"], people=len(self.raised)),
            Cell(self.n["acknowledged"], people=len(self.acknowledged)),
            Cell(self.n["resolved"], people=len(self.resolved)),
            median(self.hours, self.acknowledged),
            median(self.days, self.resolved),
        ]


def _table(key, title, label_header, rows, total, note) -> Table:
    return Table(
        key=key,
        title=title,
        label_header=label_header,
        columns=[
            _("Raised"),
            _("Acknowledged"),
            _("Resolved"),
            _("Median hours to acknowledge"),
            _("Median days to resolve"),
        ],
        rows=[Row(label, tally.cells()) for label, tally in rows]
        + [Row(_("Total"), total.cells(), is_total=True)],
        note=note,
        chart=Chart("bars", column=0),
    )


@register(
    "concerns",
    gettext_lazy("Concerns"),
    gettext_lazy("Concerns raised, by category and urgency; time to acknowledge and resolve."),
)
def build(filters: ReportFilters) -> list[Table]:
    about = scope(filters)
    if includes_general(filters):
        about |= Q(engagement__isnull=True)
    rows = (
        Concern.objects.filter(
            about, in_period(filters, "created_at"), organization_id=filters.organization_id
        )
        .values_list(
            "pk",
            "engagement__participant_id",
            "category",
            "urgency",
            "created_at",
            "acknowledged_at",
            "resolved_at",
        )
        .order_by()
    )
    by_category: dict = defaultdict(_Tally)
    by_urgency: dict = defaultdict(_Tally)
    total = _Tally()
    for pk, person, category, urgency, created, acknowledged, resolved in rows:
        who = ("participant", person) if person is not None else ("concern", pk)
        for tally in (by_category[category], by_urgency[urgency], total):
            tally.add(who, created, acknowledged, resolved)
    note = _(
        "Concerns raised in the period, acknowledged and resolved by today; times from "
        "when each was raised. Medians in the total row are of all concerns, not sums."
    )
    if includes_general(filters):
        note += " " + _(
            "Includes concerns not about a particular engagement (such as those raised on "
            "the public page); they are left out when one program, supporter or site is "
            "chosen."
        )
    else:
        note += " " + _(
            "Only concerns about an engagement in the chosen program, supporter or site."
        )
    return [
        _table(
            "by_category",
            _("By category"),
            _("Category"),
            [(label, by_category.get(value, _Tally())) for value, label in Category.choices],
            total,
            note,
        ),
        _table(
            "by_urgency",
            _("By urgency"),
            _("Urgency"),
            [(label, by_urgency.get(value, _Tally())) for value, label in ConcernUrgency.choices],
            total,
            note,
        ),
    ]
