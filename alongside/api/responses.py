"""Survey responses: record one (scored at once, or kept as a draft), continue a draft,
list and read them.

Scoped like the pages: staff see the responses of engagements they may see and, with
``surveys.record``, record answers given with them or on paper; a participant's token
(``surveys.fill``) records and reads their own, recorded as filled in the portal. A draft
is continued by whoever may fill it on the pages: the participant their own portal
drafts, staff the drafts entered with a supporter or from paper. The score is computed
by the one scoring engine from the instrument's definition and stored.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
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
from alongside.api.schemas import ERRORS, DatedParams, InputSchema, Page, RuleRefusal, text
from alongside.audit.services import read_record
from alongside.core.permissions import Cap, capabilities_of, engagements_visible_to, get_or_404
from alongside.surveys.definitions import localized
from alongside.surveys.models import FillMethod, Response, ResponseStatus
from alongside.surveys.selectors import current_version, instruments_in_use, responses_visible_to
from alongside.surveys.services import response_complete, response_record, response_save

router = Router(tags=["responses"])


class BandOut(Schema):
    key: str
    label: str


class ResponseOut(Schema):
    """A response with its answers and, once complete, its stored score."""

    id: int
    engagement: int
    participant: int
    instrument: str = Field(description="The instrument's short name, e.g. who-5.")
    instrument_version: int = Field(description="The version of the instrument answered.")
    status: str = Field(description="draft or complete.")
    method: str = Field(description=f"How it was filled: {', '.join(FillMethod.values)}.")
    filled_by: int = Field(description="The user who entered the answers.")
    language: str
    answers: dict[str, Any] = Field(description="Keyed by item number, as text.")
    started_at: datetime.datetime
    completed_at: datetime.datetime | None
    score: float | None = Field(
        description=(
            "The headline score as the definition says (the BARC-10 total, the WHO-5 "
            "percentage); null for a draft, or when too many items were left unanswered."
        )
    )
    raw: float | None = Field(description="The raw score (the sum, or the mean).")
    band: BandOut | None = Field(description="The band the score falls in.")
    range: list[float] = Field(description="The headline score's possible range.")
    version: int = Field(description="The record's version (its ETag).")

    @staticmethod
    def resolve_engagement(obj) -> int:
        return obj.engagement_id

    @staticmethod
    def resolve_participant(obj) -> int:
        return obj.engagement.participant_id

    @staticmethod
    def resolve_instrument(obj) -> str:
        return obj.instrument_version.instrument.slug

    @staticmethod
    def resolve_instrument_version(obj) -> int:
        return obj.instrument_version.number

    @staticmethod
    def resolve_filled_by(obj) -> int:
        return obj.filled_by_id

    @staticmethod
    def resolve_band(obj) -> dict | None:
        for band in obj.instrument_version.definition["bands"]:
            if obj.band and band["key"] == obj.band:
                return {"key": band["key"], "label": localized(band["label"], obj.language)}
        return None

    @staticmethod
    def resolve_range(obj) -> list:
        return obj.instrument_version.definition["scoring"]["range"]


class ResponseParams(DatedParams):
    """``since`` / ``until`` bound the day it was started."""

    engagement: int | None = Field(None, description="Only the responses of this engagement.")
    participant: int | None = Field(None, description="Only this person's responses.")
    instrument: str | None = Field(None, description="Only responses to this instrument.")
    status: ResponseStatus | None = None


class ResponseIn(InputSchema):
    engagement: int = Field(description="An engagement in your scope (a participant: their own).")
    instrument: text(60, min_length=1) = Field(
        description="The short name of an instrument in use (GET /api/v1/instruments)."
    )
    answers: dict[str, Any] = Field(
        max_length=200,
        description=(
            'Keyed by item number as text: {"1": 5, "2": 6}. A choice is one of its scale\'s '
            "values; a free-text item takes text."
        ),
    )
    status: ResponseStatus = Field(
        ResponseStatus.COMPLETE,
        description="complete (the default) scores it now; draft keeps it to finish later.",
    )
    method: Literal["with_supporter", "paper"] | None = Field(
        None,
        description=(
            "Staff only: filled with_supporter (the default) or entered from paper. A "
            "participant's own response is always recorded as portal."
        ),
    )
    language: text(10) = Field("en", description="The language it was filled in.")


def _method(request: HttpRequest, payload: ResponseIn) -> str:
    caps = capabilities_of(request.user, request.organization)
    if Cap.SURVEYS_RECORD in caps:
        return payload.method or FillMethod.WITH_SUPPORTER
    if Cap.SURVEYS_FILL in caps:
        if payload.method is not None:
            raise ValidationError({"method": ["Leave method out: yours is recorded as portal."]})
        return FillMethod.PORTAL
    raise PermissionDenied("Your role here does not include surveys.record or surveys.fill.")


@router.get("", summary="List survey responses", response={200: Page[ResponseOut], **ERRORS})
def response_list(request: HttpRequest, params: Query[ResponseParams]) -> dict:
    """Oldest first; staff see their scope, a participant's token their own responses."""
    require(request, Cap.ENGAGEMENTS_VIEW, Cap.PORTAL_VIEW)
    queryset = responses_visible_to(request.user, request.organization)
    if params.engagement is not None:
        queryset = queryset.filter(engagement_id=params.engagement)
    if params.participant is not None:
        queryset = queryset.filter(engagement__participant_id=params.participant)
    queryset = within_days(queryset, "started_at", params)
    if params.instrument:
        queryset = queryset.filter(instrument_version__instrument__slug=params.instrument)
    if params.status:
        queryset = queryset.filter(status=params.status)
    return page(
        request,
        queryset,
        params,
        what="api survey responses",
        participant_of=lambda r: r.engagement.participant_id,
    )


@router.get(
    "/{response_id}",
    summary="Read a survey response",
    response={200: ResponseOut, **ERRORS},
    openapi_extra=openapi(),
)
def response_read(request: HttpRequest, response_id: int, response: HttpResponse) -> Response:
    require(request, Cap.ENGAGEMENTS_VIEW, Cap.PORTAL_VIEW)
    record = get_or_404(responses_visible_to(request.user, request.organization), pk=response_id)
    read_record(request, "api survey response", [record.engagement.participant_id])
    set_etag(response, record)
    return record


@router.post(
    "",
    summary="Record a survey response (scored at once unless kept as a draft)",
    response={201: ResponseOut, 409: RuleRefusal, **ERRORS},
    openapi_extra=openapi(reads=(201,)),
)
def response_create_endpoint(
    request: HttpRequest, payload: ResponseIn, response: HttpResponse
) -> Status:
    """Answers 201 with ``score``, ``raw`` and ``band``; missing required items answer 409
    with their numbers in ``missing``; an unknown item or a value off the scale, 422."""
    method = _method(request, payload)
    engagement = get_or_404(
        engagements_visible_to(request.user, request.organization).select_related(
            "participant", "organization"
        ),
        pk=payload.engagement,
    )
    version = current_version(payload.instrument)
    if version is None:
        offered = ", ".join(instruments_in_use().values_list("slug", flat=True)) or "none"
        raise ValidationError(
            {"instrument": [f"No instrument in use is called {payload.instrument!r}: {offered}."]}
        )
    saved = response_record(
        engagement=engagement,
        version=version,
        actor=request.user,
        method=method,
        answers=payload.answers,
        complete=payload.status == ResponseStatus.COMPLETE,
        language=payload.language,
    )
    record = responses_visible_to(request.user, request.organization).get(pk=saved.pk)
    read_record(request, "api survey response", [engagement.participant_id])
    set_etag(response, record)
    return Status(201, record)


class ResponsePatch(InputSchema):
    """More answers for a draft, and whether to complete it now."""

    answers: dict[str, Any] = Field(
        default_factory=dict,
        max_length=200,
        description=(
            'Merged into the stored answers, keyed by item number as text: {"3": 4}. '
            "Items left out keep their answer; null (or empty text) clears one."
        ),
    )
    status: ResponseStatus = Field(
        ResponseStatus.DRAFT,
        description=(
            "draft (the default) keeps it to finish later; complete scores it now, and is "
            "refused (409, with the open items in missing) while required items are open."
        ),
    )


def _ensure_may_continue(request: HttpRequest, record: Response) -> None:
    """The pages' rule: a portal draft is the participant's to finish; staff finish the rest."""
    caps = capabilities_of(request.user, request.organization)
    if record.method == FillMethod.PORTAL:
        if Cap.SURVEYS_FILL in caps and record.filled_by_id == request.user.pk:
            return
        raise PermissionDenied(
            "The participant is filling this survey in the portal; only they change it."
        )
    if Cap.SURVEYS_RECORD not in caps:
        raise PermissionDenied(
            "You continue only the surveys you fill in the portal; this one was recorded by staff."
        )


@router.patch(
    "/{response_id}",
    summary="Continue a draft response: more answers, and optionally complete it",
    response={200: ResponseOut, 409: RuleRefusal, **ERRORS, **PRECONDITION_ERRORS},
    openapi_extra=openapi(conditional=True),
)
def response_update_endpoint(
    request: HttpRequest, response_id: int, payload: ResponsePatch, response: HttpResponse
) -> Response:
    """Needs If-Match (428 without, 412 when stale). An unknown item or a value off the
    scale answers 422; a completed response, a retired version or a closed engagement 409;
    nothing is changed by a refusal."""
    require(request, Cap.SURVEYS_RECORD, Cap.SURVEYS_FILL)
    record = get_or_404(responses_visible_to(request.user, request.organization), pk=response_id)
    _ensure_may_continue(request, record)
    version = if_match_version(request, record)
    if not payload.answers and payload.status != ResponseStatus.COMPLETE:
        raise ValidationError({"answers": ["Send answers to save, or status complete."]})
    # The services answer the locked copy, loaded with what ResponseOut reads.
    with precondition(record):
        if payload.status == ResponseStatus.COMPLETE:
            saved = response_complete(
                response=record,
                actor=request.user,
                expected_version=version,
                answers=payload.answers,
            )
        else:
            saved = response_save(
                response=record,
                actor=request.user,
                answers=payload.answers,
                expected_version=version,
            )
    read_record(request, "api survey response", [record.engagement.participant_id])
    set_etag(response, saved)
    return saved
