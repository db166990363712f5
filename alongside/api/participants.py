"""Participants the caller may see (design.md §4): list and read.

A participant record is created with the referral that brings the person in
(``POST /api/v1/referrals``), as on the intake page: a person on their own, with no
referral or engagement, would be in nobody's scope. No page edits a participant's
details after intake, so neither does the API.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Query, Router

from alongside.api.auth import require
from alongside.api.pagination import page
from alongside.api.schemas import ERRORS, Page, PageParams, ParticipantOut, text
from alongside.audit.services import read_record
from alongside.core.permissions import (
    Cap,
    engagements_visible_to,
    get_or_404,
    participants_visible_to,
    referrals_visible_to,
)

router = Router(tags=["participants"])


class ParticipantParams(PageParams):
    name: text(100, min_length=1) | None = Field(  # type: ignore[valid-type]
        None, description="Only people whose first, last or preferred name contains this."
    )
    program: int | None = Field(
        None, description="Only people with an engagement or a referral in this program."
    )


@router.get("", summary="List participants", response={200: Page[ParticipantOut], **ERRORS})
def participant_list(request: HttpRequest, params: Query[ParticipantParams]) -> dict:
    """By last name, then first name."""
    require(request, Cap.PARTICIPANTS_VIEW)
    queryset = participants_visible_to(request.user, request.organization).order_by(
        "last_name", "first_name", "pk"
    )
    if params.name:
        queryset = queryset.filter(
            Q(first_name__icontains=params.name)
            | Q(last_name__icontains=params.name)
            | Q(preferred_name__icontains=params.name)
        )
    if params.program is not None:
        # Only through records the caller sees: no hint of a referral outside their scope.
        user, organization = request.user, request.organization
        engagements = engagements_visible_to(user, organization).filter(program_id=params.program)
        referrals = referrals_visible_to(user, organization).filter(program_id=params.program)
        queryset = queryset.filter(
            Q(pk__in=engagements.values("participant_id"))
            | Q(pk__in=referrals.values("participant_id"))
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
