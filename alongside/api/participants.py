"""Participants the caller may see (design.md §4): list, read and change their details.

A participant record is created with the referral that brings the person in
(``POST /api/v1/referrals``), as on the intake page: a person on their own, with no
referral or engagement, would be in nobody's scope, so there is no ``POST
/participants``. Their details are changed afterwards as on the "Edit details" page
(``PATCH /participants/{id}``, ``participants.change``): by a coordinator of a program
they have a referral or engagement in, or by the peer supporter of their open
engagement, with ``If-Match`` (428 without, 412 when stale).
"""

from __future__ import annotations

import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router
from pydantic import model_validator

from alongside.api.auth import require
from alongside.api.etags import (
    PRECONDITION_ERRORS,
    if_match_version,
    openapi,
    precondition,
    set_etag,
)
from alongside.api.pagination import page
from alongside.api.schemas import (
    ERRORS,
    InputSchema,
    Language,
    Page,
    PageParams,
    ParticipantOut,
    RuleRefusal,
    text,
)
from alongside.audit.services import read_record
from alongside.core.permissions import (
    Cap,
    engagements_visible_to,
    get_or_404,
    may_change_participant,
    participants_visible_to,
    referrals_visible_to,
)
from alongside.participants.models import (
    GenderIdentity,
    Participant,
    RaceEthnicity,
    VeteranStatus,
)
from alongside.participants.services import participant_update

router = Router(tags=["participants"])

CREATED_WITH_REFERRALS = (
    "A participant record is created with the referral that brings the person in "
    "(POST /api/v1/referrals), never on its own: there is no POST /participants."
)


class ParticipantParams(PageParams):
    name: text(100, min_length=1) | None = Field(  # type: ignore[valid-type]
        None, description="Only people whose first, last or preferred name contains this."
    )
    program: int | None = Field(
        None, description="Only people with an engagement or a referral in this program."
    )


class ParticipantDetails(ParticipantOut):
    """One person's details as the team keeps them (a list shows only the names)."""

    date_of_birth: datetime.date | None
    phone: str
    email: str
    gender: str = Field(
        description=f"Gender identity, one of {', '.join(GenderIdentity.values)}; "
        "empty: not recorded."
    )
    race_ethnicity: list[str] = Field(
        description=f"Any of {', '.join(RaceEthnicity.values)}; empty: not recorded."
    )
    veteran_status: str = Field(
        description=f"One of {', '.join(VeteranStatus.values)}; empty: not recorded."
    )
    version: int = Field(description="Also the ETag; send it back as If-Match to change them.")


class ParticipantPatch(InputSchema):
    """Fields left out keep their value; an empty string (null for date_of_birth) clears
    an optional one. A first name is always needed."""

    first_name: text(100, min_length=1) = None  # type: ignore[valid-type]
    last_name: text(100) = None  # type: ignore[valid-type]
    preferred_name: text(100) = None  # type: ignore[valid-type]
    pronouns: text(40) = None  # type: ignore[valid-type]
    date_of_birth: datetime.date | None = Field(
        None, description="Not in the future, nor before 1900; null clears it."
    )
    preferred_language: Language = None  # type: ignore[valid-type]
    phone: text(40) = Field(  # type: ignore[valid-type]
        None, description="7 to 15 digits with its area code, e.g. 555-123-4567."
    )
    email: text(254) = None  # type: ignore[valid-type]
    gender: GenderIdentity | Literal[""] = Field(None, description="Gender identity.")
    race_ethnicity: list[RaceEthnicity] = Field(
        None, max_length=len(RaceEthnicity.values), description="Any that apply."
    )
    veteran_status: VeteranStatus | Literal[""] = None

    @model_validator(mode="after")
    def _something(self) -> ParticipantPatch:
        if not self.model_fields_set:
            raise ValueError("Send at least one field to change.")
        return self


@router.get("", summary="List participants", response={200: Page[ParticipantOut], **ERRORS})
def participant_list(request: HttpRequest, params: Query[ParticipantParams]) -> dict:
    """By last name, then first name. Participants are created with referrals
    (POST /api/v1/referrals), never on their own."""
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
    "/{participant_id}",
    summary="Read a participant",
    description=f"Their details, with the ETag to change them. {CREATED_WITH_REFERRALS}",
    response={200: ParticipantDetails, **ERRORS},
    openapi_extra=openapi(),
)
def participant_read(
    request: HttpRequest, participant_id: int, response: HttpResponse
) -> Participant:
    require(request, Cap.PARTICIPANTS_VIEW)
    participant = get_or_404(
        participants_visible_to(request.user, request.organization), pk=participant_id
    )
    read_record(request, "api participant", [participant.pk])
    set_etag(response, participant)
    return participant


@router.patch(
    "/{participant_id}",
    summary="Change a participant's details",
    description=(
        "As on the Edit details page: coordinators of a program the person has a referral "
        "or engagement in, and the peer supporter of their open engagement (others who see "
        "them: 403). Needs If-Match with the ETag read: 428 without, 412 (with the current "
        "ETag) when someone changed them since. Unknown fields, wrong types and bad values "
        "(a phone number, a date of birth in the future) answer 422; nothing is changed. "
        "Only fields whose value differs are saved; the change is audited "
        f"(participant.updated) and kept in the record's history. {CREATED_WITH_REFERRALS}"
    ),
    response={200: ParticipantDetails, 409: RuleRefusal, **ERRORS, **PRECONDITION_ERRORS},
    openapi_extra=openapi(conditional=True),
)
def participant_update_endpoint(
    request: HttpRequest, participant_id: int, payload: ParticipantPatch, response: HttpResponse
) -> Participant:
    require(request, Cap.PARTICIPANTS_CHANGE)
    participant = get_or_404(
        participants_visible_to(request.user, request.organization).select_related("organization"),
        pk=participant_id,
    )
    if not may_change_participant(request.user, request.organization, participant.pk):
        raise PermissionDenied(
            "Only a coordinator of their program, or the peer supporter of their open "
            "engagement, can change this person's details."
        )
    version = if_match_version(request, participant)
    with precondition(participant):
        saved = participant_update(
            participant=participant,
            actor=request.user,
            expected_version=version,
            **payload.model_dump(mode="json", exclude_unset=True),
        )
    read_record(request, "api participant", [saved.pk])
    set_etag(response, saved)
    return saved
