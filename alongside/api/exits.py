"""Exits: list, read, start, record checklist steps, complete (design.md §7), under the
pages' rules.

Staff with ``engagements.view`` read the exits of engagements they may see, as the
engagement page shows them; starting one, recording a step of the concluding checklist
and completing one need ``exits.write`` (supporters and coordinators; a supervisor only
reads). The portal does not show exits, so a participant's token is refused (403).
Starting an exit moves the engagement to exiting with its kind (planned, step-down,
abrupt) and reason; completing it closes the engagement, whose record is read-only from
then on. Completion is refused (409) while steps of the checklist are open, with
``missing`` listing them; an abrupt ending may record a step as ``not_possible`` with
the reason.
"""

from __future__ import annotations

import datetime
from typing import Literal

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from alongside.api.auth import require
from alongside.api.pagination import page, within_days
from alongside.api.schemas import ERRORS, DatedParams, InputSchema, Page, RuleRefusal, text
from alongside.audit.services import read_record
from alongside.core.permissions import Cap, engagements_visible_to, get_or_404, scoped
from alongside.exits.models import ConcludingStep, Exit, ExitKind, ExitReason
from alongside.exits.services import completion_missing, exit_complete, exit_start, step_record

router = Router(tags=["exits"])

StepName = Literal[tuple(ConcludingStep.Step.values)]  # type: ignore[valid-type]
StepStatusIn = Literal[tuple(ConcludingStep.Status.values)]  # type: ignore[valid-type]


class ExitStepOut(Schema):
    step: str = Field(description=f"One of {', '.join(ConcludingStep.Step.values)}.")
    label: str
    status: str = Field(description="open, done, or not_possible (abrupt endings only).")
    note: str = Field(description="What was said or arranged; why it could not be done.")
    recorded_at: datetime.datetime | None
    recorded_by: int | None


def _checklist(exit_: Exit) -> list[dict]:
    rows = {s.step: s for s in exit_.engagement.concluding_steps.all()}
    answer = []
    for step in ConcludingStep.Step:
        row = rows.get(step.value)
        answer.append(
            {
                "step": step.value,
                "label": str(step.label),
                "status": row.status if row else "open",
                "note": row.note if row else "",
                "recorded_at": row.recorded_at if row else None,
                "recorded_by": row.recorded_by_id if row else None,
            }
        )
    return answer


class ExitOut(Schema):
    id: int
    engagement: int
    participant: int
    engagement_state: str = Field(description="exiting until the exit is completed, then closed.")
    kind: str = Field(description=f"One of {', '.join(ExitKind.values)}.")
    reason: str = Field(description=f"One of {', '.join(ExitReason.values)}.")
    reason_detail: str = Field(description="What happened, for the reason “other”.")
    step_down_per_month: int | None = Field(description="Meetings a month while stepping down.")
    step_down_until: datetime.date | None = Field(description="The step-down's last day.")
    note: str = Field(description="How the ending went.")
    started_at: datetime.datetime
    started_by: int
    completed_at: datetime.datetime | None
    completed_by: int | None
    checklist: list[ExitStepOut] = Field(description="The concluding checklist, step by step.")

    @staticmethod
    def resolve_engagement(obj) -> int:
        return obj.engagement_id

    @staticmethod
    def resolve_participant(obj) -> int:
        return obj.engagement.participant_id

    @staticmethod
    def resolve_engagement_state(obj) -> str:
        return obj.engagement.state

    @staticmethod
    def resolve_started_by(obj) -> int:
        return obj.started_by_id

    @staticmethod
    def resolve_completed_by(obj) -> int | None:
        return obj.completed_by_id

    @staticmethod
    def resolve_checklist(obj) -> list[dict]:
        return _checklist(obj)


class ExitDetailOut(ExitOut):
    missing: list[str] = Field(
        description="What completing still needs (empty when it may close, or once closed)."
    )

    @staticmethod
    def resolve_missing(obj) -> list[str]:
        if obj.completed_at is not None:
            return []
        # The checklist rows are prefetched (``_visible``): no second query for them.
        steps = {s.step: s for s in obj.engagement.concluding_steps.all()}
        return [str(m) for m in completion_missing(obj.engagement, obj, steps)]


class ExitStartIn(InputSchema):
    engagement: int = Field(description="An engagement in your scope that may move to exiting.")
    kind: ExitKind | None = Field(
        None, description="planned, step_down or abrupt; without it, the reason decides."
    )
    reason: ExitReason
    reason_detail: text(400) = Field("", description="Needed for “other”.")  # type: ignore[valid-type]
    step_down_per_month: int | None = Field(None, ge=1, le=31)
    step_down_until: datetime.date | None = None
    note: text(4000) = ""  # type: ignore[valid-type]


class ExitStepIn(InputSchema):
    step: StepName
    status: StepStatusIn = "done"
    note: text(2000) = ""  # type: ignore[valid-type]


class ExitCompleteIn(InputSchema):
    note: text(4000) = Field("", description="Added to the exit's note.")  # type: ignore[valid-type]
    steps: list[ExitStepIn] = Field(
        default_factory=list,
        description="Open steps to record first (the guided close); all or nothing.",
    )


class ExitParams(DatedParams):
    """``since`` / ``until`` bound the day it was started."""

    engagement: int | None = Field(None, description="Only the exit of this engagement.")
    participant: int | None = Field(None, description="Only this person's exits.")
    kind: ExitKind | None = Field(None, description=f"One of {', '.join(ExitKind.values)}.")
    reason: ExitReason | None = Field(None, description=f"One of {', '.join(ExitReason.values)}.")
    completed: bool | None = Field(
        None, description="true: only completed exits (closed); false: only those under way."
    )


def _visible(request: HttpRequest) -> QuerySet[Exit]:
    exits = Exit.objects.select_related("engagement").prefetch_related(
        Prefetch(
            "engagement__concluding_steps",
            queryset=ConcludingStep.objects.order_by("recorded_at", "pk"),
        )
    )
    return scoped(exits, request.user, request.organization, via="engagement")


def _answer(request: HttpRequest, pk: int) -> Exit:
    """The exit as stored now (in scope, else 404), logged as read."""
    exit_ = get_or_404(_visible(request), pk=pk)
    read_record(request, "api exit", [exit_.engagement.participant_id])
    return exit_


@router.get("", summary="List exits", response={200: Page[ExitOut], **ERRORS})
def exit_list(request: HttpRequest, params: Query[ExitParams]) -> dict:
    """Newest first (by when the exit was started)."""
    require(request, Cap.ENGAGEMENTS_VIEW)
    queryset = _visible(request).order_by("-started_at", "-pk")
    if params.engagement is not None:
        queryset = queryset.filter(engagement_id=params.engagement)
    if params.participant is not None:
        queryset = queryset.filter(engagement__participant_id=params.participant)
    if params.kind is not None:
        queryset = queryset.filter(kind=params.kind)
    if params.reason is not None:
        queryset = queryset.filter(reason=params.reason)
    if params.completed is not None:
        queryset = queryset.filter(completed_at__isnull=not params.completed)
    queryset = within_days(queryset, "started_at", params)
    return page(
        request,
        queryset,
        params,
        what="api exits",
        participant_of=lambda e: e.engagement.participant_id,
    )


@router.get("/{exit_id}", summary="Read an exit", response={200: ExitDetailOut, **ERRORS})
def exit_read(request: HttpRequest, exit_id: int) -> Exit:
    require(request, Cap.ENGAGEMENTS_VIEW)
    return _answer(request, exit_id)


@router.post(
    "",
    summary="Start an exit: the engagement moves to exiting",
    response={201: ExitDetailOut, 409: RuleRefusal, **ERRORS},
)
def exit_start_endpoint(request: HttpRequest, payload: ExitStartIn) -> Status:
    """Refused (409) when an exit was already started or the engagement cannot move; a
    reason that does not fit the kind, "other" without a description, or a step-down
    without its plan answers 422."""
    require(request, Cap.EXITS_WRITE)
    engagement = get_or_404(
        engagements_visible_to(request.user, request.organization).select_related(
            "program", "organization"
        ),
        pk=payload.engagement,
    )
    exit_ = exit_start(
        engagement=engagement,
        actor=request.user,
        kind=payload.kind or "",
        reason=payload.reason,
        reason_detail=payload.reason_detail,
        step_down_per_month=payload.step_down_per_month,
        step_down_until=payload.step_down_until,
        note=payload.note,
    )
    return Status(201, _answer(request, exit_.pk))


@router.post(
    "/{exit_id}/steps",
    summary="Record a step of the concluding checklist",
    response={200: ExitDetailOut, 409: RuleRefusal, **ERRORS},
)
def exit_step_endpoint(request: HttpRequest, exit_id: int, payload: ExitStepIn) -> Exit:
    """``not_possible`` (with the reason in ``note``) is for abrupt endings only; "records
    finalized" is refused (409) while drafts remain, listed in ``missing``."""
    require(request, Cap.EXITS_WRITE)
    exit_ = get_or_404(_visible(request), pk=exit_id)
    step_record(
        engagement=exit_.engagement,
        actor=request.user,
        step=payload.step,
        status=payload.status,
        note=payload.note,
    )
    return _answer(request, exit_.pk)


@router.post(
    "/{exit_id}/complete",
    summary="Complete an exit: the engagement closes and becomes read-only",
    response={200: ExitDetailOut, 409: RuleRefusal, **ERRORS},
)
def exit_complete_endpoint(request: HttpRequest, exit_id: int, payload: ExitCompleteIn) -> Exit:
    """Refused (409, with ``missing``) while steps of the concluding checklist are open."""
    require(request, Cap.EXITS_WRITE)
    exit_ = get_or_404(_visible(request), pk=exit_id)
    exit_complete(
        engagement=exit_.engagement,
        actor=request.user,
        note=payload.note,
        steps={s.step: {"status": s.status, "note": s.note} for s in payload.steps},
    )
    return _answer(request, exit_.pk)
