"""Exits: list, read, start, complete (design.md §7), under the pages' rules.

Staff with ``engagements.view`` read the exits of engagements they may see, as the
engagement page shows them; starting and completing one needs ``exits.write``
(supporters and coordinators; a supervisor only reads). The portal does not show exits,
so a participant's token is refused (403). Starting an exit moves the engagement to
exiting with the reason recorded; completing it closes the engagement, whose record is
read-only from then on. Each step is refused (409) when the page would refuse it.
"""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from alongside.api.auth import require
from alongside.api.pagination import page
from alongside.api.schemas import ERRORS, Page, PageParams, RuleRefusal, text
from alongside.audit.services import read_record
from alongside.core.permissions import Cap, engagements_visible_to, get_or_404, scoped
from alongside.exits.models import Exit, ExitReason
from alongside.exits.services import exit_complete, exit_start

router = Router(tags=["exits"])


class ExitOut(Schema):
    id: int
    engagement: int
    participant: int
    engagement_state: str = Field(description="exiting until the exit is completed, then closed.")
    reason: str = Field(description=f"One of {', '.join(ExitReason.values)}.")
    note: str = Field(description="How the ending went.")
    started_at: datetime.datetime
    started_by: int
    completed_at: datetime.datetime | None
    completed_by: int | None

    @staticmethod
    def resolve_engagement(obj) -> int:
        return obj.engagement_id

    @staticmethod
    def resolve_participant(obj) -> int:
        return obj.engagement.participant_id

    @staticmethod
    def resolve_engagement_state(obj) -> str:
        return obj.engagement.state

    @staticmethod
    def resolve_started_by(obj) -> int:
        return obj.started_by_id

    @staticmethod
    def resolve_completed_by(obj) -> int | None:
        return obj.completed_by_id


class ExitStartIn(Schema):
    engagement: int = Field(description="An engagement in your scope that may move to exiting.")
    reason: ExitReason
    note: text(4000) = ""  # type: ignore[valid-type]


class ExitCompleteIn(Schema):
    note: text(4000) = Field("", description="Added to the exit's note.")  # type: ignore[valid-type]


class ExitParams(PageParams):
    engagement: int | None = Field(None, description="Only the exit of this engagement.")


def _visible(request: HttpRequest) -> QuerySet[Exit]:
    exits = Exit.objects.select_related("engagement")
    return scoped(exits, request.user, request.organization, via="engagement")


def _answer(request: HttpRequest, pk: int) -> Exit:
    """The exit as stored now, logged as read."""
    exit_ = _visible(request).get(pk=pk)
    read_record(request, "api exit", [exit_.engagement.participant_id])
    return exit_


@router.get("", summary="List exits", response={200: Page[ExitOut], **ERRORS})
def exit_list(request: HttpRequest, params: Query[ExitParams]) -> dict:
    """Newest first (by when the exit was started)."""
    require(request, Cap.ENGAGEMENTS_VIEW)
    queryset = _visible(request).order_by("-started_at", "-pk")
    if params.engagement is not None:
        queryset = queryset.filter(engagement_id=params.engagement)
    return page(
        request,
        queryset,
        params,
        what="api exits",
        participant_of=lambda e: e.engagement.participant_id,
    )


@router.get("/{exit_id}", summary="Read an exit", response={200: ExitOut, **ERRORS})
def exit_read(request: HttpRequest, exit_id: int) -> Exit:
    require(request, Cap.ENGAGEMENTS_VIEW)
    exit_ = get_or_404(_visible(request), pk=exit_id)
    read_record(request, "api exit", [exit_.engagement.participant_id])
    return exit_


@router.post(
    "",
    summary="Start an exit: the engagement moves to exiting",
    response={201: ExitOut, 409: RuleRefusal, **ERRORS},
)
def exit_start_endpoint(request: HttpRequest, payload: ExitStartIn) -> Status:
    """Refused (409) when an exit was already started or the engagement cannot move."""
    require(request, Cap.EXITS_WRITE)
    engagement = get_or_404(
        engagements_visible_to(request.user, request.organization).select_related(
            "program", "organization"
        ),
        pk=payload.engagement,
    )
    exit_ = exit_start(
        engagement=engagement, actor=request.user, reason=payload.reason, note=payload.note
    )
    return Status(201, _answer(request, exit_.pk))


@router.post(
    "/{exit_id}/complete",
    summary="Complete an exit: the engagement closes and becomes read-only",
    response={200: ExitOut, 409: RuleRefusal, **ERRORS},
)
def exit_complete_endpoint(request: HttpRequest, exit_id: int, payload: ExitCompleteIn) -> Exit:
    require(request, Cap.EXITS_WRITE)
    exit_ = get_or_404(_visible(request), pk=exit_id)
    exit_complete(engagement=exit_.engagement, actor=request.user, note=payload.note)
    return _answer(request, exit_.pk)
