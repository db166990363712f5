"""What the report definitions share: the period as instants, months, medians, cells."""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Iterable
from typing import Any

from django.db import connections
from django.db.models import FloatField, Func, Q, QuerySet
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


class DaysBetween(Func):
    """Days (with their fraction) from the instant ``earlier`` to the instant ``later``,
    worked out by the database: ``(later - earlier).total_seconds() / 86400`` without
    fetching (and parsing) either instant. NULL when either is."""

    output_field = FloatField()
    arity = 2

    def __init__(self, later, earlier, **extra) -> None:
        super().__init__(later, earlier, **extra)

    def as_sql(self, compiler, connection, **extra_context):
        # In double precision, as Python's total_seconds() is (EXTRACT answers numeric).
        template = "(CAST(EXTRACT(EPOCH FROM (%(expressions)s)) AS double precision) / 86400)"
        return super().as_sql(
            compiler, connection, template=template, arg_joiner=" - ", **extra_context
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        later, earlier = self.get_source_expressions()
        later_sql, later_params = compiler.compile(later)
        earlier_sql, earlier_params = compiler.compile(earlier)
        return (
            f"(julianday({later_sql}) - julianday({earlier_sql}))",
            [*later_params, *earlier_params],
        )


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


def month_start(value) -> datetime.date:
    """A month truncated by the database and read back raw: a datetime (PostgreSQL) or its
    text (SQLite). Answers its first day."""
    if isinstance(value, str):
        return datetime.date.fromisoformat(value[:10]).replace(day=1)
    return month_key(value)


def rollup(
    rows: QuerySet, keys: int, sums: int, people: int = 1
) -> dict[tuple[int | None, Any], tuple]:
    """Totals of ``rows`` per value of each of its first ``keys`` columns, and over all rows,
    computed by the database in one statement.

    ``rows`` is a ``values_list`` queryset of ``keys`` key columns, then ``people`` columns
    of people (participant ids; NULL where a row is not about anyone for that count), then
    ``sums`` numeric columns. The answer maps ``(i, value)`` (the i-th key having that
    value) and ``(None, None)`` (every row) to ``(rows, *sums, *distinct people)``; a sum
    over no value is 0. On PostgreSQL one ``GROUPING SETS`` aggregate; elsewhere the same
    groupings as a ``UNION ALL`` over the rows.
    """
    connection = connections[rows.db]
    sql, params = rows.order_by().query.sql_with_params()
    key_names = [f"k{i}" for i in range(keys)]
    person_names = [f"p{i}" for i in range(people)]
    sum_names = [f"s{i}" for i in range(sums)]
    columns = ", ".join([*key_names, *person_names, *sum_names])
    measures = ", ".join(
        [
            "COUNT(*)",
            *(f"SUM({name})" for name in sum_names),
            *(f"COUNT(DISTINCT {name})" for name in person_names),
        ]
    )
    if connection.vendor == "postgresql":
        statement = (
            f"WITH m({columns}) AS ({sql}) "
            f"SELECT GROUPING({', '.join(key_names)}), {', '.join(key_names)}, {measures} "
            f"FROM m GROUP BY GROUPING SETS ({', '.join(f'({k})' for k in key_names)}, ())"
        )
    else:
        # GROUPING()'s bits: 1 for each key left out of the group, the first key highest.
        parts = []
        for i, key in enumerate(key_names):
            bits = (2**keys - 1) ^ (1 << (keys - 1 - i))
            cells = ", ".join(k if k == key else "NULL" for k in key_names)
            parts.append(f"SELECT {bits}, {cells}, {measures} FROM m GROUP BY {key}")
        nulls = ", ".join("NULL" for _k in key_names)
        parts.append(f"SELECT {2**keys - 1}, {nulls}, {measures} FROM m")
        statement = f"WITH m({columns}) AS ({sql}) " + " UNION ALL ".join(parts)
    found: dict[tuple[int | None, Any], tuple] = {}
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        for bits, *values in cursor.fetchall():
            figures = tuple(v or 0 for v in values[keys:])
            if bits == 2**keys - 1:
                found[None, None] = figures
            else:
                i = next(i for i in range(keys) if not bits & (1 << (keys - 1 - i)))
                found[i, values[i]] = figures
    return found


def keyed(found: dict, i: int, convert) -> dict[Any, tuple]:
    """The totals of ``rollup`` for its i-th key, by ``convert(value)``."""
    return {convert(value): figures for (k, value), figures in found.items() if k == i}
