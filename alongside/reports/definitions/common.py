"""What the report definitions share: the period as instants, months, medians, cells."""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from alongside.reports.filters import ReportFilters
from alongside.reports.result import Cell


def bounds(filters: ReportFilters) -> tuple[datetime.datetime, datetime.datetime]:
    """The period as [start, end) instants in the organization's time zone."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(filters.start, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(
        filters.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    return start, end


def in_period(filters: ReportFilters, field: str) -> Q:
    start, end = bounds(filters)
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def scope(filters: ReportFilters, via: str = "engagement") -> Q:
    """The filters' engagements, seen from a model that points at one through ``via``."""
    prefix = f"{via}__" if via else ""
    q = Q(**{f"{prefix}organization_id": filters.organization_id}) & Q(
        **{f"{prefix}program_id__in": filters.program_ids}
    )
    if filters.supporter_id:
        q &= Q(**{f"{prefix}supporter_id": filters.supporter_id})
    if filters.site_id:
        q &= Q(**{f"{prefix}site_id": filters.site_id})
    return q


def months(filters: ReportFilters) -> list[datetime.date]:
    """The first day of each month the period touches."""
    first = filters.start.replace(day=1)
    found = []
    while first <= filters.end:
        found.append(first)
        first = (first + datetime.timedelta(days=32)).replace(day=1)
    return found


def month_key(value) -> datetime.date:
    """TruncMonth answers a datetime (aware or not by backend); reports key on the date."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date().replace(day=1)
    return value.replace(day=1)


def month_label(first: datetime.date) -> str:
    return date_format(first, "M Y")


def count(people: Iterable) -> Cell:
    """How many distinct people: the figure and its people are the same."""
    n = len(set(people))
    return Cell(n, people=n)


def median_days(days: list[float]) -> Cell:
    """The median of whole days, about the people it was measured on."""
    value = round(float(statistics.median(days)), 1) if days else None
    return Cell(value, people=len(days))


def share(part: int, whole: int, people: int) -> Cell:
    value = round(100 * part / whole, 1) if whole else None
    return Cell(value, people=people)
