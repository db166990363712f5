"""Referrals of the programs the caller coordinates: list, create, read."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Status

from alongside.api.auth import require
from alongside.api.pagination import page
from alongside.api.schemas import (
    ERRORS,
    Page,
    PageParams,
    ReferralIn,
    ReferralOut,
    RuleRefusal,
)
from alongside.audit.services import read_record
from alongside.core.permissions import (
    Cap,
    get_or_404,
    programs_coordinated_by,
    referrals_visible_to,
)
from alongside.referrals.models import Channel
from alongside.referrals.services import referral_create

router = Router(tags=["referrals"])


@router.get("", summary="List referrals", response={200: Page[ReferralOut], **ERRORS})
def referral_list(request: HttpRequest, params: Query[PageParams]) -> dict:
    require(request, Cap.REFERRALS_VIEW)
    queryset = referrals_visible_to(request.user, request.organization).order_by(
        "-received_at", "-pk"
    )
    return page(
        request, queryset, params, what="api referrals", participant_of=lambda r: r.participant_id
    )


@router.post(
    "",
    summary="Create a referral (and its participant)",
    response={201: ReferralOut, 409: RuleRefusal, **ERRORS},
)
def referral_create_endpoint(request: HttpRequest, payload: ReferralIn) -> Status:
    """A new person is referred to a program the caller coordinates.

    A person who already has an open referral or engagement is flagged in
    ``duplicate_of_referral`` / ``duplicate_of_engagement``, never merged or refused.
    """
    require(request, Cap.REFERRALS_MANAGE)
    program = get_or_404(
        programs_coordinated_by(request.user, request.organization), pk=payload.program
    )
    referral = referral_create(
        organization=request.organization,
        program=program,
        actor=request.user,
        participant=payload.participant.model_dump(mode="json"),
        channel=Channel.API,
        **payload.referral_fields(),
    )
    read_record(request, "api referral", [referral.participant_id])
    return Status(201, referral)


@router.get("/{referral_id}", summary="Read a referral", response={200: ReferralOut, **ERRORS})
def referral_read(request: HttpRequest, referral_id: int):
    require(request, Cap.REFERRALS_VIEW)
    referral = get_or_404(referrals_visible_to(request.user, request.organization), pk=referral_id)
    read_record(request, "api referral", [referral.participant_id])
    return referral
