"""Scoped reads of responses, and the instruments offered."""

from __future__ import annotations

from django.db.models import QuerySet

from alongside.core.permissions import scoped
from alongside.surveys.models import Instrument, InstrumentVersion, Response


def responses_visible_to(user, organization) -> QuerySet[Response]:
    """Responses of the engagements this user may see, with what a list shows (one query)."""
    queryset = Response.objects.select_related(
        "engagement", "instrument_version__instrument"
    ).order_by("started_at", "pk")
    return scoped(queryset, user, organization, via="engagement")


def instruments_in_use() -> QuerySet[Instrument]:
    """Instruments offered for new responses, each with its current version."""
    return (
        Instrument.objects.filter(in_use=True, current__isnull=False, current__retired=False)
        .select_related("current")
        .order_by("slug")
    )


def current_version(slug: str) -> InstrumentVersion | None:
    """The version new responses to this instrument use; None if it is not offered."""
    instrument = instruments_in_use().filter(slug=slug).first()
    return instrument.current if instrument else None


def engagement_scores(engagement) -> QuerySet[Response]:
    """Completed, scored responses of an engagement, oldest first: what trends chart."""
    return (
        Response.objects.filter(engagement=engagement, status="complete", score__isnull=False)
        .select_related("instrument_version__instrument")
        .order_by("completed_at", "pk")
    )
