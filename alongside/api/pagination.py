"""Lists answer ``{"items": [...], "count": N}`` and record which participants they showed."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db.models import DateTimeField, Model, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from alongside.api.schemas import DatedParams, PageParams
from alongside.audit.services import read_record


def page(
    request: HttpRequest,
    queryset: QuerySet,
    params: PageParams,
    *,
    what: str,
    participant_of: Callable[[Model], int],
) -> dict:
    """One page of ``queryset`` (two queries, whatever its size), logged as read."""
    count = queryset.count()
    items = list(queryset[params.offset : params.offset + params.limit])
    if items:
        read_record(request, what, [participant_of(item) for item in items])
    return {"items": items, "count": count}


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def within_days(queryset: QuerySet, field: str, params: DatedParams) -> QuerySet:
    """Keep the rows whose ``field`` falls on the local days ``since``..``until``.

    A date field is compared as is; a moment from the start of ``since`` to the end of
    ``until`` in the organization's time zone (a range, so an index still serves it).
    """
    moment = isinstance(queryset.model._meta.get_field(field), DateTimeField)
    if params.since is not None:
        start = _midnight(params.since) if moment else params.since
        queryset = queryset.filter(**{f"{field}__gte": start})
    if params.until is not None:
        if moment:
            end = _midnight(params.until + datetime.timedelta(days=1))
            queryset = queryset.filter(**{f"{field}__lt": end})
        else:
            queryset = queryset.filter(**{f"{field}__lte": params.until})
    return queryset
