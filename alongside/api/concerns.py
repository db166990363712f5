"""Concerns: list, read, raise (design.md §7), under the pages' rules.

Every fetch goes through ``alongside.concerns.selectors.concerns_visible_to``: a concern
about a staff member answers 404 to them and to their supervisors. Whoever raised a
concern reads its status; only those who triage it read how it is handled.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from alongside.api.pagination import page
from alongside.api.schemas import ERRORS, Page, PageParams, RuleRefusal, text
from alongside.audit.services import read_record
from alongside.concerns.models import Category, Concern, ConcernUrgency, RaisedThrough
from alongside.concerns.selectors import concerns_visible_to, staff_of
from alongside.concerns.services import concern_raise
from alongside.core.errors import RuleViolation
from alongside.core.permissions import (
    Cap,
    capabilities_of,
    engagements_visible_to,
    get_or_404,
)
from alongside.engagements.selectors import own_engagements
from alongside.engagements.services import OPEN_STATES

router = Router(tags=["concerns"])


class ConcernIn(Schema):
    category: Category
    urgency: ConcernUrgency = ConcernUrgency.NORMAL
    description: text(8000, min_length=1)  # type: ignore[valid-type]
    engagement: int | None = Field(
        None, description="Staff: an engagement they may see. A participant's is their own."
    )
    subject: int | None = Field(None, description="Staff: the staff member it is about.")
    about_my_supporter: bool = Field(False, description="Participant: about my peer supporter.")
    wants_different_supporter: bool = Field(
        False, description="Participant: I would like a different peer supporter."
    )


class ConcernOut(Schema):
    id: int
    category: str
    urgency: str
    status: str
    created_at: datetime.datetime
    acknowledged_at: datetime.datetime | None
    resolved_at: datetime.datetime | None
    engagement: int | None
    raised_through: str
    wants_different_supporter: bool
    description: str
    # Only for those who triage it; null for the person who raised it.
    subject: int | None = None
    handled_by: int | None = None
    resolution: str | None = None
    informed_at: datetime.datetime | None = None
    needs_outside_line: bool | None = None


def _may_use(request: HttpRequest) -> frozenset:
    caps = capabilities_of(request.user, request.organization)
    if Cap.CONCERNS_RAISE not in caps and Cap.CONCERNS_TRIAGE not in caps:
        raise PermissionDenied("Your role here does not include concerns.raise.")
    return caps


def _out(concern: Concern, triager: bool, user) -> dict:
    out = {
        "id": concern.pk,
        "category": concern.category,
        "urgency": concern.urgency,
        "status": concern.status,
        "created_at": concern.created_at,
        "acknowledged_at": concern.acknowledged_at,
        "resolved_at": concern.resolved_at,
        "engagement": concern.engagement_id,
        "raised_through": concern.raised_through,
        "wants_different_supporter": concern.wants_different_supporter,
        "description": concern.description,
    }
    if triager and concern.raised_by_id != user.pk:
        out.update(
            subject=concern.subject_user_id,
            handled_by=concern.handled_by_id,
            resolution=concern.resolution,
            informed_at=concern.informed_at,
            needs_outside_line=concern.needs_outside_line,
        )
    return out


def _participant_of(concern: Concern) -> int | None:
    return concern.engagement.participant_id if concern.engagement_id else None


@router.get("", summary="List concerns", response={200: Page[ConcernOut], **ERRORS})
def concern_list(request: HttpRequest, params: Query[PageParams]) -> dict:
    caps = _may_use(request)
    queryset = (
        concerns_visible_to(request.user, request.organization)
        .select_related("engagement")
        .order_by("-created_at", "-pk")
    )
    result = page(
        request,
        queryset,
        params,
        what="api concerns",
        participant_of=lambda c: _participant_of(c),
    )
    triager = Cap.CONCERNS_TRIAGE in caps
    result["items"] = [_out(c, triager, request.user) for c in result["items"]]
    return result


@router.get("/{concern_id}", summary="Read a concern", response={200: ConcernOut, **ERRORS})
def concern_read(request: HttpRequest, concern_id: int) -> dict:
    caps = _may_use(request)
    concern = get_or_404(
        concerns_visible_to(request.user, request.organization).select_related("engagement"),
        pk=concern_id,
    )
    read_record(request, "api concern", [p for p in [_participant_of(concern)] if p])
    return _out(concern, Cap.CONCERNS_TRIAGE in caps, request.user)


@router.post("", summary="Raise a concern", response={201: ConcernOut, 409: RuleRefusal, **ERRORS})
def concern_create_endpoint(request: HttpRequest, payload: ConcernIn) -> Status:
    """A participant's concern is about their open engagement; staff name one they see."""
    caps = _may_use(request)
    if Cap.CONCERNS_RAISE not in caps:
        raise PermissionDenied("Your role here does not include concerns.raise.")
    organization = request.organization
    participant = Cap.PORTAL_VIEW in caps
    subject = None
    if participant:
        engagement = (
            own_engagements(request.user, organization)
            .filter(state__in=OPEN_STATES)
            .select_related("supporter")
            .order_by("-started_on")
            .first()
        )
        if payload.about_my_supporter:
            if engagement is None or engagement.supporter is None:
                raise RuleViolation("You have no peer supporter to name.")
            subject = engagement.supporter
    else:
        engagement = None
        if payload.engagement is not None:
            engagement = get_or_404(
                engagements_visible_to(request.user, organization), pk=payload.engagement
            )
        if payload.subject is not None:
            subject = staff_of(organization).filter(pk=payload.subject).first()
            if subject is None:
                raise RuleViolation("Choose a staff member of this organization.")
    concern = concern_raise(
        organization=organization,
        actor=request.user,
        category=payload.category,
        urgency=payload.urgency,
        description=payload.description,
        engagement=engagement,
        subject=subject,
        wants_different_supporter=payload.wants_different_supporter and participant,
        raised_through=RaisedThrough.API,
    )
    if engagement is not None:
        read_record(request, "api concern", [engagement.participant_id])
    return Status(201, _out(concern, False, request.user))
