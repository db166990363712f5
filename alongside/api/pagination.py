"""Lists answer ``{"items": [...], "count": N}`` and record which participants they showed."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Model, QuerySet
from django.http import HttpRequest

from alongside.api.schemas import PageParams
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
