"""Caseloads: each peer supporter's open engagements at the end of the period against
their tier-weighted capacity, and the waitlist then. Staff workload is the one thing a
report may show by person (the supporter), never by participant.

The tier-weighted load follows matching (alongside/matching/services.py): the sum, over
the supporter's open engagements, of the supporter's load for that engagement's tier,
an engagement not assessed yet counting as Tier 1. Here the tier is the one of the latest
assessment on or before the end of the period, and the supporter the one assigned then
(the current one where no assignment is recorded), so a past period reads as it was.
Queries: engagements (one, with two subqueries), profiles, names of supporters without a
profile (only if any), referrals, programs.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alongside.accounts.models import PeerSupporterProfile, User
from alongside.assessments.models import Assessment
from alongside.engagements.models import Engagement, State, SupporterAssignment
from alongside.organizations.models import Program
from alongside.referrals.models import OPEN_STATUSES, Referral, Status
from alongside.reports.definitions.common import bounds, count, median_days
from alongside.reports.filters import ReportFilters
from alongside.reports.registry import register
from alongside.reports.result import Cell, Chart, Row, Table

# A supporter without a profile has the profile's default loads (Tier 1, 2, 3).
DEFAULT_LOADS = (Decimal("1.5"), Decimal("1.0"), Decimal("0.5"))


def open_on(day: datetime.date, prefix: str = "") -> Q:
    """Engagements open on ``day``: started by then, not closed by then, and matched."""
    return (
        Q(**{f"{prefix}started_on__lte": day})
        & (Q(**{f"{prefix}closed_on__isnull": True}) | Q(**{f"{prefix}closed_on__gt": day}))
        & ~Q(**{f"{prefix}state": State.REFERRED})
    )


def _supporter_then(day: datetime.date) -> Coalesce:
    assigned = (
        SupporterAssignment.objects.filter(engagement_id=OuterRef("pk"), started_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
        .order_by("-started_on", "-id")
        .values("supporter_id")[:1]
    )
    return Coalesce(Subquery(assigned), F("supporter_id"), output_field=IntegerField())


def _tier_then(day: datetime.date) -> Subquery:
    return Subquery(
        Assessment.objects.filter(engagement_id=OuterRef("pk"), assessed_on__lte=day)
        .order_by("-assessed_on", "-id")
        .values("tier")[:1]
    )


def _name(first: str, last: str, username: str) -> str:
    return f"{first} {last}".strip() or username


class _Load:
    """One supporter's open engagements, the people in them and the tier-weighted load."""

    def __init__(self, label: str, loads=DEFAULT_LOADS, capacity: int | None = None) -> None:
        self.label = label
        self.loads = loads
        self.capacity = capacity
        self.engagements = 0
        self.people: set[int] = set()
        self.load = Decimal(0)

    def add(self, tier: int | None, person: int) -> None:
        self.engagements += 1
        self.people.add(person)
        self.load += self.loads[tier - 1 if tier in (1, 2, 3) else 0]

    def cells(self) -> list[Cell]:
        use = round(float(100 * self.load / self.capacity), 1) if self.capacity else None
        return [
            Cell(self.engagements, people=len(self.people)),
            Cell(float(self.load)),
            Cell(self.capacity),
            Cell(use),
        ]


def _caseloads(filters: ReportFilters) -> Table:
    end = filters.end
    engagements = Engagement.objects.filter(
        open_on(end),
        organization_id=filters.organization_id,
        program_id__in=filters.program_ids,
    )
    if filters.site_id:
        engagements = engagements.filter(site_id=filters.site_id)
    rows = list(
        engagements.annotate(who=_supporter_then(end), tier_then=_tier_then(end))
        .filter(who__isnull=False)
        .values_list("who", "tier_then", "participant_id")
        .order_by()
    )
    if filters.supporter_id:
        rows = [row for row in rows if row[0] == filters.supporter_id]
    busy = {who for who, _tier, _person in rows}

    serving = Q(programs__in=filters.program_ids)
    if filters.site_id:
        serving &= Q(site_id=filters.site_id)
    profiles = PeerSupporterProfile.objects.filter(
        serving | Q(user_id__in=busy), organization_id=filters.organization_id
    )
    if filters.supporter_id:
        profiles = profiles.filter(user_id=filters.supporter_id)
    supporters: dict[int, _Load] = {}
    for user_id, first, last, username, capacity, t1, t2, t3 in (
        profiles.values_list(
            "user_id",
            "user__first_name",
            "user__last_name",
            "user__username",
            "capacity",
            "tier1_load",
            "tier2_load",
            "tier3_load",
        )
        .order_by()
        .distinct()
    ):
        supporters[user_id] = _Load(_name(first, last, username), (t1, t2, t3), capacity)
    missing = busy - set(supporters)
    if missing:
        for user_id, first, last, username in User.objects.filter(pk__in=missing).values_list(
            "pk", "first_name", "last_name", "username"
        ):
            supporters[user_id] = _Load(_name(first, last, username))

    total = _Load(_("Total"))
    total.capacity = sum(s.capacity or 0 for s in supporters.values()) or None
    for who, tier, person in rows:
        supporters[who].add(tier, person)
        total.engagements += 1
        total.people.add(person)
    total.load = sum((s.load for s in supporters.values()), Decimal(0))
    ordered = sorted(supporters.values(), key=lambda s: s.label.casefold())
    return Table(
        key="caseloads",
        title=_("Caseload per peer supporter"),
        label_header=_("Peer supporter"),
        columns=[
            _("Open engagements"),
            _("Tier-weighted load"),
            _("Capacity"),
            _("Load as % of capacity"),
        ],
        rows=[Row(s.label, s.cells()) for s in ordered]
        + [Row(_("Total"), total.cells(), is_total=True)],
        chart=Chart("bars", column=3, unit=" %"),
        note=_(
            "As of %(end)s: engagements open on that day in the programs chosen, by the "
            "supporter assigned then. The load weighs each by the tier of its latest "
            "assessment on or before that day (not assessed yet: Tier 1) with the "
            "supporter's own loads per tier; capacity is the supporter's maximum caseload. "
            "A count of fewer than 11 people is hidden; the load, a workload figure, is shown."
        )
        % {"end": end.isoformat()},
    )


def _waitlist(filters: ReportFilters) -> Table:
    _start, end = bounds(filters)
    waiting = (
        Q(status__in=OPEN_STATUSES)
        | Q(status=Status.MATCHED, matched_at__gte=end)
        | Q(status=Status.DECLINED, screened_at__gte=end)
    )
    rows = Referral.objects.filter(
        waiting,
        organization_id=filters.organization_id,
        program_id__in=filters.program_ids,
        received_at__lt=end,
    ).values_list("program_id", "participant_id", "received_at")
    people: dict[int, list[int]] = defaultdict(list)
    days: dict[int, list[int]] = defaultdict(list)
    for program_id, person, received in rows.order_by():
        people[program_id].append(person)
        days[program_id].append((filters.end - timezone.localdate(received)).days)
    programs = Program.objects.filter(pk__in=filters.program_ids).values_list("pk", "name")

    def cells(who: list[int], waits: list[int]) -> list[Cell]:
        n = len(set(who))
        return [
            count(who),
            median_days(waits),
            Cell(max(waits) if waits else None, people=n),
        ]

    table_rows = [
        Row(name, cells(people[pk], days[pk]))
        for pk, name in sorted(programs, key=lambda item: item[1])
    ]
    all_people = [p for who in people.values() for p in who]
    all_days = [d for waits in days.values() for d in waits]
    # The median's people are those waiting (not the referrals it was measured on).
    total = cells(all_people, all_days)
    for row in table_rows:
        row.cells[1].people = row.cells[0].people
    total[1].people = total[0].people
    table_rows.append(Row(_("Total"), total, is_total=True))
    return Table(
        key="waitlist",
        title=_("Waitlist"),
        label_header=_("Program"),
        columns=[_("People waiting"), _("Median days waiting"), _("Longest wait (days)")],
        rows=table_rows,
        chart=Chart("bars", column=0),
        note=_(
            "Referrals waiting on %(end)s: received by then and neither matched nor "
            "declined by then, whoever was to support them (the supporter and site "
            "filters do not apply). Days are counted from the day received to %(end)s."
        )
        % {"end": filters.end.isoformat()},
    )


@register(
    "caseloads",
    gettext_lazy("Caseloads"),
    gettext_lazy(
        "Open engagements per peer supporter against tier-weighted capacity, and the "
        "waitlist's length and age, at the end of the period."
    ),
)
def build(filters: ReportFilters) -> list[Table]:
    return [_caseloads(filters), _waitlist(filters)]
