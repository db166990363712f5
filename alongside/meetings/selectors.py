"""Scoped reads of meetings: one meeting, a supporter's week or day, whom one may look at."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.http import Http404
from django.utils import timezone

from alongside.accounts.models import Role, User
from alongside.core.permissions import engagements_visible_to, get_or_404, roles_of, scoped
from alongside.meetings.models import Meeting


def meeting_get_for(user, organization, pk) -> Meeting:
    """One meeting of an engagement the user may see; otherwise 404."""
    return get_or_404(
        scoped(
            Meeting.objects.select_related(
                "engagement__participant",
                "engagement__program",
                "engagement__supporter",
                "engagement__organization",
            ),
            user,
            organization,
            via="engagement",
        ),
        pk=pk,
    )


def supporters_visible_to(user, organization) -> list[User]:
    """Supporters of engagements the user may see (a supporter: only themself)."""
    ids = engagements_visible_to(user, organization).values("supporter_id")
    return list(User.objects.filter(pk__in=ids).order_by("first_name", "last_name", "pk"))


def supporter_for_calendar(user, organization, wanted: str | None) -> tuple[User | None, list]:
    """Whose meetings to show: ``wanted`` (a user id) if visible, else oneself if a supporter.

    Answers (supporter or None, the supporters one may choose from); an unknown or
    out-of-scope id is a 404, never a hint that the person exists.
    """
    choices = supporters_visible_to(user, organization)
    if Role.SUPPORTER in roles_of(user, organization) and user not in choices:
        choices = [user, *choices]
    if wanted:
        try:
            wanted_id = int(wanted)
        except ValueError:
            raise Http404 from None
        for person in choices:
            if person.pk == wanted_id:
                return person, choices
        raise Http404
    if Role.SUPPORTER in roles_of(user, organization):
        return user, choices
    return None, choices


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass
class Day:
    date: datetime.date
    is_today: bool
    meetings: list[Meeting] = field(default_factory=list)


def meetings_by_day(user, organization, supporter, first: datetime.date, days: int) -> list[Day]:
    """The supporter's meetings (of engagements the user may see), one entry per local day."""
    today = timezone.localdate()
    listed = [
        Day(first + datetime.timedelta(days=n), first + datetime.timedelta(days=n) == today)
        for n in range(days)
    ]
    if supporter is None:
        return listed
    meetings = (
        scoped(Meeting.objects.all(), user, organization, via="engagement")
        .filter(
            engagement__supporter=supporter,
            starts_at__gte=_local_midnight(first),
            starts_at__lt=_local_midnight(first + datetime.timedelta(days=days)),
        )
        .select_related("engagement__participant")
        .order_by("starts_at", "pk")
    )
    by_date = {day.date: day for day in listed}
    for meeting in meetings:
        meeting.ends_at = meeting.starts_at + datetime.timedelta(minutes=meeting.duration_minutes)
        day = by_date.get(timezone.localtime(meeting.starts_at).date())
        if day is not None:
            day.meetings.append(meeting)
    return listed


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of ``day``'s week."""
    return day - datetime.timedelta(days=day.weekday())


# Dates the calendar pages move between (well clear of the ends of the calendar).
EARLIEST, LATEST = datetime.date(1900, 1, 8), datetime.date(2999, 12, 24)


def parse_day(value: str | None) -> datetime.date | None:
    """A YYYY-MM-DD date from the query string; today when missing; None when unreadable."""
    if not value:
        return timezone.localdate()
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        return None
    return day if EARLIEST <= day <= LATEST else None
