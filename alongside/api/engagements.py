"""Engagements the caller may see: list, read, and lifecycle transitions (design.md §3)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from alongside.api.auth import require
from alongside.api.pagination import page
from alongside.api.schemas import (
    ERRORS,
    EngagementOut,
    Page,
    PageParams,
    RuleRefusal,
    TransitionIn,
)
from alongside.audit.services import read_record
from alongside.core.permissions import Cap, engagements_visible_to, get_or_404
from alongside.engagements.services import engagement_transition

router = Router(tags=["engagements"])


@router.get("", summary="List engagements", response={200: Page[EngagementOut], **ERRORS})
def engagement_list(request: HttpRequest, params: Query[PageParams]) -> dict:
    require(request, Cap.ENGAGEMENTS_VIEW)
    queryset = engagements_visible_to(request.user, request.organization).order_by(
        "-started_on", "-pk"
    )
    return page(
        request,
        queryset,
        params,
        what="api engagements",
        participant_of=lambda e: e.participant_id,
    )


@router.get(
    "/{engagement_id}", summary="Read an engagement", response={200: EngagementOut, **ERRORS}
)
def engagement_read(request: HttpRequest, engagement_id: int):
    require(request, Cap.ENGAGEMENTS_VIEW)
    engagement = get_or_404(
        engagements_visible_to(request.user, request.organization), pk=engagement_id
    )
    read_record(request, "api engagement", [engagement.participant_id])
    return engagement


@router.post(
    "/{engagement_id}/transitions",
    response={200: EngagementOut, 409: RuleRefusal, **ERRORS},
    summary="Move an engagement to another state",
)
def engagement_transition_endpoint(
    request: HttpRequest, engagement_id: int, payload: TransitionIn
):
    """Move the engagement to another state; a refusal (409) names what is missing."""
    require(request, Cap.ENGAGEMENTS_TRANSITION)
    engagement = get_or_404(
        engagements_visible_to(request.user, request.organization), pk=engagement_id
    )
    if payload.version is not None:
        # The service refuses (StaleEdit) when the stored version differs from this one.
        engagement.version = payload.version
    engagement = engagement_transition(
        engagement=engagement, to_state=payload.to, actor=request.user, reason=payload.reason
    )
    read_record(request, "api engagement", [engagement.participant_id])
    return engagement
