"""Progress assessments: list, read, record (design.md §7), under the pages' rules.

Staff with ``engagements.view`` read the assessments of engagements they may see, as the
engagement page shows them; recording one needs ``assessments.write`` (supporters and
coordinators; a supervisor only reads). The portal does not show assessments, so a
participant's token is refused (403). The rules are the page's: the engagement must be
active or exiting, the date neither in the future nor before it started, a reason given.
"""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from alongside.api.auth import require
from alongside.api.pagination import page
from alongside.api.schemas import ERRORS, Page, PageParams, RuleRefusal, text
from alongside.assessments.models import Assessment, Tier
from alongside.assessments.services import assessment_record
from alongside.audit.services import read_record
from alongside.core.permissions import Cap, engagements_visible_to, get_or_404, scoped

router = Router(tags=["assessments"])


class AssessmentOut(Schema):
    id: int
    engagement: int
    participant: int
    tier: int = Field(description="1 making progress, 2 maintaining position, 3 exiting support.")
    rationale: str = Field(description="Why this tier fits.")
    ongoing_plan: str
    assessed_on: datetime.date
    assessed_by: int
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


class AssessmentIn(Schema):
    engagement: int = Field(description="An active or exiting engagement in your scope.")
    tier: Tier = Field(description="1, 2 or 3.")
    rationale: text(4000, min_length=1) = Field(description="Why this tier fits.")  # type: ignore[valid-type]
    ongoing_plan: text(4000) = ""  # type: ignore[valid-type]
    assessed_on: datetime.date = Field(
        description="Not in the future, nor before the engagement started."
    )


class AssessmentParams(PageParams):
    engagement: int | None = Field(None, description="Only the assessments of this engagement.")


def _visible(request: HttpRequest) -> QuerySet[Assessment]:
    assessments = Assessment.objects.select_related("engagement")
    return scoped(assessments, request.user, request.organization, via="engagement")


@router.get("", summary="List assessments", response={200: Page[AssessmentOut], **ERRORS})
def assessment_list(request: HttpRequest, params: Query[AssessmentParams]) -> dict:
    """Newest first (by the date assessed)."""
    require(request, Cap.ENGAGEMENTS_VIEW)
    queryset = _visible(request).order_by("-assessed_on", "-pk")
    if params.engagement is not None:
        queryset = queryset.filter(engagement_id=params.engagement)
    return page(
        request,
        queryset,
        params,
        what="api assessments",
        participant_of=lambda a: a.engagement.participant_id,
    )


@router.get(
    "/{assessment_id}", summary="Read an assessment", response={200: AssessmentOut, **ERRORS}
)
def assessment_read(request: HttpRequest, assessment_id: int) -> Assessment:
    require(request, Cap.ENGAGEMENTS_VIEW)
    assessment = get_or_404(_visible(request), pk=assessment_id)
    read_record(request, "api assessment", [assessment.engagement.participant_id])
    return assessment


@router.post(
    "",
    summary="Record an assessment with its tier",
    response={201: AssessmentOut, 409: RuleRefusal, **ERRORS},
)
def assessment_create_endpoint(request: HttpRequest, payload: AssessmentIn) -> Status:
    """The engagement's current tier becomes the latest assessment's; its next due date moves."""
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
        tier=payload.tier,
        rationale=payload.rationale,
        ongoing_plan=payload.ongoing_plan,
        assessed_on=payload.assessed_on,
    )
    read_record(request, "api assessment", [engagement.participant_id])
    return Status(201, assessment)
