"""Concerns: list, read, raise, and triage (design.md §7), under the pages' rules.

Every fetch goes through ``alongside.concerns.selectors.concerns_visible_to``: a concern
about a staff member answers 404 to them and to their supervisors. Whoever raised a
concern reads its status; only those who triage it read how it is handled.

Triage is what the concern's page offers a coordinator (``concerns.triage``): acknowledge,
assign a handler, record an action, set the status (resolving needs what was done), and
record that the person who raised it was told. Each is its own ``POST``, decided by the
domain service against the concern as stored now (locked), so two coordinators acting at
once cannot both acknowledge it. A concern's report itself is never edited.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from alongside.api.auth import require
from alongside.api.pagination import page, within_days
from alongside.api.schemas import ERRORS, DatedParams, InputSchema, Page, RuleRefusal, text
from alongside.audit.services import read_record
from alongside.concerns.models import (
    Category,
    Concern,
    ConcernAction,
    ConcernStatus,
    ConcernUrgency,
    InformedHow,
    RaisedThrough,
)
from alongside.concerns.selectors import concern_handlers, concerns_visible_to, staff_of
from alongside.concerns.services import (
    concern_acknowledge,
    concern_action_record,
    concern_assign,
    concern_inform,
    concern_raise,
    concern_update,
)
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


class ConcernIn(InputSchema):
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


class ActionOut(Schema):
    kind: str = Field(description="acknowledged, assigned, action, a status, or informed.")
    text: str
    actor: int
    at: datetime.datetime


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
    informed_how: str | None = None
    needs_outside_line: bool | None = None
    acknowledged_by: int | None = None
    actions: list[ActionOut] | None = Field(
        None, description="The handling log, oldest first (triagers only)."
    )


class ConcernParams(DatedParams):
    """``since`` / ``until`` bound the day it was raised."""

    status: ConcernStatus | None = Field(
        None, description=f"Only concerns with this status: {', '.join(ConcernStatus.values)}."
    )
    category: Category | None = None
    urgency: ConcernUrgency | None = None
    engagement: int | None = Field(None, description="Only the concerns about this engagement.")


class HandlerIn(InputSchema):
    handler: int = Field(
        description="A coordinator who may handle it: not the person it is about, nor their "
        "supervisor; for a concern about an engagement, one of its program."
    )


ActionText = text(4000, min_length=1)  # the field below is named text too


class ActionIn(InputSchema):
    text: ActionText = Field(description="What was done.")  # type: ignore[valid-type]


class StatusIn(InputSchema):
    status: ConcernStatus = Field(
        description="open, in_review or resolved; resolved needs resolution (409 otherwise)."
    )
    resolution: text(8000) = Field(  # type: ignore[valid-type]
        "", description="Actions and resolution; replaces the text kept (empty keeps it)."
    )


class InformIn(InputSchema):
    how: InformedHow = Field(description=f"One of {', '.join(InformedHow.values)}.")
    when: datetime.datetime | None = Field(None, description="Not in the future; default now.")


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
            informed_how=concern.informed_how,
            needs_outside_line=concern.needs_outside_line,
            acknowledged_by=concern.acknowledged_by_id,
            actions=[
                {"kind": a.kind, "text": a.text, "actor": a.actor_id, "at": a.at}
                for a in concern.actions.all()
            ],
        )
    return out


def _participant_of(concern: Concern) -> int | None:
    return concern.engagement.participant_id if concern.engagement_id else None


def _visible(request: HttpRequest):
    """In scope, with what ``_out`` reads: the engagement and the handling log."""
    return (
        concerns_visible_to(request.user, request.organization)
        .select_related("engagement")
        .prefetch_related(Prefetch("actions", queryset=ConcernAction.objects.order_by("at", "pk")))
    )


@router.get("", summary="List concerns", response={200: Page[ConcernOut], **ERRORS})
def concern_list(request: HttpRequest, params: Query[ConcernParams]) -> dict:
    """Newest first."""
    caps = _may_use(request)
    queryset = _visible(request).order_by("-created_at", "-pk")
    for name in ("status", "category", "urgency"):
        value = getattr(params, name)
        if value is not None:
            queryset = queryset.filter(**{name: value})
    if params.engagement is not None:
        queryset = queryset.filter(engagement_id=params.engagement)
    queryset = within_days(queryset, "created_at", params)
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
    concern = get_or_404(_visible(request), pk=concern_id)
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


# Triage ------------------------------------------------------------------------------

TRIAGED = {200: ConcernOut, 409: RuleRefusal, **ERRORS}


def _locked(request: HttpRequest, concern_id: int) -> Concern:
    """The concern as stored now, locked until the transaction ends; 404 out of scope
    (and for the person it is about and their supervisors)."""
    require(request, Cap.CONCERNS_TRIAGE)
    visible = concerns_visible_to(request.user, request.organization)
    return get_or_404(visible.select_for_update(of=("self",)), pk=concern_id)


def _triaged(request: HttpRequest, concern_id: int) -> dict:
    concern = _visible(request).get(pk=concern_id)
    read_record(request, "api concern", [p for p in [_participant_of(concern)] if p])
    return _out(concern, True, request.user)


@router.post(
    "/{concern_id}/acknowledge", summary="Acknowledge a concern (triage)", response=TRIAGED
)
def concern_acknowledge_endpoint(request: HttpRequest, concern_id: int) -> dict:
    """The clock for time to acknowledge stops; an open concern moves to in_review.
    Acknowledging twice answers 409."""
    with transaction.atomic():
        concern = _locked(request, concern_id)
        concern_acknowledge(concern=concern, actor=request.user)
    return _triaged(request, concern_id)


@router.post("/{concern_id}/assign", summary="Assign a handler (triage)", response=TRIAGED)
def concern_assign_endpoint(request: HttpRequest, concern_id: int, payload: HandlerIn) -> dict:
    """Someone who may not handle it (the person it is about, their supervisor, a
    coordinator of another program) answers 409. It is acknowledged too, if not yet."""
    with transaction.atomic():
        concern = _locked(request, concern_id)
        handler = concern_handlers(concern).filter(pk=payload.handler).first()
        concern_assign(concern=concern, actor=request.user, handler=handler)
    return _triaged(request, concern_id)


@router.post(
    "/{concern_id}/actions",
    summary="Record an action taken (triage)",
    response={201: ConcernOut, 409: RuleRefusal, **ERRORS},
)
def concern_action_endpoint(request: HttpRequest, concern_id: int, payload: ActionIn) -> Status:
    with transaction.atomic():
        concern = _locked(request, concern_id)
        concern_action_record(concern=concern, actor=request.user, text=payload.text)
    return Status(201, _triaged(request, concern_id))


@router.post(
    "/{concern_id}/status",
    summary="Set the status: open, in_review, or resolved with what was done (triage)",
    response=TRIAGED,
)
def concern_status_endpoint(request: HttpRequest, concern_id: int, payload: StatusIn) -> dict:
    """Resolving without a resolution (none sent, none kept) answers 409. Reopening keeps
    what was written. Whoever sets it first becomes the handler, if there was none."""
    with transaction.atomic():
        concern = _locked(request, concern_id)
        concern_update(
            concern=concern,
            actor=request.user,
            status=payload.status,
            resolution=payload.resolution,
        )
    return _triaged(request, concern_id)


@router.post(
    "/{concern_id}/inform",
    summary="Record that the person who raised it was told the outcome (triage)",
    response=TRIAGED,
)
def concern_inform_endpoint(request: HttpRequest, concern_id: int, payload: InformIn) -> dict:
    """A concern raised without a way to reach anyone, or a time in the future, answers 409."""
    with transaction.atomic():
        concern = _locked(request, concern_id)
        concern_inform(concern=concern, actor=request.user, how=payload.how, when=payload.when)
    return _triaged(request, concern_id)
