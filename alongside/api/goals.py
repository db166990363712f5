"""Goals: list, read, create, update, with their stages of change and action steps (§7).

Scoped like the pages: staff see the goals of engagements they may see (a supervisor only
reads); a participant's token reads their own goals, as the portal shows them (without
the supporter's notes on stages). An update needs ``If-Match`` with the ETag read (428
without, 412 when stale). Moving a goal to planning with no readiness signal recorded
is saved, and the answer carries a gentle ``prompt`` to test readiness first.

Action steps and check-ins are written as on the goal's page: a step is added
(``POST /goals/{id}/steps``) and changed or marked done (``PATCH
/goals/{id}/steps/{step_id}``, with the step's ETag as If-Match); a check-in is recorded
(``POST /goals/{id}/check-ins``) and, like a note of the day, not edited after.
"""

from __future__ import annotations

import datetime
from typing import Literal

from django.db import transaction
from django.db.models import Prefetch, QuerySet
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
from alongside.api.pagination import page
from alongside.api.schemas import ERRORS, InputSchema, Page, PageParams, RuleRefusal, text
from alongside.audit.services import read_record
from alongside.core.permissions import (
    Cap,
    capabilities_of,
    engagements_visible_to,
    get_or_404,
    scoped,
)
from alongside.plans.models import (
    ActionStep,
    Approach,
    Goal,
    GoalStage,
    GoalStatus,
    Rating,
    Stage,
    StepOwner,
    WellnessDimension,
)
from alongside.plans.services import (
    check_in_record,
    goal_create,
    goal_update,
    readiness_prompt,
    step_create,
    step_mark,
    step_update,
)

router = Router(tags=["goals"])


def _staff(request: HttpRequest) -> bool:
    return Cap.ENGAGEMENTS_VIEW in capabilities_of(request.user, request.organization)


class StageOut(Schema):
    stage: str = Field(description=f"One of {', '.join(Stage.values)}.")
    recorded_at: datetime.datetime
    recorded_by: int
    note: str | None = Field(description="The note on it (staff only; null for a participant).")

    @staticmethod
    def resolve_recorded_by(obj) -> int:
        return obj.recorded_by_id

    @staticmethod
    def resolve_note(obj, context) -> str | None:
        return obj.note if _staff(context["request"]) else None


class ActionStepOut(Schema):
    id: int
    text: str
    owner: str = Field(description="participant, supporter, both or other.")
    due_on: datetime.date | None
    done: bool
    done_at: datetime.datetime | None
    notes: str
    version: int = Field(description="Also the step's ETag, to change it.")

    @staticmethod
    def resolve_done(obj) -> bool:
        return obj.is_done


class GoalOut(Schema):
    """A goal in the participant's own words, where they are with it, and its steps."""

    id: int
    engagement: int
    participant: int
    statement: str
    wellness_dimension: str = Field(description=f"One of {', '.join(WellnessDimension.values)}.")
    approach: str = Field(description=f"One of {', '.join(Approach.values)}.")
    why_it_matters: str
    strengths: str
    measure: str
    stage: str = Field(description="The current stage of change; empty until one is recorded.")
    stages: list[StageOut] = Field(description="Every stage recorded, oldest first.")
    status: str = Field(description=f"One of {', '.join(GoalStatus.values)}.")
    steps: list[ActionStepOut] = Field(description="Action steps, oldest first.")
    created_by: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    version: int = Field(description="Also the ETag; send it back as If-Match to change it.")

    @staticmethod
    def resolve_engagement(obj) -> int:
        return obj.engagement_id

    @staticmethod
    def resolve_participant(obj) -> int:
        return obj.engagement.participant_id

    @staticmethod
    def resolve_stages(obj) -> list:
        return list(obj.stages.all())

    @staticmethod
    def resolve_steps(obj) -> list:
        return list(obj.steps.all())

    @staticmethod
    def resolve_created_by(obj) -> int:
        return obj.created_by_id


class GoalWritten(GoalOut):
    prompt: str = Field(
        description=(
            "A gentle suggestion when the goal moved to planning (preparation or action) "
            "with no readiness signal recorded in the notes: test readiness first "
            "(Ask-Share-Ask). Empty otherwise. The change is saved either way."
        )
    )


class GoalParams(PageParams):
    engagement: int | None = Field(None, description="Only the goals of this engagement.")
    participant: int | None = Field(None, description="Only this person's goals.")
    status: GoalStatus | None = Field(
        None, description=f"Only goals with this status: {', '.join(GoalStatus.values)}."
    )
    stage: Stage | None = Field(None, description="Only goals now at this stage of change.")


class GoalIn(InputSchema):
    engagement: int = Field(description="An engagement in your scope.")
    statement: text(2000, min_length=1) = Field(description="In the participant's own words.")
    wellness_dimension: WellnessDimension
    approach: Approach = Field(
        Approach.NOT_APPLICABLE, description="The pathway the participant chooses."
    )
    why_it_matters: text(2000) = ""
    strengths: text(2000) = Field("", description="Strengths and resources to draw on.")
    measure: text(400) = Field("", description="How progress will be measured.")
    stage: Stage | Literal[""] = Field("", description="The stage of change, if known.")
    stage_note: text(500) = Field("", description="A note on the stage (staff only).")


class GoalPatch(InputSchema):
    """Fields left out keep their value. A new ``stage`` is added to the stage history."""

    statement: text(2000, min_length=1) = None
    wellness_dimension: WellnessDimension = None
    approach: Approach = None
    why_it_matters: text(2000) = None
    strengths: text(2000) = None
    measure: text(400) = None
    status: GoalStatus = None
    stage: Stage = Field(None, description="A new stage of change; it joins the history.")
    stage_note: text(500) = Field(
        None, description="A note on the new stage; kept only when the stage changes."
    )

    @model_validator(mode="after")
    def _note_with_stage(self) -> GoalPatch:
        if self.stage_note and "stage" not in self.model_fields_set:
            raise ValueError("stage_note goes with a new stage: send stage too.")
        return self

    def changes(self) -> dict:
        return self.model_dump(mode="json", exclude_unset=True, exclude={"stage_note"})


def _visible(request: HttpRequest) -> QuerySet[Goal]:
    """Goals of engagements the caller may see, with their stages and steps (two queries)."""
    goals = Goal.objects.select_related("engagement").prefetch_related(
        Prefetch("stages", queryset=GoalStage.objects.order_by("recorded_at", "id")),
        Prefetch("steps", queryset=ActionStep.objects.order_by("created_at", "id")),
    )
    return scoped(goals, request.user, request.organization, via="engagement")


def _answer(request: HttpRequest, pk: int, response: HttpResponse, prompt: str) -> Goal:
    """The goal as stored now, logged as read, with its ETag and the readiness prompt."""
    goal = _visible(request).get(pk=pk)
    goal.prompt = prompt
    read_record(request, "api goal", [goal.engagement.participant_id])
    set_etag(response, goal)
    return goal


# Named here: inside the classes below, ``text`` is a field's name.
StepText = text(500, min_length=1)
StepNotes = text(2000)


class ActionStepIn(InputSchema):
    text: StepText = Field(description="Who does what.")  # type: ignore[valid-type]
    owner: StepOwner = StepOwner.PARTICIPANT
    due_on: datetime.date | None = Field(None, description="By when.")
    notes: StepNotes = ""  # type: ignore[valid-type]


class StepPatch(InputSchema):
    """Fields left out keep their value; ``done`` marks it done (now) or not done."""

    text: StepText = None  # type: ignore[valid-type]
    owner: StepOwner = None
    due_on: datetime.date | None = None
    notes: StepNotes = None  # type: ignore[valid-type]
    done: bool = None

    @model_validator(mode="after")
    def _something(self) -> StepPatch:
        if not self.model_fields_set:
            raise ValueError("Send at least one field to change.")
        return self


class CheckInIn(InputSchema):
    rating: Rating = Field(
        description="How far along it feels, in the participant's judgement: 1 not at all, "
        "2 a little, 3 somewhat, 4 mostly, 5 fully."
    )
    note: text(2000) = ""  # type: ignore[valid-type]
    checked_on: datetime.date | None = Field(None, description="Not in the future; today.")


class CheckInOut(Schema):
    id: int
    goal: int
    rating: int
    note: str
    checked_on: datetime.date
    recorded_by: int
    created_at: datetime.datetime

    @staticmethod
    def resolve_goal(obj) -> int:
        return obj.goal_id

    @staticmethod
    def resolve_recorded_by(obj) -> int:
        return obj.recorded_by_id


@router.get("", summary="List goals", response={200: Page[GoalOut], **ERRORS})
def goal_list(request: HttpRequest, params: Query[GoalParams]) -> dict:
    """Oldest first; staff see their scope, a participant's token their own goals."""
    require(request, Cap.ENGAGEMENTS_VIEW, Cap.PORTAL_VIEW)
    queryset = _visible(request).order_by("created_at", "pk")
    if params.engagement is not None:
        queryset = queryset.filter(engagement_id=params.engagement)
    if params.participant is not None:
        queryset = queryset.filter(engagement__participant_id=params.participant)
    if params.status is not None:
        queryset = queryset.filter(status=params.status)
    if params.stage is not None:
        queryset = queryset.filter(stage=params.stage)
    return page(
        request,
        queryset,
        params,
        what="api goals",
        participant_of=lambda g: g.engagement.participant_id,
    )


@router.get(
    "/{goal_id}",
    summary="Read a goal",
    response={200: GoalOut, **ERRORS},
    openapi_extra=openapi(),
)
def goal_read(request: HttpRequest, goal_id: int, response: HttpResponse) -> Goal:
    require(request, Cap.ENGAGEMENTS_VIEW, Cap.PORTAL_VIEW)
    goal = get_or_404(_visible(request), pk=goal_id)
    read_record(request, "api goal", [goal.engagement.participant_id])
    set_etag(response, goal)
    return goal


@router.post(
    "",
    summary="Write down a goal",
    response={201: GoalWritten, 409: RuleRefusal, **ERRORS},
    openapi_extra=openapi(reads=(201,)),
)
def goal_create_endpoint(request: HttpRequest, payload: GoalIn, response: HttpResponse) -> Status:
    require(request, Cap.GOALS_WRITE)
    engagement = get_or_404(
        engagements_visible_to(request.user, request.organization).select_related(
            "participant", "organization"
        ),
        pk=payload.engagement,
    )
    values = payload.model_dump(mode="json", exclude={"engagement"})
    goal = goal_create(engagement=engagement, actor=request.user, **values)
    prompt = readiness_prompt(engagement=engagement, from_stage="", to_stage=goal.stage)
    return Status(201, _answer(request, goal.pk, response, prompt))


@router.patch(
    "/{goal_id}",
    summary="Change a goal, or record a new stage of change",
    response={200: GoalWritten, 409: RuleRefusal, **ERRORS, **PRECONDITION_ERRORS},
    openapi_extra=openapi(conditional=True),
)
def goal_update_endpoint(
    request: HttpRequest, goal_id: int, payload: GoalPatch, response: HttpResponse
) -> Goal:
    """A move to planning with no readiness signal is saved; the answer carries ``prompt``."""
    require(request, Cap.GOALS_WRITE)
    goal = get_or_404(_visible(request), pk=goal_id)
    version = if_match_version(request, goal)
    before = goal.stage
    with precondition(goal):
        saved = goal_update(
            goal=goal,
            actor=request.user,
            expected_version=version,
            stage_note=payload.stage_note or "",
            **payload.changes(),
        )
    prompt = readiness_prompt(engagement=goal.engagement, from_stage=before, to_stage=saved.stage)
    return _answer(request, goal.pk, response, prompt)


# Action steps and check-ins ---------------------------------------------------------


def _step_answer(request: HttpRequest, step_id: int, response: HttpResponse) -> ActionStep:
    step = ActionStep.objects.select_related("goal__engagement").get(pk=step_id)
    read_record(request, "api goal", [step.goal.engagement.participant_id])
    set_etag(response, step)
    return step


@router.post(
    "/{goal_id}/steps",
    summary="Add an action step to a goal",
    response={201: ActionStepOut, 409: RuleRefusal, **ERRORS},
    openapi_extra=openapi(reads=(201,)),
)
def step_create_endpoint(
    request: HttpRequest, goal_id: int, payload: ActionStepIn, response: HttpResponse
) -> Status:
    """A closed engagement answers 409."""
    require(request, Cap.GOALS_WRITE)
    goal = get_or_404(_visible(request).select_related("engagement__organization"), pk=goal_id)
    step = step_create(goal=goal, actor=request.user, **payload.model_dump())
    return Status(201, _step_answer(request, step.pk, response))


@router.patch(
    "/{goal_id}/steps/{step_id}",
    summary="Change an action step, or mark it done",
    response={200: ActionStepOut, 409: RuleRefusal, **ERRORS, **PRECONDITION_ERRORS},
    openapi_extra=openapi(conditional=True),
)
def step_update_endpoint(
    request: HttpRequest, goal_id: int, step_id: int, payload: StepPatch, response: HttpResponse
) -> ActionStep:
    """Needs the step's ETag as If-Match (428 without, 412 when stale). A change and
    ``done`` are saved together or not at all."""
    require(request, Cap.GOALS_WRITE)
    goal = get_or_404(_visible(request).select_related("engagement__organization"), pk=goal_id)
    step = get_or_404(ActionStep.objects.filter(goal=goal), pk=step_id)
    step.goal = goal
    version = if_match_version(request, step)
    changes = payload.model_dump(exclude_unset=True, exclude={"done"})
    with precondition(step), transaction.atomic():
        if changes:
            version = step_update(
                step=step, actor=request.user, expected_version=version, **changes
            ).version
        if payload.done is not None:
            step_mark(step=step, actor=request.user, expected_version=version, done=payload.done)
    return _step_answer(request, step.pk, response)


@router.post(
    "/{goal_id}/check-ins",
    summary="Record a progress check-in on a goal",
    response={201: CheckInOut, 409: RuleRefusal, **ERRORS},
)
def check_in_create_endpoint(request: HttpRequest, goal_id: int, payload: CheckInIn) -> Status:
    """A date in the future or a closed engagement answers 409."""
    require(request, Cap.GOALS_WRITE)
    goal = get_or_404(_visible(request).select_related("engagement__organization"), pk=goal_id)
    check_in = check_in_record(goal=goal, actor=request.user, **payload.model_dump())
    read_record(request, "api goal", [goal.engagement.participant_id])
    return Status(201, check_in)
