"""Meetings: list, read, plan or log, move, cancel, record what happened (design.md §7).

Scoped like the pages: staff see the meetings of engagements they may see (a supervisor
only reads); a participant's token reads their own meetings, without the cancel reason
or anything of the notes, as the portal shows them. Notes are not part of this API.

Every change to an existing meeting needs ``If-Match`` with the ETag read (428 without,
412 when stale). Moving a planned meeting, or changing its length, mode, place or
reminder, is a PATCH; cancelling it and recording what happened (held, with how long it
ran, or missed) are their own POSTs, each with the fields it needs, as on the pages.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import AfterValidator, model_validator

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
    DAY_PATTERN,
    ERRORS,
    InputSchema,
    Page,
    PageParams,
    RuleRefusal,
    text,
)
from alongside.audit.services import read_record
from alongside.core.errors import RuleViolation
from alongside.core.permissions import (
    Cap,
    capabilities_of,
    engagements_visible_to,
    get_or_404,
    scoped,
)
from alongside.meetings.models import Meeting, MeetingStatus, Mode, PlaceType
from alongside.meetings.services import (
    REMINDER_MAX_MINUTES,
    MeetingOverlap,
    meeting_cancel,
    meeting_ends_at,
    meeting_log,
    meeting_record_held,
    meeting_record_missed,
    meeting_reschedule,
    meeting_schedule,
)

router = Router(tags=["meetings"])

# Well clear of the ends of the calendar, so adding a meeting's length never overflows.
EARLIEST = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)
LATEST = datetime.datetime(2999, 12, 31, tzinfo=datetime.UTC)


def _aware(value: datetime.datetime) -> datetime.datetime:
    """A time without an offset is local time (the organization's time zone). Answered in
    UTC: Python allows offsets up to ±23:59, PostgreSQL only ±15:59."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if not EARLIEST <= value <= LATEST:
        raise ValueError("Choose a date between the years 1900 and 2999.")
    return value.astimezone(datetime.UTC)


def _moment(value: str) -> datetime.date | datetime.datetime:
    """A day (YYYY-MM-DD) or a moment (ISO 8601 date and time) for the list's bounds."""
    value = value.strip()
    try:
        if len(value) == 10:
            parsed: datetime.date | datetime.datetime = datetime.date.fromisoformat(value)
            if not EARLIEST.date() <= parsed <= LATEST.date():
                raise ValueError
            return parsed
        return _aware(datetime.datetime.fromisoformat(value))
    except ValueError:
        raise ValueError(
            "Use a date (2025-03-01) or a date and time (2025-03-01T09:00+00:00) "
            "between the years 1900 and 2999."
        ) from None


def _checked_moment(value: str) -> str:
    _moment(value)
    return value


LocalDateTime = Annotated[datetime.datetime, AfterValidator(_aware)]
Moment = Annotated[str, AfterValidator(_checked_moment)]
# What the document says a bound takes: a day or a moment, in the years 1900 to 2999.
MOMENT_SCHEMA = {
    "anyOf": [
        {"type": "string", "format": "date", "pattern": DAY_PATTERN},
        {"type": "string", "format": "date-time", "pattern": r"^(19\d\d|2\d\d\d)-"},
    ]
}
Minutes = Annotated[int, Field(ge=1, le=1440, description="From 1 to 1440.")]
ReminderMinutes = Annotated[
    int,
    Field(ge=1, le=REMINDER_MAX_MINUTES, description="Minutes before: from 1 to 10080 (7 days)."),
]


def _staff(request: HttpRequest) -> bool:
    """Staff see the team's details; a participant's token sees what the portal shows."""
    return Cap.ENGAGEMENTS_VIEW in capabilities_of(request.user, request.organization)


class MeetingOut(Schema):
    """A meeting: when, how long, how and where, and what became of it. Never its note."""

    id: int
    engagement: int
    participant: int
    supporter: int | None = Field(description="The engagement's peer supporter.")
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    duration_minutes: int = Field(
        description="The planned length while planned; how long it ran once held."
    )
    planned_minutes: int | None = Field(description="The length it was planned for.")
    mode: str = Field(description=f"One of {', '.join(Mode.values)}.")
    place_type: str = Field(description=f"One of {', '.join(PlaceType.values)}, or empty.")
    status: str = Field(description=f"One of {', '.join(MeetingStatus.values)}.")
    cancel_reason: str | None = Field(
        description="Why it was cancelled (staff only; null for a participant's token)."
    )
    service_units: int = Field(description="Reportable units of a held meeting.")
    reminder_minutes: int | None = Field(description="A reminder this long before; null: none.")
    reminder_outcome: str = Field(description="What became of the reminder; empty until due.")
    has_note: bool | None = Field(
        description="Whether a note was written (staff only; null for a participant's token)."
    )
    note_status: str | None = Field(
        description="draft or final, null without a note (and for a participant's token)."
    )
    created_at: datetime.datetime
    version: int = Field(description="Also the ETag; send it back as If-Match to change it.")

    @staticmethod
    def resolve_engagement(obj) -> int:
        return obj.engagement_id

    @staticmethod
    def resolve_participant(obj) -> int:
        return obj.engagement.participant_id

    @staticmethod
    def resolve_supporter(obj) -> int | None:
        return obj.engagement.supporter_id

    @staticmethod
    def resolve_ends_at(obj) -> datetime.datetime:
        return meeting_ends_at(obj)

    @staticmethod
    def resolve_cancel_reason(obj, context) -> str | None:
        return obj.cancel_reason if _staff(context["request"]) else None

    @staticmethod
    def resolve_has_note(obj, context) -> bool | None:
        return obj.note_state is not None if _staff(context["request"]) else None

    @staticmethod
    def resolve_note_status(obj, context) -> str | None:
        return obj.note_state if _staff(context["request"]) else None


class MeetingParams(PageParams):
    engagement: int | None = Field(None, description="Only the meetings of this engagement.")
    participant: int | None = Field(None, description="Only this person's meetings.")
    status: MeetingStatus | None = Field(None, description="Only meetings with this status.")
    start: Moment | None = Field(
        None,
        alias="from",
        json_schema_extra=MOMENT_SCHEMA,
        description=(
            "Only meetings starting at or after this: a date (from the start of that local "
            "day) or a date and time."
        ),
    )
    end: Moment | None = Field(
        None,
        alias="to",
        json_schema_extra=MOMENT_SCHEMA,
        description=(
            "Only meetings starting before this: a date (up to the end of that local day, "
            "included) or a date and time (excluded)."
        ),
    )


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _bound(value: str | None, *, end: bool) -> datetime.datetime | None:
    if value is None:
        return None
    moment = _moment(value)
    if isinstance(moment, datetime.datetime):
        return moment
    return _local_midnight(moment + datetime.timedelta(days=1) if end else moment)


class MeetingIn(InputSchema):
    """Plan a meeting, or log one that happened (held) or did not (missed)."""

    engagement: int = Field(description="An engagement in your scope.")
    status: Literal["planned", "held", "missed"] = Field(
        "planned",
        description=(
            "planned (in the future; needs place_type), held or missed (a no-show; not in "
            "the future)."
        ),
    )
    starts_at: LocalDateTime = Field(
        description="ISO 8601; without an offset it is the organization's local time."
    )
    duration_minutes: Minutes = 60
    mode: Mode
    place_type: PlaceType | Literal[""] = Field("", description="Needed for a planned meeting.")
    reminder_minutes: ReminderMinutes | None = Field(
        None, description="Remind the participant this long before (planned meetings only)."
    )
    allow_overlap: bool = Field(
        False,
        description=(
            "Save even if the supporter has another meeting then; without it a clash "
            "answers 409 listing the clashes."
        ),
    )


class MeetingPatch(InputSchema):
    """Change a planned meeting; fields left out keep their value."""

    starts_at: LocalDateTime = Field(None, description="Move it (to the future).")
    duration_minutes: Minutes = None
    mode: Mode = None
    place_type: PlaceType = None
    reminder_minutes: ReminderMinutes | None = Field(
        None, description="Minutes before; null removes the reminder."
    )
    allow_overlap: bool = False


class CancelIn(InputSchema):
    reason: text(500, min_length=1) = Field(
        description="Why; it stays with the team, the participant sees only that it was."
    )


class OutcomeIn(InputSchema):
    outcome: Literal["held", "missed"] = Field(
        description="held (it happened) or missed (the participant did not come)."
    )
    duration_minutes: Minutes | None = Field(
        None, description="How long it really ran; required when held."
    )
    mode: Mode | None = Field(None, description="How it happened, if not as planned.")

    @model_validator(mode="after")
    def _length_when_held(self) -> OutcomeIn:
        if self.outcome == MeetingStatus.HELD and self.duration_minutes is None:
            raise ValueError("Say how long the meeting ran (duration_minutes).")
        return self


class Clash(Schema):
    id: int | None = Field(description="Null when the meeting is outside your scope.")
    engagement: int | None = Field(description="Null when outside your scope.")
    starts_at: datetime.datetime
    ends_at: datetime.datetime


class OverlapRefusal(RuleRefusal):
    overlaps: list[Clash] = Field(
        default_factory=list,
        description="The supporter's meetings at that time; send allow_overlap to save anyway.",
    )


def _visible(request: HttpRequest) -> QuerySet[Meeting]:
    """Meetings of engagements the caller may see, with whether each has a note."""
    meetings = Meeting.objects.select_related("engagement").annotate(note_state=F("note__status"))
    return scoped(meetings, request.user, request.organization, via="engagement")


def _answer(request: HttpRequest, pk: int, response: HttpResponse) -> Meeting:
    """The meeting as stored now, logged as read, with its ETag."""
    meeting = _visible(request).get(pk=pk)
    read_record(request, "api meeting", [meeting.engagement.participant_id])
    set_etag(response, meeting)
    return meeting


def _overlap_refusal(request: HttpRequest, refusal: MeetingOverlap) -> Status:
    visible = set(
        _visible(request)
        .filter(pk__in=[m.pk for m in refusal.overlaps])
        .values_list("pk", flat=True)
    )
    clashes = [
        {
            "id": m.pk if m.pk in visible else None,
            "engagement": m.engagement_id if m.pk in visible else None,
            "starts_at": m.starts_at,
            "ends_at": meeting_ends_at(m),
        }
        for m in refusal.overlaps
    ]
    return Status(409, {"detail": refusal.message, "missing": [], "overlaps": clashes})


CONDITIONAL = {200: MeetingOut, 409: OverlapRefusal, **ERRORS, **PRECONDITION_ERRORS}


@router.get("", summary="List meetings", response={200: Page[MeetingOut], **ERRORS})
def meeting_list(request: HttpRequest, params: Query[MeetingParams]) -> dict:
    """Newest first; staff see their scope, a participant's token their own meetings."""
    require(request, Cap.ENGAGEMENTS_VIEW, Cap.PORTAL_VIEW)
    queryset = _visible(request).order_by("-starts_at", "-pk")
    if params.engagement is not None:
        queryset = queryset.filter(engagement_id=params.engagement)
    if params.participant is not None:
        queryset = queryset.filter(engagement__participant_id=params.participant)
    if params.status is not None:
        queryset = queryset.filter(status=params.status)
    start, end = _bound(params.start, end=False), _bound(params.end, end=True)
    if start is not None:
        queryset = queryset.filter(starts_at__gte=start)
    if end is not None:
        queryset = queryset.filter(starts_at__lt=end)
    return page(
        request,
        queryset,
        params,
        what="api meetings",
        participant_of=lambda m: m.engagement.participant_id,
    )


@router.get(
    "/{meeting_id}",
    summary="Read a meeting",
    response={200: MeetingOut, **ERRORS},
    openapi_extra=openapi(),
)
def meeting_read(request: HttpRequest, meeting_id: int, response: HttpResponse) -> Meeting:
    require(request, Cap.ENGAGEMENTS_VIEW, Cap.PORTAL_VIEW)
    meeting = get_or_404(_visible(request), pk=meeting_id)
    read_record(request, "api meeting", [meeting.engagement.participant_id])
    set_etag(response, meeting)
    return meeting


@router.post(
    "",
    summary="Plan a meeting or log one",
    response={201: MeetingOut, 409: OverlapRefusal, **ERRORS},
    openapi_extra=openapi(reads=(201,)),
)
def meeting_create_endpoint(
    request: HttpRequest, payload: MeetingIn, response: HttpResponse
) -> Status:
    """A clash with the supporter's other meetings answers 409 unless ``allow_overlap``."""
    require(request, Cap.MEETINGS_WRITE)
    engagement = get_or_404(
        engagements_visible_to(request.user, request.organization).select_related(
            "program", "organization", "supporter"
        ),
        pk=payload.engagement,
    )
    try:
        if payload.status == MeetingStatus.PLANNED:
            meeting = meeting_schedule(
                engagement=engagement,
                actor=request.user,
                starts_at=payload.starts_at,
                duration_minutes=payload.duration_minutes,
                mode=payload.mode,
                place_type=payload.place_type,
                reminder_minutes=payload.reminder_minutes,
                allow_overlap=payload.allow_overlap,
            )
        else:
            meeting = meeting_log(
                engagement=engagement,
                actor=request.user,
                starts_at=payload.starts_at,
                duration_minutes=payload.duration_minutes,
                mode=payload.mode,
                status=payload.status,
                place_type=payload.place_type,
                reminder_minutes=payload.reminder_minutes,
                allow_overlap=payload.allow_overlap,
            )
    except MeetingOverlap as refusal:
        return _overlap_refusal(request, refusal)
    return Status(201, _answer(request, meeting.pk, response))


@router.patch(
    "/{meeting_id}",
    summary="Move a planned meeting, or change its length, mode, place or reminder",
    response=CONDITIONAL,
    openapi_extra=openapi(conditional=True),
)
def meeting_update_endpoint(
    request: HttpRequest, meeting_id: int, payload: MeetingPatch, response: HttpResponse
):
    """Only a planned meeting changes; a clash answers 409 unless ``allow_overlap``."""
    require(request, Cap.MEETINGS_WRITE)
    meeting = get_or_404(_visible(request), pk=meeting_id)
    version = if_match_version(request, meeting)
    if meeting.status != MeetingStatus.PLANNED:
        # The service would first say a planned meeting must be in the future: misleading.
        raise RuleViolation(
            _("This meeting is already %(status)s; only a planned meeting can change.")
            % {"status": meeting.get_status_display().lower()}
        )
    sent = payload.model_fields_set

    def wanted(name: str):
        return getattr(payload if name in sent else meeting, name)

    try:
        with precondition(meeting):
            meeting_reschedule(
                meeting=meeting,
                actor=request.user,
                expected_version=version,
                starts_at=wanted("starts_at"),
                duration_minutes=wanted("duration_minutes"),
                mode=wanted("mode"),
                place_type=wanted("place_type"),
                reminder_minutes=wanted("reminder_minutes"),
                allow_overlap=payload.allow_overlap,
            )
    except MeetingOverlap as refusal:
        return _overlap_refusal(request, refusal)
    return _answer(request, meeting.pk, response)


@router.post(
    "/{meeting_id}/cancel",
    summary="Cancel a planned meeting, with a reason",
    response={200: MeetingOut, 409: RuleRefusal, **ERRORS, **PRECONDITION_ERRORS},
    openapi_extra=openapi(conditional=True),
)
def meeting_cancel_endpoint(
    request: HttpRequest, meeting_id: int, payload: CancelIn, response: HttpResponse
) -> Meeting:
    require(request, Cap.MEETINGS_WRITE)
    meeting = get_or_404(_visible(request), pk=meeting_id)
    version = if_match_version(request, meeting)
    with precondition(meeting):
        meeting_cancel(
            meeting=meeting, actor=request.user, expected_version=version, reason=payload.reason
        )
    return _answer(request, meeting.pk, response)


@router.post(
    "/{meeting_id}/outcome",
    summary="Record what happened: held (with how long it ran) or missed (a no-show)",
    response={200: MeetingOut, 409: RuleRefusal, **ERRORS, **PRECONDITION_ERRORS},
    openapi_extra=openapi(conditional=True),
)
def meeting_outcome_endpoint(
    request: HttpRequest, meeting_id: int, payload: OutcomeIn, response: HttpResponse
) -> Meeting:
    """Only once the planned meeting has started; a held one gets its service units."""
    require(request, Cap.MEETINGS_WRITE)
    meeting = get_or_404(_visible(request), pk=meeting_id)
    version = if_match_version(request, meeting)
    with precondition(meeting):
        if payload.outcome == MeetingStatus.HELD:
            meeting_record_held(
                meeting=meeting,
                actor=request.user,
                expected_version=version,
                duration_minutes=payload.duration_minutes,
                mode=payload.mode,
            )
        else:
            meeting_record_missed(meeting=meeting, actor=request.user, expected_version=version)
    return _answer(request, meeting.pk, response)
