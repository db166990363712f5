"""Tiers over time and assessments done against those due, by quarter. Two queries: the
engagements of the filters open at some time in the period, and their assessments up to
its end; the rest is counted in Python, since a tier "at the end of a quarter" and a due
date that was met are questions about each engagement's sequence of assessments.

Due dates follow the engagement's own rule (engagements.services.due_dates): the first
assessment is due the program's interval after activation, each next one on the
assessment's re-assessment date (the interval after it where none was kept). A due date
counts in the quarter it falls in when the engagement was still open that day; it was
met on time when the next assessment was on or before it (an early one included).
"""

from __future__ import annotations

import bisect
import datetime
import functools
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alongside.assessments.models import Assessment, Tier
from alongside.core.dates import add_months
from alongside.engagements.models import Engagement, State
from alongside.reports.definitions.common import scope, share
from alongside.reports.filters import ReportFilters
from alongside.reports.registry import register
from alongside.reports.result import Cell, Chart, Row, Table

# Due dates repeat across engagements (the same day, the same interval): worked out once.
_months_after = functools.lru_cache(maxsize=8192)(add_months)


@dataclass(frozen=True)
class Quarter:
    label: str
    first: datetime.date  # inside the period: the quarter's first day or the period's
    last: datetime.date  # the quarter's last day or the period's end, if earlier


def quarters(filters: ReportFilters) -> list[Quarter]:
    """The quarters the period touches, each cut to the period."""
    found = []
    year, q = filters.start.year, (filters.start.month - 1) // 3
    while datetime.date(year, 3 * q + 1, 1) <= filters.end:
        first = datetime.date(year, 3 * q + 1, 1)
        after = datetime.date(year + 1, 1, 1) if q == 3 else datetime.date(year, 3 * q + 4, 1)
        last = after - datetime.timedelta(days=1)
        label = _("%(year)s Q%(quarter)s") % {"year": year, "quarter": q + 1}
        found.append(Quarter(label, max(first, filters.start), min(last, filters.end)))
        year, q = (year + 1, 0) if q == 3 else (year, q + 1)
    return found


@dataclass(slots=True)
class _Engagement:
    person: int
    started_on: datetime.date
    activated_on: datetime.date | None
    closed_on: datetime.date | None
    interval: int
    # (assessed_on, id, tier, reassess_on), in order once loaded
    assessments: list[tuple] = field(default_factory=list)

    def open_on(self, day: datetime.date) -> bool:
        return self.started_on <= day and (self.closed_on is None or self.closed_on > day)

    def tier_on(self, day: datetime.date) -> int | None:
        tier = None
        for assessed_on, _pk, this_tier, _next in self.assessments:
            if assessed_on > day:
                break
            tier = this_tier
        return tier

    def due_dates(self) -> list[tuple[datetime.date, datetime.date | None]]:
        """Each due date with the day of the assessment that answered it (None: none yet)."""
        dues = []
        if self.activated_on is not None:
            dues.append(_months_after(self.activated_on, self.interval))
        for assessed_on, _pk, _tier, reassess_on in self.assessments:
            dues.append(reassess_on or _months_after(assessed_on, self.interval))
        first = 0 if self.activated_on is not None else 1
        answers = [a[0] for a in self.assessments[first:]] + [None]
        return list(zip(dues, answers, strict=False))


def _during(filters: ReportFilters, prefix: str = "") -> Q:
    """Engagements open at some time in the period (and matched at all)."""
    return (
        Q(**{f"{prefix}started_on__lte": filters.end})
        & (
            Q(**{f"{prefix}closed_on__isnull": True})
            | Q(**{f"{prefix}closed_on__gte": filters.start})
        )
        & ~Q(**{f"{prefix}state": State.REFERRED})
    )


def _load(filters: ReportFilters) -> dict[int, _Engagement]:
    engagements = {
        pk: _Engagement(person, started, activated, closed, interval or 12)
        for pk, person, started, activated, closed, interval in Engagement.objects.filter(
            _during(filters), scope(filters, via="")
        )
        .values_list(
            "pk",
            "participant_id",
            "started_on",
            "activated_on",
            "closed_on",
            "program__assessment_interval_months",
        )
        .order_by()
    }
    assessments = Assessment.objects.filter(
        _during(filters, "engagement__"), scope(filters), assessed_on__lte=filters.end
    ).values_list("engagement_id", "assessed_on", "pk", "tier", "reassess_on")
    for engagement_id, *row in assessments.order_by():
        found = engagements.get(engagement_id)
        if found is not None:
            found.assessments.append(tuple(row))
    for found in engagements.values():
        found.assessments.sort(key=lambda a: (a[0], a[1]))
    return engagements


def _by_tier(engagements: dict[int, _Engagement], periods: list[Quarter]) -> Table:
    rows = []
    # Only an engagement assessed by the end of the period has a tier in any quarter.
    assessed = [e for e in engagements.values() if e.assessments]
    for quarter in periods:
        people: dict[int, set[int]] = defaultdict(set)
        n: dict[int, int] = defaultdict(int)
        for e in assessed:
            if not e.open_on(quarter.last):
                continue
            tier = e.tier_on(quarter.last)
            if tier is not None:
                n[tier] += 1
                people[tier].add(e.person)
        everyone = set().union(*people.values()) if people else set()
        cells = [Cell(n[tier], people=len(people[tier])) for tier in Tier.values]
        cells.append(Cell(sum(n.values()), people=len(everyone)))
        rows.append(Row(quarter.label, cells))
    return Table(
        key="tier_by_quarter",
        title=_("Tier by quarter"),
        label_header=_("Quarter"),
        columns=[_("Tier 1"), _("Tier 2"), _("Tier 3"), _("Total")],
        rows=rows,
        row_total=True,
        chart=Chart("stacked"),
        note=_(
            "Engagements open at the end of each quarter (or of the period, when it ends "
            "first), by the tier of their latest assessment on or before that day. "
            "Engagements not assessed yet by then are not counted."
        ),
    )


def _done_and_due(engagements: dict[int, _Engagement], periods: list[Quarter]) -> Table:
    today = timezone.localdate()
    firsts = [quarter.first for quarter in periods]

    def index(day: datetime.date) -> int | None:
        i = bisect.bisect_right(firsts, day) - 1
        return i if i >= 0 and day <= periods[i].last else None

    done: list[list[int]] = [[] for _q in periods]
    due: list[list[int]] = [[] for _q in periods]
    on_time = [0] * len(periods)
    for e in engagements.values():
        if e.activated_on is None and not e.assessments:
            continue  # nothing done, nothing due
        for assessed_on, _pk, _tier, _next in e.assessments:
            i = index(assessed_on)
            if i is not None:
                done[i].append(e.person)
        for day, answered in e.due_dates():
            i = index(day)
            if i is not None and day <= today and e.open_on(day):
                due[i].append(e.person)
                on_time[i] += answered is not None and answered <= day
    rows = [
        Row(
            quarter.label,
            [
                Cell(len(done[i]), people=len(set(done[i]))),
                Cell(len(due[i]), people=len(set(due[i]))),
                share(on_time[i], len(due[i]), len(set(due[i]))),
            ],
        )
        for i, quarter in enumerate(periods)
    ]
    return Table(
        key="assessments",
        title=_("Assessments done and due"),
        label_header=_("Quarter"),
        columns=[_("Assessments done"), _("Assessments due"), _("Done on time (%)")],
        rows=rows,
        chart=Chart("bars", column=2, unit=" %"),
        note=_(
            "Done: assessments dated in the quarter. Due: the first assessment falls due "
            "the program's interval after activation, each next one on the re-assessment "
            "date the last one set; a due date counts when the engagement was still open "
            "that day (and not after today). On time: the next assessment was on or before "
            "the due date. The first and last quarters are cut to the period."
        ),
    )


@register(
    "tiers",
    gettext_lazy("Tiers and assessments"),
    gettext_lazy(
        "How many people are in each tier at the end of each quarter, and assessments "
        "done against those due."
    ),
)
def build(filters: ReportFilters) -> list[Table]:
    engagements = _load(filters)
    periods = quarters(filters)
    return [_by_tier(engagements, periods), _done_and_due(engagements, periods)]
