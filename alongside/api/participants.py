"""Participants the caller may see (design.md §4): list and read."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from alongside.api.auth import require
from alongside.api.pagination import page
from alongside.api.schemas import ERRORS, Page, PageParams, ParticipantOut
from alongside.audit.services import read_record
from alongside.core.permissions import Cap, get_or_404, participants_visible_to

router = Router(tags=["participants"])


@router.get("", summary="List participants", response={200: Page[ParticipantOut], **ERRORS})
def participant_list(request: HttpRequest, params: Query[PageParams]) -> dict:
    require(request, Cap.PARTICIPANTS_VIEW)
    queryset = participants_visible_to(request.user, request.organization).order_by(
        "last_name", "first_name", "pk"
    )
    return page(request, queryset, params, what="api participants", participant_of=lambda p: p.pk)


@router.get(
    "/{participant_id}", summary="Read a participant", response={200: ParticipantOut, **ERRORS}
)
def participant_read(request: HttpRequest, participant_id: int):
    require(request, Cap.PARTICIPANTS_VIEW)
    participant = get_or_404(
        participants_visible_to(request.user, request.organization), pk=participant_id
    )
    read_record(request, "api participant", [participant.pk])
    return participant
