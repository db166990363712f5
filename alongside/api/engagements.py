"""Engagements the caller may see: list, read, lifecycle transitions (design.md §3) and
extensions of the duration guideline.

An engagement is never edited as a whole: its state moves through transitions, its
supporter is chosen by matching (on the pages), and its dates follow from those. A read
answers the ``ETag``; a transition may send it as ``If-Match`` (or ``version`` in the
body), an extension must.
"""

from __future__ import annotations

import datetime

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from alongside.api.auth import require
from alongside.api.etags import (
    PRECONDITION_ERRORS,
    if_match_version,
    openapi,
    precondition,
    set_etag,
)
from alongside.api.pagination import page, within_days
from alongside.api.schemas import (
    ERRORS,
    DatedParams,
    EngagementOut,
    InputSchema,
    Page,
    RuleRefusal,
    TransitionIn,
    text,
)
from alongside.audit.services import read_record
from alongside.core.permissions import Cap, engagements_visible_to, get_or_404
from alongside.engagements.guidelines import guideline_extend
from alongside.engagements.models import GuidelineExtension, State
from alongside.engagements.services import engagement_transition

router = Router(tags=["engagements"])


class EngagementParams(DatedParams):
    """``since`` / ``until`` bound the day it started."""

    program: int | None = Field(None, description="Only the engagements of this program.")
    participant: int | None = Field(None, description="Only this person's engagements.")
    supporter: int | None = Field(None, description="Only those of this peer supporter.")
    state: State | None = Field(
        None, description=f"Only engagements in this state: {', '.join(State.values)}."
    )


class ExtensionIn(InputSchema):
    until: datetime.date = Field(
        description="The new end of the guideline: later than the current one, in the future."
    )
    reason: text(2000, min_length=1) = Field(  # type: ignore[valid-type]
        description="Why support goes on past the guideline."
    )


class ExtensionOut(Schema):
    id: int
    engagement: int
    previous_ends_on: datetime.date
    new_ends_on: datetime.date
    reason: str
    actor: int = Field(description="Who extended it.")
    at: datetime.datetime

    @staticmethod
    def resolve_engagement(obj) -> int:
        return obj.engagement_id

    @staticmethod
    def resolve_actor(obj) -> int:
        return obj.actor_id


@router.get("", summary="List engagements", response={200: Page[EngagementOut], **ERRORS})
def engagement_list(request: HttpRequest, params: Query[EngagementParams]) -> dict:
    """Newest first (by the day it started)."""
    require(request, Cap.ENGAGEMENTS_VIEW)
    queryset = engagements_visible_to(request.user, request.organization).order_by(
        "-started_on", "-pk"
    )
    for name in ("program", "participant", "supporter"):
        value = getattr(params, name)
        if value is not None:
            queryset = queryset.filter(**{f"{name}_id": value})
    if params.state is not None:
        queryset = queryset.filter(state=params.state)
    queryset = within_days(queryset, "started_on", params)
    return page(
        request,
        queryset,
        params,
        what="api engagements",
        participant_of=lambda e: e.participant_id,
    )


@router.get(
    "/{engagement_id}",
    summary="Read an engagement",
    response={200: EngagementOut, **ERRORS},
    openapi_extra=openapi(),
)
def engagement_read(request: HttpRequest, engagement_id: int, response: HttpResponse):
    require(request, Cap.ENGAGEMENTS_VIEW)
    engagement = get_or_404(
        engagements_visible_to(request.user, request.organization), pk=engagement_id
    )
    read_record(request, "api engagement", [engagement.participant_id])
    set_etag(response, engagement)
    return engagement


TRANSITION_EXTRA = openapi()
TRANSITION_EXTRA["parameters"] = [
    {
        **openapi(conditional=True)["parameters"][0],
        "required": False,
        "description": (
            "Optional: the ETag you read. If the engagement changed since, 412 and nothing "
            "changes. (A stale `version` in the body answers 409, as it always has.)"
        ),
    }
]


@router.post(
    "/{engagement_id}/transitions",
    response={200: EngagementOut, 409: RuleRefusal, 412: PRECONDITION_ERRORS[412], **ERRORS},
    summary="Move an engagement to another state",
    openapi_extra=TRANSITION_EXTRA,
)
def engagement_transition_endpoint(
    request: HttpRequest, engagement_id: int, payload: TransitionIn, response: HttpResponse
):
    """Move the engagement to another state; a refusal (409) names what is missing."""
    require(request, Cap.ENGAGEMENTS_TRANSITION)
    engagement = get_or_404(
        engagements_visible_to(request.user, request.organization), pk=engagement_id
    )
    conditional = bool(request.headers.get("If-Match", "").strip())
    if conditional:
        if_match_version(request, engagement)
    if payload.version is not None:
        # The service refuses (StaleEdit) when the stored version differs from this one.
        engagement.version = payload.version
    if conditional:
        with precondition(engagement):
            engagement = engagement_transition(
                engagement=engagement,
                to_state=payload.to,
                actor=request.user,
                reason=payload.reason,
            )
    else:
        engagement = engagement_transition(
            engagement=engagement, to_state=payload.to, actor=request.user, reason=payload.reason
        )
    read_record(request, "api engagement", [engagement.participant_id])
    set_etag(response, engagement)
    return engagement


@router.post(
    "/{engagement_id}/extensions",
    summary="Extend the duration guideline, with a reason",
    response={201: ExtensionOut, 409: RuleRefusal, **ERRORS, **PRECONDITION_ERRORS},
    openapi_extra=openapi(reads=(201,), conditional=True),
)
def engagement_extend_endpoint(
    request: HttpRequest, engagement_id: int, payload: ExtensionIn, response: HttpResponse
) -> Status:
    """Coordinators (``engagements.extend``), with the engagement's ETag as If-Match; the
    answer's ETag is the engagement's new one. A program without a guideline, a closed
    engagement, or a date not after the current end or too far ahead answers 409."""
    require(request, Cap.ENGAGEMENTS_EXTEND)
    engagement = get_or_404(
        engagements_visible_to(request.user, request.organization).select_related(
            "program", "organization"
        ),
        pk=engagement_id,
    )
    version = if_match_version(request, engagement)
    with precondition(engagement):
        extension = guideline_extend(
            engagement=engagement,
            actor=request.user,
            until=payload.until,
            reason=payload.reason,
            expected_version=version,
        )
    read_record(request, "api engagement", [engagement.participant_id])
    set_etag(response, engagement)
    return Status(201, GuidelineExtension.objects.get(pk=extension.pk))
