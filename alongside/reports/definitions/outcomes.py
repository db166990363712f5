"""Outcomes: how survey scores changed from each engagement's first response to its latest,
by program and by tier; goals set and achieved; movement between stages of change.

Three queries over the records (scored responses, goals with when each was first marked
achieved, stages of change) and one over the few instruments answered; everything else is
paired and counted in Python, down to the participant, so every cell knows its people.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import DateTimeField, F, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from alongside.assessments.models import Tier
from alongside.organizations.models import Program
from alongside.plans.models import Goal, GoalStage, GoalStatus, Stage
from alongside.reports.definitions.common import bounds, in_period, rollup, scope, share
from alongside.reports.filters import ReportFilters
from alongside.reports.registry import register
from alongside.reports.result import Cell, Chart, Row, Table
from alongside.surveys.definitions import localized
from alongside.surveys.models import Instrument, Response, ResponseStatus

STAGE_ORDER = {value: index for index, value in enumerate(Stage.values)}
NO_TIER = 0  # the key of engagements not assessed yet


@dataclass
class _Pairs:
    """First and latest scores of the engagements in one row, and whose they are."""

    firsts: list[float] = field(default_factory=list)
    latests: list[float] = field(default_factory=list)
    people: set[int] = field(default_factory=set)

    def add(self, person: int, first: float, latest: float) -> None:
        self.firsts.append(first)
        self.latests.append(latest)
        self.people.add(person)

    def cells(self, digits: int) -> list[Cell]:
        n, people = len(self.firsts), len(self.people)
        if not n:
            return [Cell(0, people=0)] + [Cell(None, people=0) for _unused in range(4)]
        first = sum(self.firsts) / n
        latest = sum(self.latests) / n
        improved = sum(b > a for a, b in zip(self.firsts, self.latests, strict=True))
        return [
            Cell(n, people=people),
            Cell(round(first, digits), people=people),
            Cell(round(latest, digits), people=people),
            Cell(round(latest - first, digits), people=people),
            share(improved, n, people),
        ]


def _score_pairs(filters: ReportFilters) -> list[tuple]:
    """(instrument, program, tier, person, first, latest) for each engagement whose latest
    scored response up to the period's end was completed in it, and which had an earlier
    one (at any time during that engagement)."""
    start, end = bounds(filters)
    scored = Q(status=ResponseStatus.COMPLETE, score__isnull=False)
    recent = Response.objects.filter(scope(filters), scored, in_period(filters, "completed_at"))
    rows = (
        Response.objects.filter(
            scope(filters),
            scored,
            completed_at__lt=end,
            engagement_id__in=recent.values("engagement_id"),
        )
        .order_by("engagement_id", "instrument_version__instrument_id", "completed_at", "pk")
        .values_list(
            "engagement_id",
            "instrument_version__instrument_id",
            "engagement__program_id",
            "engagement__tier",
            "engagement__participant_id",
            "completed_at",
            "score",
        )
    )
    pairs = []
    for (_engagement, instrument), group in groupby(rows, key=lambda row: row[:2]):
        responses = list(group)
        first, latest = responses[0], responses[-1]
        if len(responses) > 1 and latest[5] >= start:
            _e, _i, program, tier, person, _at, _score = latest
            pairs.append((instrument, program, tier or NO_TIER, person, first[6], latest[6]))
    return pairs


def _instruments(ids) -> list[tuple[int, str, str, int]]:
    """(id, slug, title, decimals) of the instruments answered, by title: two decimals for a
    short scale (a mean of 1 to 5), one for a long one (0 to 100)."""
    language = (get_language() or "en").split("-")[0]
    found = []
    for pk, slug, title, definition in Instrument.objects.filter(pk__in=ids).values_list(
        "pk", "slug", "title", "current__definition"
    ):
        definition = definition or {}
        low, high = definition.get("scoring", {}).get("range", (0, 100))
        found.append(
            (
                pk,
                slug,
                localized(definition.get("title"), language) or title,
                2 if high - low <= 10 else 1,
            )
        )
    return sorted(found, key=lambda item: item[2])


def _score_tables(filters: ReportFilters, programs: list[tuple[int, str]]) -> list[Table]:
    by_program: dict = defaultdict(_Pairs)
    by_tier: dict = defaultdict(_Pairs)
    totals: dict = defaultdict(_Pairs)
    for instrument, program, tier, person, first, latest in _score_pairs(filters):
        by_program[instrument, program].add(person, first, latest)
        by_tier[instrument, tier].add(person, first, latest)
        totals[instrument].add(person, first, latest)
    columns = [
        _("Pairs"),
        _("Mean first score"),
        _("Mean latest score"),
        _("Mean change"),
        # xgettext:no-python-format
        _("% improved"),
    ]
    note = _(
        "Each engagement whose latest score up to the end of the period was recorded in "
        "the period, paired with its first score (at any time in that engagement); at "
        "least two responses. Higher scores are better. Tier as currently recorded."
    )
    tiers = [(value, str(label)) for value, label in Tier.choices] + [(NO_TIER, _("No tier yet"))]
    tables = []
    for pk, slug, title, digits in _instruments(list(totals)):
        for key, header, heading, labels, rows in (
            (
                "program",
                _("Program"),
                _("%(instrument)s: first to latest, by program"),
                programs,
                by_program,
            ),
            ("tier", _("Tier"), _("%(instrument)s: first to latest, by tier"), tiers, by_tier),
        ):
            tables.append(
                Table(
                    key=f"scores_{slug}_{key}",
                    title=heading % {"instrument": title},
                    label_header=header,
                    columns=columns,
                    rows=[Row(label, rows[pk, value].cells(digits)) for value, label in labels]
                    + [Row(_("Total"), totals[pk].cells(digits), is_total=True)],
                    note=note,
                    # Bars of the share improved: a mean change can be negative.
                    chart=Chart("bars", column=4, unit="%"),
                )
            )
    if not tables:
        tables.append(
            Table(
                key="scores",
                title=_("Survey scores, first to latest"),
                label_header=_("Program"),
                columns=columns,
                rows=[Row(_("Total"), _Pairs().cells(1), is_total=True)],
                note=note,
            )
        )
    return tables


def _goals_table(filters: ReportFilters, programs: list[tuple[int, str]]) -> Table:
    start, end = bounds(filters)
    first_achieved = Subquery(
        Goal.history.filter(id=OuterRef("pk"), status=GoalStatus.ACHIEVED)
        .order_by()
        .values("id")
        .annotate(first=Min("history_date"))
        .values("first")[:1]
    )
    goals = Goal.objects.filter(scope(filters)).order_by()
    person = "engagement__participant_id"
    # Goals set in the period (kind 0) and goals first marked achieved in it (kind 1), each
    # keyed twice: by kind and program (2 * program + kind) and by kind alone. One
    # aggregate counts them and their people for every program and in all.
    set_in_period = (
        goals.filter(in_period(filters, "created_at"))
        .annotate(key=F("engagement__program_id") * 2, kind=Value(0))
        .values_list("key", "kind", person)
    )
    achieved = (
        goals.filter(
            # A goal first marked achieved in the period was last updated after its start.
            in_period(filters, "created_at")
            | Q(updated_at__gte=start - datetime.timedelta(days=1)),
            status=GoalStatus.ACHIEVED,
        )
        .annotate(achieved_at=Coalesce(first_achieved, "updated_at", output_field=DateTimeField()))
        .filter(achieved_at__gte=start, achieved_at__lt=end)
        .annotate(key=F("engagement__program_id") * 2 + 1, kind=Value(1))
        .values_list("key", "kind", person)
    )
    figures = rollup(set_in_period.union(achieved, all=True), keys=2, sums=0)

    def cells(set_key, achieved_key) -> list[Cell]:
        n_set, set_by = figures.get(set_key, (0, 0))
        n_achieved, achieved_by = figures.get(achieved_key, (0, 0))
        return [
            Cell(n_set, people=set_by),
            Cell(set_by, people=set_by),
            Cell(n_achieved, people=achieved_by),
            Cell(achieved_by, people=achieved_by),
        ]

    return Table(
        key="goals",
        title=_("Goals"),
        label_header=_("Program"),
        columns=[
            _("Goals set"),
            _("People with a goal set"),
            _("Goals achieved"),
            _("People with a goal achieved"),
        ],
        rows=[Row(name, cells((0, 2 * pk), (0, 2 * pk + 1))) for pk, name in programs]
        + [Row(_("Total"), cells((1, 0), (1, 1)), is_total=True)],
        note=_(
            "Goals set: created in the period. Goals achieved: achieved now and first marked "
            "achieved in the period, whenever they were set."
        ),
        chart=Chart("bars", column=2),
    )


def _stages_table(filters: ReportFilters) -> Table:
    _start, end = bounds(filters)
    via = scope(filters, via="goal__engagement")
    rows = (
        GoalStage.objects.filter(
            via,
            recorded_at__lt=end,
            # (the scope is the outer query's: no need to join the goals again in here)
            goal_id__in=GoalStage.objects.filter(in_period(filters, "recorded_at")).values(
                "goal_id"
            ),
        )
        .order_by("goal_id", "recorded_at", "pk")
        .values_list("goal_id", "goal__engagement__participant_id", "stage")
    )
    stages: dict[int, tuple[int, list[str]]] = {}
    for goal, person, stage in rows:
        stages.setdefault(goal, (person, []))[1].append(stage)
    kinds = {
        "forward": _("Moved forward"),
        "same": _("Same stage"),
        "back": _("Moved back"),
        "once": _("One stage recorded so far"),
    }
    goals = {kind: 0 for kind in kinds}
    people: dict[str, set[int]] = {kind: set() for kind in kinds}
    for person, recorded in stages.values():
        first, latest = STAGE_ORDER[recorded[0]], STAGE_ORDER[recorded[-1]]
        if len(recorded) == 1:
            kind = "once"
        else:
            kind = "forward" if latest > first else "back" if latest < first else "same"
        goals[kind] += 1
        people[kind].add(person)
    total = len(stages)
    everyone = {person for person, _recorded in stages.values()}

    def cells(n: int, who: set[int]) -> list[Cell]:
        return [
            Cell(n, people=len(who)),
            Cell(len(who), people=len(who)),
            share(n, total, len(who)),
        ]

    return Table(
        key="stages",
        title=_("Stage of change movement"),
        label_header=_("Between the first and the latest stage"),
        columns=[_("Goals"), _("People"), _("% of goals")],
        rows=[Row(label, cells(goals[kind], people[kind])) for kind, label in kinds.items()]
        + [Row(_("Total"), cells(total, everyone), is_total=True)],
        note=_(
            "Goals with a stage of change recorded in the period: the first stage ever "
            "recorded for the goal against the latest one up to the end of the period. "
            "Counted per goal; people are the participants whose goals they are. Moving "
            "back is part of change, not a failure."
        ),
        chart=Chart("bars", column=0),
    )


@register(
    "outcomes",
    gettext_lazy("Outcomes"),
    gettext_lazy(
        "Change in survey scores (such as BARC-10 and WHO-5) from first to latest response, "
        "by program and tier; goals set and achieved; stage of change movement."
    ),
)
def build(filters: ReportFilters) -> list[Table]:
    programs = list(
        Program.objects.filter(pk__in=filters.program_ids)
        .order_by("name")
        .values_list("pk", "name")
    )
    return [
        *_score_tables(filters, programs),
        _goals_table(filters, programs),
        _stages_table(filters),
    ]
