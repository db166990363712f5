"""FHIR R4 export of a participant's record (design.md §5, docs/fhir.md).

``GET /participants/{id}/fhir`` and ``GET /engagements/{id}/fhir`` answer a Bundle as
``application/fhir+json``. Who may: staff with the record in their scope (the same rules
as reading it), and the participant for their own. With ``?recipient=&purpose=`` the
export is a disclosure, made only under a consent that covers it (409 otherwise).
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from alongside.api.auth import require
from alongside.api.schemas import ERRORS, RuleRefusal
from alongside.audit.services import read_record
from alongside.consents.models import Purpose, Relationship
from alongside.core.permissions import (
    Cap,
    engagements_visible_to,
    get_or_404,
    has_capability,
    participants_visible_to,
    referrals_visible_to,
)
from alongside.fhir.services import MEDIA_TYPE, fhir_export

participant_router = Router(tags=["fhir"])
engagement_router = Router(tags=["fhir"])


class FhirBundle(Schema):
    """A FHIR R4 Bundle (type "collection"), as application/fhir+json.

    Entries: Patient, Organization, Practitioner, PractitionerRole, EpisodeOfCare,
    Encounter, ServiceRequest, Goal, CarePlan, Consent, Questionnaire and
    QuestionnaireResponse, each with a urn:uuid fullUrl. See http://hl7.org/fhir/R4/bundle.html.
    """

    resourceType: Literal["Bundle"]
    type: Literal["collection"]
    identifier: dict
    timestamp: str
    meta: dict | None = Field(
        None, description="Present on a disclosure: security labels, re-disclosure notice."
    )
    entry: list[dict] = []


class ExportParams(Schema):
    recipient: str = Field(
        "",
        max_length=300,
        description="Release to someone outside the team (a disclosure): their name.",
    )
    purpose: Purpose | None = Field(None, description="Required with a recipient.")
    relationship: Relationship = Field(
        Relationship.OTHER, description="What the recipient is to the participant."
    )


RESPONSES = {200: FhirBundle, 409: RuleRefusal, **ERRORS}
OPENAPI = {
    "responses": {
        200: {
            "description": "A FHIR R4 Bundle.",
            "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/FhirBundle"}}},
        }
    }
}


def _answer(export) -> HttpResponse:
    return HttpResponse(export.json, content_type=MEDIA_TYPE)


def _reason(request: HttpRequest, params: ExportParams) -> str:
    """Who the export is for; a disclosure needs disclosures.make."""
    if params.recipient.strip():
        require(request, Cap.DISCLOSURES_MAKE)
        if params.purpose is None:
            raise HttpError(422, "purpose: say for what purpose the record is released.")
        return "disclosure"
    if has_capability(request.user, request.organization, Cap.PORTAL_VIEW) and not (
        has_capability(request.user, request.organization, Cap.ENGAGEMENTS_VIEW)
    ):
        return "participant"
    return "internal"


@participant_router.get(
    "/{participant_id}/fhir",
    summary="Export a participant's record as a FHIR R4 Bundle",
    response=RESPONSES,
    openapi_extra=OPENAPI,
)
def participant_fhir(request: HttpRequest, participant_id: int, params: Query[ExportParams]):
    """Every engagement of the participant the caller may see, with their consents,
    referrals, goals and plans, meetings (facts only, never notes) and completed surveys."""
    require(request, Cap.PARTICIPANTS_VIEW, Cap.PORTAL_VIEW)
    user, organization = request.user, request.organization
    participant = get_or_404(
        participants_visible_to(user, organization).select_related("organization"),
        pk=participant_id,
    )
    reason = _reason(request, params)
    export = fhir_export(
        actor=user,
        participant=participant,
        engagements=engagements_visible_to(user, organization),
        open_referrals=referrals_visible_to(user, organization),
        recipient=params.recipient,
        purpose=params.purpose or "",
        relationship=params.relationship,
        reason=reason,
    )
    read_record(request, "api fhir participant", [participant.pk])
    return _answer(export)


@engagement_router.get(
    "/{engagement_id}/fhir",
    summary="Export an engagement as a FHIR R4 Bundle",
    response=RESPONSES,
    openapi_extra=OPENAPI,
)
def engagement_fhir(request: HttpRequest, engagement_id: int, params: Query[ExportParams]):
    """The participant, this engagement and what hangs off it, and the consents made in
    it or for the participant as a whole."""
    require(request, Cap.ENGAGEMENTS_VIEW, Cap.PORTAL_VIEW)
    user, organization = request.user, request.organization
    engagement = get_or_404(
        engagements_visible_to(user, organization).select_related("participant__organization"),
        pk=engagement_id,
    )
    reason = _reason(request, params)
    export = fhir_export(
        actor=user,
        participant=engagement.participant,
        engagements=engagements_visible_to(user, organization).filter(pk=engagement.pk),
        subject=engagement,
        engagement=engagement,
        recipient=params.recipient,
        purpose=params.purpose or "",
        relationship=params.relationship,
        reason=reason,
    )
    read_record(request, "api fhir engagement", [engagement.participant_id])
    return _answer(export)
