"""An engagement's timeline: meetings, goals, signatures, assessments, moves and guideline
extensions, newest first.

Each kind of entry is a ``Source``. A page is built with a fixed number of queries,
however long the engagement: the (moment, kind, id) of every entry of the chosen kinds
as one UNION ALL, which the database counts, sorts and pages; then, for the page shown
only, the records themselves (one query per kind on the page). An engagement with
hundreds of entries costs the same queries as one with three.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Cast
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

PAGE_SIZE = 25


@dataclass(frozen=True)
class Source:
    kind: str
    label: Promise
    model: str  # "app_label.Model"
    engagement: str  # the lookup from the model to the engagement
    at: str  # the field that dates an entry (a datetime, or a date shown at noon)
    related: tuple[str, ...] = ()
    prefetch: tuple[str, ...] = ()
    visible: Callable[[set], bool] = lambda caps: True


SOURCES: tuple[Source, ...] = (
    Source(
        "meeting",
        _("Meetings"),
        "meetings.Meeting",
        "engagement",
        "starts_at",
        related=("note__author", "note__finalized_by", "created_by"),
        prefetch=("note__steps",),
    ),
    Source(
        "contact",
        _("Contacts"),
        "contacts.Contact",
        "engagement",
        "occurred_at",
        related=("created_by", "callback_returned_by"),
    ),
    Source("goal", _("Goals"), "plans.Goal", "engagement", "created_at", ("created_by",)),
    Source(
        "stage",
        _("Stages of change"),
        "plans.GoalStage",
        "goal__engagement",
        "recorded_at",
        related=("goal", "recorded_by"),
    ),
    Source("plan", _("Plans"), "plans.Plan", "engagement", "created_at", ("created_by",)),
    Source(
        "document",
        _("Signed documents"),
        "agreements.SignedDocument",
        "engagement",
        "signed_at",
        related=("version", "recorded_by"),
    ),
    Source(
        "assessment",
        _("Assessments"),
        "assessments.Assessment",
        "engagement",
        "assessed_on",
        related=("assessed_by",),
    ),
    Source("state", _("Moves"), "engagements.StateChange", "engagement", "at", ("actor",)),
    Source(
        "extension",
        _("Guideline extensions"),
        "engagements.GuidelineExtension",
        "engagement",
        "at",
        ("actor",),
    ),
)
KINDS = {source.kind: source for source in SOURCES}
# One entry's badge.
ENTRY_LABELS = {
    "meeting": _("Meeting"),
    "contact": _("Contact"),
    "goal": _("Goal"),
    "stage": _("Stage of change"),
    "plan": _("Plan"),
    "document": _("Signed"),
    "assessment": _("Assessment"),
    "state": _("Move"),
    "extension": _("Guideline extended"),
}


@dataclass(frozen=True)
class Entry:
    kind: str
    at: datetime.datetime
    obj: object

    @property
    def label(self):
        return ENTRY_LABELS[self.kind]

    @property
    def when(self):
        """The entry's own moment (a date stays a date, in no time zone)."""
        return getattr(self.obj, KINDS[self.kind].at)

    @property
    def is_date_only(self) -> bool:
        return not isinstance(self.when, datetime.datetime)


def sources_for(caps: set, kinds=None) -> list[Source]:
    """The kinds a user may see, narrowed to ``kinds`` when given (unknown ones ignored)."""
    chosen = [s for s in SOURCES if s.visible(caps)]
    wanted = {k for k in (kinds or ()) if k in KINDS}
    return [s for s in chosen if s.kind in wanted] if wanted else chosen


def _keys(source: Source, engagement):
    """(moment, kind, id) of one kind's entries, as a query to combine with the others."""
    model = apps.get_model(source.model)
    moment = F(source.at)
    if not isinstance(model._meta.get_field(source.at), models.DateTimeField):
        moment = Cast(source.at, output_field=models.DateTimeField())  # a date: its midnight
    return (
        model.objects.filter(**{source.engagement: engagement})
        .annotate(t_at=moment, t_kind=Value(source.kind, output_field=models.CharField()))
        .annotate(t_id=F("pk"))
        .values_list("t_at", "t_kind", "t_id")
        .order_by()
    )


def timeline_page(
    engagement, sources: list[Source], page_number=1, size: int = PAGE_SIZE
) -> tuple[Page, list[Entry]]:
    """One page of the engagement's timeline, newest first, and its entries.

    The keys of every kind are one UNION ALL, counted and paged by the database.
    """
    if not sources:
        return Paginator([], size).get_page(1), []
    first, *rest = (_keys(source, engagement) for source in sources)
    keys = first.union(*rest, all=True).order_by("-t_at", "-t_kind", "-t_id")
    page = Paginator(keys, size).get_page(page_number)

    wanted: dict[str, list[int]] = defaultdict(list)
    for _at, kind, pk in page.object_list:
        wanted[kind].append(pk)
    loaded = {}
    for kind, ids in wanted.items():
        source = KINDS[kind]
        queryset = apps.get_model(source.model).objects.select_related(*source.related)
        loaded[kind] = queryset.prefetch_related(*source.prefetch).in_bulk(ids)
    entries = [Entry(kind, at, loaded[kind][pk]) for at, kind, pk in page.object_list]
    return page, entries
