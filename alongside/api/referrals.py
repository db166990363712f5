"""Referrals of the programs the caller coordinates: list, create, read, screen.

As on the pages, a referral's details are not edited after intake: what it said is
what arrived. Screening (accept, waitlist, decline) is its one change, through
``POST /referrals/{id}/screening``; matching happens on the pages.
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Status
from pydantic import model_validator

from alongside.api.auth import require
from alongside.api.pagination import page, within_days
from alongside.api.schemas import (
    ERRORS,
    DatedParams,
    InputSchema,
    Page,
    ReferralIn,
    ReferralOut,
    RuleRefusal,
    text,
)
from alongside.audit.services import read_record
from alongside.core.permissions import (
    Cap,
    get_or_404,
    programs_coordinated_by,
    referrals_visible_to,
)
from alongside.referrals.models import Channel, Urgency
from alongside.referrals.models import Status as ReferralStatus
from alongside.referrals.services import (
    referral_accept,
    referral_create,
    referral_decline,
    referral_waitlist,
)

router = Router(tags=["referrals"])


class ReferralParams(DatedParams):
    """``since`` / ``until`` bound the day it was received."""

    program: int | None = Field(None, description="Only the referrals to this program.")
    participant: int | None = Field(None, description="Only the referrals of this person.")
    status: ReferralStatus | None = Field(
        None, description=f"Only referrals with this status: {', '.join(ReferralStatus.values)}."
    )
    urgency: Urgency | None = Field(None, description="Only referrals this urgent.")


class ScreeningIn(InputSchema):
    """One screening decision, as on the referral page."""

    decision: Literal["accept", "waitlist", "decline"] = Field(
        description="accept (look for a match), waitlist, or decline (with a reason)."
    )
    priority: int = Field(3, ge=1, le=5, description="Waitlist only: 1 (highest) to 5.")
    reason: text(2000) = Field("", description="Needed to decline.")  # type: ignore[valid-type]
    share_reason: bool = Field(
        False,
        description=(
            "Decline only: add the reason, word for word, to the email the referrer gets "
            "(when they left an email). Leave out health details."
        ),
    )

    @model_validator(mode="after")
    def _fits_decision(self) -> ScreeningIn:
        sent = self.model_fields_set
        if self.decision == "decline" and not self.reason:
            raise ValueError("Say why the referral is declined (reason).")
        if self.decision != "decline" and ({"reason", "share_reason"} & sent):
            raise ValueError("reason and share_reason go with the decision decline.")
        if self.decision != "waitlist" and "priority" in sent:
            raise ValueError("priority goes with the decision waitlist.")
        return self


@router.get("", summary="List referrals", response={200: Page[ReferralOut], **ERRORS})
def referral_list(request: HttpRequest, params: Query[ReferralParams]) -> dict:
    """Newest first (by when it was received)."""
    require(request, Cap.REFERRALS_VIEW)
    queryset = referrals_visible_to(request.user, request.organization).order_by(
        "-received_at", "-pk"
    )
    if params.program is not None:
        queryset = queryset.filter(program_id=params.program)
    if params.participant is not None:
        queryset = queryset.filter(participant_id=params.participant)
    if params.status is not None:
        queryset = queryset.filter(status=params.status)
    if params.urgency is not None:
        queryset = queryset.filter(urgency=params.urgency)
    queryset = within_days(queryset, "received_at", params)
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


@router.post(
    "/{referral_id}/screening",
    summary="Screen a referral: accept, waitlist or decline it",
    response={200: ReferralOut, 409: RuleRefusal, **ERRORS},
)
def referral_screen_endpoint(request: HttpRequest, referral_id: int, payload: ScreeningIn):
    """Only an open referral (new, accepted or waitlisted) is screened; a declined or
    matched one answers 409. The decision is checked against the stored referral under a
    lock, so two coordinators deciding at once cannot both pass. A declined referral's
    referrer, if they left an email, is told (without clinical detail)."""
    require(request, Cap.REFERRALS_MANAGE)
    referral = get_or_404(
        referrals_visible_to(request.user, request.organization).select_related(
            "organization", "program"
        ),
        pk=referral_id,
    )
    if payload.decision == "accept":
        referral_accept(referral=referral, actor=request.user)
    elif payload.decision == "waitlist":
        referral_waitlist(referral=referral, actor=request.user, priority=payload.priority)
    else:
        referral_decline(
            referral=referral,
            actor=request.user,
            reason=payload.reason,
            share_reason=payload.share_reason,
        )
    screened = referrals_visible_to(request.user, request.organization).get(pk=referral.pk)
    read_record(request, "api referral", [screened.participant_id])
    return screened
