"""Progress assessments: list, read, record (design.md §7), under the pages' rules.

Staff with ``engagements.view`` read the assessments of engagements they may see, as the
engagement page shows them; recording one needs ``assessments.write`` (supporters and
coordinators; a supervisor only reads). Participants read and sign theirs in the portal;
this API is for staff, so a participant's token is refused (403). The rules are the
page's: the engagement must be active or exiting, the date neither in the future nor
before it started, a reason given, and a reason for a tier other than the one suggested
from the facts (docs/assessments.md). Signing happens on the pages, with a password.

An assessment both have not signed yet may be changed (``PATCH``, with ``If-Match``: 428
without, 412 when stale), as on its page: the facts and the suggestion are gathered
again, and a signature of the earlier text no longer counts. Once both signed, 409.
"""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from pydantic import model_validator

from alongside.api.auth import require
from alongside.api.etags import (
    PRECONDITION_ERRORS,
    if_match_version,
    openapi,
    precondition,
    set_etag,
)
from alongside.api.pagination import page, within_days
from alongside.api.schemas import ERRORS, DatedParams, InputSchema, Page, RuleRefusal, text
from alongside.assessments.models import Assessment, PlanChoice, Tier
from alongside.assessments.services import (
    assessment_record,
    assessment_update,
    signature_state,
)
from alongside.audit.services import read_record
from alongside.core.permissions import Cap, engagements_visible_to, get_or_404, scoped

router = Router(tags=["assessments"])


class Reason(Schema):
    kind: str = Field(description="progress, concern, neutral, or verdict (the last line).")
    text: str


class SignatureOut(Schema):
    name: str
    signed_at: datetime.datetime
    method: str = Field(description="portal or in_person.")


class SignaturesOut(Schema):
    participant: SignatureOut | None = Field(description="Null until they sign this text.")
    supporter: SignatureOut | None
    complete: bool = Field(description="Both signed the current text: it no longer changes.")


def _signature(signature) -> dict | None:
    if signature is None:
        return None
    return {
        "name": signature.signer_name,
        "signed_at": signature.signed_at,
        "method": signature.method,
    }


class AssessmentOut(Schema):
    id: int
    engagement: int
    participant: int
    tier: int = Field(description="1 making progress, 2 maintaining position, 3 exiting support.")
    suggested_tier: int | None = Field(
        description="What the organization's rule suggested from the facts; null if too little."
    )
    suggestion_reasons: list[Reason] = Field(description="Each fact weighed, then the verdict.")
    tier_override_reason: str = Field(description="Why another tier than the suggested one.")
    rationale: str = Field(description="Why this tier fits.")
    plan_choice: str = Field(
        description="stay_course, change_focus or change_time (empty on old records)."
    )
    ongoing_plan: str = Field(description="The plan, in detail.")
    achievable_goals: str
    actions: str = Field(description="Specific actions.")
    measure: str = Field(description="How progress will be measured.")
    corrections: str = Field(description="How problems will be corrected.")
    assessed_on: datetime.date
    reassess_on: datetime.date | None
    assessed_by: int
    facts: dict = Field(description="What the team saw: scores, goals, attendance since.")
    signatures: SignaturesOut
    version: int
    created_at: datetime.datetime

    @staticmethod
    def resolve_engagement(obj) -> int:
        return obj.engagement_id

    @staticmethod
    def resolve_participant(obj) -> int:
        return obj.engagement.participant_id

    @staticmethod
    def resolve_assessed_by(obj) -> int:
        return obj.assessed_by_id

    @staticmethod
    def resolve_signatures(obj) -> dict:
        state = signature_state(obj)
        return {
            "participant": _signature(state["participant"]),
            "supporter": _signature(state["supporter"]),
            "complete": state["complete"],
        }


class AssessmentIn(InputSchema):
    engagement: int = Field(description="An active or exiting engagement in your scope.")
    tier: Tier = Field(description="1, 2 or 3.")
    rationale: text(4000, min_length=1) = Field(description="Why this tier fits.")  # type: ignore[valid-type]
    tier_override_reason: text(2000) = Field(  # type: ignore[valid-type]
        "", description="Needed when the tier is not the suggested one (409 otherwise)."
    )
    plan_choice: PlanChoice = PlanChoice.STAY_COURSE
    ongoing_plan: text(4000) = ""  # type: ignore[valid-type]
    achievable_goals: text(4000) = ""  # type: ignore[valid-type]
    actions: text(4000) = ""  # type: ignore[valid-type]
    measure: text(2000) = ""  # type: ignore[valid-type]
    corrections: text(2000) = ""  # type: ignore[valid-type]
    assessed_on: datetime.date = Field(
        description="Not in the future, nor before the engagement started."
    )
    reassess_on: datetime.date | None = Field(
        None, description="After assessed_on; by default the program's interval later."
    )


class AssessmentPatch(InputSchema):
    """Fields left out keep their value; ``null`` answers 422 (but ``reassess_on``: null
    goes back to the program's interval after ``assessed_on``)."""

    tier: Tier = Field(None, description="1, 2 or 3.")
    rationale: text(4000, min_length=1) = None  # type: ignore[valid-type]
    tier_override_reason: text(2000) = Field(  # type: ignore[valid-type]
        None, description="Needed when the tier is not the suggested one (409 otherwise)."
    )
    plan_choice: PlanChoice = None
    ongoing_plan: text(4000) = None  # type: ignore[valid-type]
    achievable_goals: text(4000) = None  # type: ignore[valid-type]
    actions: text(4000) = None  # type: ignore[valid-type]
    measure: text(2000) = None  # type: ignore[valid-type]
    corrections: text(2000) = None  # type: ignore[valid-type]
    assessed_on: datetime.date = Field(
        None, description="Not in the future, nor before the engagement started."
    )
    reassess_on: datetime.date | None = Field(None, description="After assessed_on.")

    @model_validator(mode="after")
    def _something(self) -> AssessmentPatch:
        if not self.model_fields_set:
            raise ValueError("Send at least one field to change.")
        return self

    def changes(self) -> dict:
        return self.model_dump(exclude_unset=True)


class AssessmentParams(DatedParams):
    """``since`` / ``until`` bound the day assessed."""

    engagement: int | None = Field(None, description="Only the assessments of this engagement.")
    participant: int | None = Field(None, description="Only this person's assessments.")
    tier: Tier | None = Field(None, description="Only assessments with this tier.")


def _visible(request: HttpRequest) -> QuerySet[Assessment]:
    assessments = Assessment.objects.select_related("engagement").prefetch_related("signatures")
    return scoped(assessments, request.user, request.organization, via="engagement")


@router.get("", summary="List assessments", response={200: Page[AssessmentOut], **ERRORS})
def assessment_list(request: HttpRequest, params: Query[AssessmentParams]) -> dict:
    """Newest first (by the date assessed)."""
    require(request, Cap.ENGAGEMENTS_VIEW)
    queryset = _visible(request).order_by("-assessed_on", "-pk")
    if params.engagement is not None:
        queryset = queryset.filter(engagement_id=params.engagement)
    if params.participant is not None:
        queryset = queryset.filter(engagement__participant_id=params.participant)
    if params.tier is not None:
        queryset = queryset.filter(tier=params.tier)
    queryset = within_days(queryset, "assessed_on", params)
    return page(
        request,
        queryset,
        params,
        what="api assessments",
        participant_of=lambda a: a.engagement.participant_id,
    )


def _answer(request: HttpRequest, pk: int, response: HttpResponse) -> Assessment:
    """The assessment as stored now, logged as read, with its ETag."""
    assessment = _visible(request).get(pk=pk)
    read_record(request, "api assessment", [assessment.engagement.participant_id])
    set_etag(response, assessment)
    return assessment


@router.get(
    "/{assessment_id}",
    summary="Read an assessment",
    response={200: AssessmentOut, **ERRORS},
    openapi_extra=openapi(),
)
def assessment_read(request: HttpRequest, assessment_id: int, response: HttpResponse):
    require(request, Cap.ENGAGEMENTS_VIEW)
    assessment = get_or_404(_visible(request), pk=assessment_id)
    return _answer(request, assessment.pk, response)


@router.post(
    "",
    summary="Record an assessment with its tier",
    response={201: AssessmentOut, 409: RuleRefusal, **ERRORS},
    openapi_extra=openapi(reads=(201,)),
)
def assessment_create_endpoint(
    request: HttpRequest, payload: AssessmentIn, response: HttpResponse
) -> Status:
    """The tier suggested from the facts is kept beside the chosen one; the engagement's
    current tier becomes the latest assessment's and its next due date that one's
    ``reassess_on``."""
    require(request, Cap.ASSESSMENTS_WRITE)
    engagement = get_or_404(
        engagements_visible_to(request.user, request.organization).select_related(
            "program", "organization"
        ),
        pk=payload.engagement,
    )
    assessment = assessment_record(
        engagement=engagement,
        actor=request.user,
        **payload.dict(exclude={"engagement"}),
    )
    return Status(201, _answer(request, assessment.pk, response))


@router.patch(
    "/{assessment_id}",
    summary="Change an assessment both have not signed yet",
    response={200: AssessmentOut, 409: RuleRefusal, **ERRORS, **PRECONDITION_ERRORS},
    openapi_extra=openapi(conditional=True),
)
def assessment_update_endpoint(
    request: HttpRequest, assessment_id: int, payload: AssessmentPatch, response: HttpResponse
):
    """Refused (409) once both signed, on a closed engagement, for a date in the future or
    before the engagement started, or a tier other than the suggested one without a
    reason; nothing changes then. Whoever had signed the earlier text signs again."""
    require(request, Cap.ASSESSMENTS_WRITE)
    assessment = get_or_404(
        _visible(request).select_related("engagement__program", "engagement__organization"),
        pk=assessment_id,
    )
    version = if_match_version(request, assessment)
    with precondition(assessment):
        assessment_update(
            assessment=assessment,
            actor=request.user,
            expected_version=version,
            **payload.changes(),
        )
    return _answer(request, assessment.pk, response)
