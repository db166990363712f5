"""Building report data in tests: many people at once, and meetings held."""

from __future__ import annotations

import datetime

from django.utils import timezone

from alongside.meetings.models import Meeting, MeetingStatus, Mode
from alongside.participants.models import Participant
from conftest import open_engagement


def engagements_of(n: int, program, supporter, *, prefix: str = "Person", **person) -> list:
    """``n`` new participants, each in an active engagement with ``supporter``."""
    found = []
    for i in range(n):
        participant = Participant.objects.create(
            organization=program.organization, first_name=f"{prefix}{i}", **person
        )
        found.append(open_engagement(participant, program, supporter))
    return found


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=timezone.get_current_timezone()
    )


def held(engagement, day: datetime.date, *, minutes=60, mode=Mode.PHONE, units=4, **extra):
    return Meeting.objects.create(
        engagement=engagement,
        starts_at=at(day),
        duration_minutes=minutes,
        mode=mode,
        status=extra.pop("status", MeetingStatus.HELD),
        service_units=units,
        created_by=engagement.supporter,
        **extra,
    )


def filters_of(world, start: datetime.date, end: datetime.date, **changes):
    """Both programs of the world's organization over [start, end], with ``changes``."""
    from alongside.reports.filters import ReportFilters

    values = {
        "organization_id": world.org.pk,
        "start": start,
        "end": end,
        "program_ids": (world.program.pk, world.respite.pk),
    }
    return ReportFilters(**{**values, **changes})


def table(report, key: str):
    return next(t for t in report.tables if t.key == key)


def row(table, label: str) -> list:
    """The figures of a row as shown (None where suppressed)."""
    return [c.shown for c in next(r for r in table.rows if r.label == label).cells]
