"""Scoped reads of responses, and the instruments offered."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from alongside.core.permissions import scoped
from alongside.surveys.charts import Point, trend_svg
from alongside.surveys.definitions import localized
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


def _band_label(definition: dict, key: str, language: str) -> str:
    band = next((b for b in definition.get("bands", []) if b["key"] == key), None)
    return localized(band["label"], language) if band else key


def trends(responses, *, language: str = "en", show_bands: bool = True) -> list[dict]:
    """One chart per instrument from completed, scored responses (already fetched, oldest
    first): its title, the SVG, and the rows of the data table beside it. The range and
    band lines come from the newest version answered."""
    by_slug: dict[str, dict] = {}
    for response in responses:
        if not response.is_complete or response.score is None:
            continue
        version = response.instrument_version
        definition = version.definition
        entry = by_slug.setdefault(
            version.instrument.slug, {"slug": version.instrument.slug, "points": []}
        )
        entry["definition"] = definition  # the newest answered wins: responses are in order
        entry["title"] = localized(definition["title"], language)
        band = _band_label(definition, response.band, language) if show_bands else ""
        entry["points"].append(
            Point(timezone.localdate(response.completed_at), response.score, band)
        )
    charts = []
    for entry in sorted(by_slug.values(), key=lambda e: e["title"]):
        definition = entry.pop("definition")
        low, high = definition["scoring"]["range"]
        boundaries = [b["min"] for b in definition.get("bands", [])[1:]] if show_bands else []
        title = _("%(title)s: scores over time") % {"title": entry["title"]}
        # Safe: charts.py escapes every text it puts in the markup.
        entry["svg"] = mark_safe(
            trend_svg(entry["points"], low=low, high=high, boundaries=boundaries, title=title)
        )
        entry["low"], entry["high"] = low, high
        charts.append(entry)
    return charts


def _responses_of(engagement) -> list[Response]:
    return list(
        Response.objects.filter(engagement=engagement)
        .select_related("instrument_version__instrument", "filled_by")
        .order_by("completed_at", "started_at", "pk")
    )


def engagement_section(engagement, language: str = "en") -> dict:
    """What the engagement page shows of surveys: a trend per instrument (with bands) and
    the drafts to finish. One query, whatever the number of responses."""
    responses = _responses_of(engagement)
    return {
        "trends": trends(responses, language=language),
        "drafts": [r for r in responses if not r.is_complete],
    }


def portal_section(engagement, user, language: str = "en") -> dict:
    """What the portal shows a participant of their surveys: their scores over time (no band
    labels: those are screening words for the team to talk over with them), the surveys
    they can fill, and their own drafts to resume. Two queries."""
    responses = _responses_of(engagement)
    drafts = {
        r.instrument_version.instrument.slug: r
        for r in responses
        if not r.is_complete and r.method == "portal" and r.filled_by_id == user.pk
    }
    to_fill = [
        {
            "slug": i.slug,
            "title": localized(i.current.definition["title"], language),
            "draft": drafts.get(i.slug)
            if drafts.get(i.slug) and drafts[i.slug].instrument_version_id == i.current_id
            else None,
        }
        for i in instruments_in_use()
    ]
    return {
        "trends": trends(responses, language=language, show_bands=False),
        "to_fill": [] if engagement.is_closed else to_fill,
    }
