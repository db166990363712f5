"""Support for supporters: what a peer supporter's dashboard panel shows, for them and for
their supervisor.

Caseload against capacity, meetings this week, overdue notes and call-backs, and
boundary signals. Over-involvement is the field's known risk; the signals are prompts
for reflection in supervision, never discipline, so they count and name, and judge
nothing. Every read goes through the viewer's scope (``alongside.core.permissions``),
and the panel takes the same number of queries whatever the caseload.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, QuerySet
from django.utils import timezone

from alongside.contacts.models import Contact
from alongside.contacts.selectors import callback_summary
from alongside.core.permissions import scoped
from alongside.engagements.models import Engagement
from alongside.engagements.services import OPEN_STATES
from alongside.meetings.models import Meeting, MeetingStatus
from alongside.meetings.notes import notes_overdue

OUTSIDE_HOURS_DAYS = 14
"""Contacts and meetings outside the agreed days and hours are counted over 14 days:
one late call is life; several in two weeks is a pattern worth talking over."""

LONG_MEETING_RATIO = (3, 2)
LONG_MEETING_EXTRA_MINUTES = 30
LONG_MEETING_DAYS = 30
"""A held meeting "ran far past" its planned length when it lasted more than 1.5 times
the plan *and* more than 30 minutes over: the ratio alone would flag a 20-minute check-in
that became 35, the minutes alone would flag every long afternoon planned as such.
Looked at over 30 days, since long meetings are rarer than contacts."""

MANY_CONTACTS = 8
MANY_CONTACTS_DAYS = 7
"""Eight or more contacts (logged contacts and held meetings) with one participant in
seven days: more than one a day on average, beyond what most team plans agree, and an
early sign of over-involvement (or of a crisis the team should plan for together)."""

SHOWN = 5  # items listed under each heading; the counts are complete
NEXT_MEETINGS_SHOWN = 3


@dataclass
class Signal:
    """One prompt for reflection: what kind, with whom, how many times."""

    kind: str  # "outside_hours", "long_meetings", "many_contacts"
    engagement: Engagement
    count: int
    days: int


def outside_agreed_hours(moment: datetime.datetime, worksheet) -> bool:
    """Whether ``moment`` falls outside the days and hours of the team plan worksheet.

    Empty days mean any day; a missing start or end means no limit on that side; an end
    before the start is read as overnight (from 18:00 until 08:00).
    """
    if worksheet is None:
        return False
    local = timezone.localtime(moment)
    if worksheet.contact_days and local.weekday() not in worksheet.contact_days:
        return True
    start, end, now = worksheet.contact_from, worksheet.contact_until, local.time()
    if start and end and end < start:
        return end < now < start
    return bool((start and now < start) or (end and now > end))


def _caseload(profile, organization) -> dict:
    """Open engagements and their tier-weighted load, in one query.

    The same sum as ``alongside.matching.services.tier_weighted_loads`` (an engagement not
    assessed yet counts as Tier 1; loads in tenths, so the arithmetic is exact), read for
    this one supporter instead of the whole organization.
    """
    tenths = [
        int(Decimal(str(load)) * 10)
        for load in (profile.tier1_load, profile.tier2_load, profile.tier3_load)
    ]
    rows = (
        Engagement.objects.filter(
            organization=organization, supporter_id=profile.user_id, state__in=OPEN_STATES
        )
        .order_by()
        .values("tier")
        .annotate(n=Count("pk"))
        .values_list("tier", "n")
    )
    people = load_tenths = 0
    for tier, n in rows:
        people += n
        load_tenths += tenths[tier - 1 if tier in (1, 2, 3) else 0] * n
    load = load_tenths / 10
    return {
        "load": load,
        "capacity": profile.capacity,
        "people": people,
        "over": load > profile.capacity,
        "room": max(round(profile.capacity - load, 1), 0),
    }


def _week(now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """Monday 00:00 to the next Monday 00:00, local time."""
    today = timezone.localtime(now).date()
    monday = today - datetime.timedelta(days=today.weekday())
    start = timezone.make_aware(datetime.datetime.combine(monday, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(monday + datetime.timedelta(days=7), datetime.time.min)
    )
    return start, end


def _signals(meetings: QuerySet, contacts: QuerySet, now: datetime.datetime) -> list[Signal]:
    """The boundary signals of one supporter's caseload (four queries)."""
    since = now - datetime.timedelta(days=OUTSIDE_HOURS_DAYS)
    recent = now - datetime.timedelta(days=MANY_CONTACTS_DAYS)
    moments = [
        *contacts.filter(occurred_at__gte=since, occurred_at__lte=now).values_list(
            "engagement_id", "occurred_at"
        ),
        *meetings.filter(
            status=MeetingStatus.HELD, starts_at__gte=since, starts_at__lte=now
        ).values_list("engagement_id", "starts_at"),
    ]
    num, den = LONG_MEETING_RATIO
    long_meetings = dict(
        meetings.filter(
            status=MeetingStatus.HELD,
            starts_at__gte=now - datetime.timedelta(days=LONG_MEETING_DAYS),
            planned_minutes__isnull=False,
            duration_minutes__gt=F("planned_minutes") + LONG_MEETING_EXTRA_MINUTES,
        )
        .annotate(times_plan=F("duration_minutes") * den - F("planned_minutes") * num)
        .filter(times_plan__gt=0)
        .order_by()
        .values("engagement_id")
        .annotate(n=Count("pk"))
        .values_list("engagement_id", "n")
    )
    ids = {engagement_id for engagement_id, _ in moments} | set(long_meetings)
    if not ids:
        return []
    engagements = {
        e.pk: e
        for e in Engagement.objects.filter(pk__in=ids).select_related("participant", "team_plan")
    }
    outside: dict[int, int] = {}
    many: dict[int, int] = {}
    for engagement_id, moment in moments:
        worksheet = getattr(engagements[engagement_id], "team_plan", None)
        if outside_agreed_hours(moment, worksheet):
            outside[engagement_id] = outside.get(engagement_id, 0) + 1
        if moment >= recent:
            many[engagement_id] = many.get(engagement_id, 0) + 1
    signals = [
        Signal("outside_hours", engagements[pk], n, OUTSIDE_HOURS_DAYS)
        for pk, n in outside.items()
    ]
    signals += [
        Signal("long_meetings", engagements[pk], n, LONG_MEETING_DAYS)
        for pk, n in long_meetings.items()
    ]
    signals += [
        Signal("many_contacts", engagements[pk], n, MANY_CONTACTS_DAYS)
        for pk, n in many.items()
        if n >= MANY_CONTACTS
    ]
    order = {"outside_hours": 0, "long_meetings": 1, "many_contacts": 2}
    signals.sort(key=lambda s: (order[s.kind], -s.count, str(s.engagement.participant)))
    return signals


def supporter_panel(
    *, viewer, profile, organization, now: datetime.datetime | None = None
) -> dict:
    """Everything the panel shows of the supporter of ``profile``, as ``viewer`` may see it.

    ``viewer`` is the supporter or their supervisor (the caller checks which); every
    record is read through the viewer's scope, limited to this supporter's caseload.
    """
    now = now or timezone.now()
    supporter_id = profile.user_id
    meetings = scoped(Meeting.objects.all(), viewer, organization, via="engagement").filter(
        engagement__supporter_id=supporter_id
    )
    contacts = scoped(Contact.objects.all(), viewer, organization, via="engagement").filter(
        engagement__supporter_id=supporter_id
    )
    week_start, week_end = _week(now)
    this_week = meetings.filter(
        starts_at__gte=week_start,
        starts_at__lt=week_end,
        status__in=[MeetingStatus.PLANNED, MeetingStatus.HELD],
    )
    upcoming = (
        meetings.filter(status=MeetingStatus.PLANNED, starts_at__gte=now)
        .exclude(engagement__state="closed")
        .select_related("engagement__participant")
        .order_by("starts_at", "pk")
    )
    overdue_notes = notes_overdue(viewer, organization, now=now).filter(
        engagement__supporter_id=supporter_id
    )
    panel = {
        "supporter": profile.user,
        "caseload": _caseload(profile, organization),
        "week_count": this_week.count(),
        "next_meetings": list(upcoming[:NEXT_MEETINGS_SHOWN]),
        "overdue_notes": list(overdue_notes[:SHOWN]),
        "overdue_notes_count": overdue_notes.count(),
        "callbacks": callback_summary(
            contacts.filter(engagement__state__in=OPEN_STATES), now=now, limit=SHOWN
        ),
        "signals": _signals(meetings, contacts, now),
    }
    return panel


def participants_shown(panel: dict) -> set[int]:
    """Participant ids the panel names, for the access log."""
    ids = {m.engagement.participant_id for m in panel["next_meetings"]}
    ids |= {m.engagement.participant_id for m in panel["overdue_notes"]}
    ids |= {c.engagement.participant_id for c in panel["callbacks"]["overdue_items"]}
    ids |= {s.engagement.participant_id for s in panel["signals"]}
    return ids
