"""Authorizations to release information: list, read, create, revoke (design.md §7).

Staff see the consents of participants of engagements they may see and record signed
paper ones (``agreements.record``); a participant's token sees and makes their own,
signed in the portal. A consent missing a 42 CFR §2.31 element answers 422 naming it.

A signed consent is never edited: changing who may receive what means revoking it and
recording a new one, which the participant signs. So there is no PATCH here.
"""

from __future__ import annotations

import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from alongside.api.auth import require
from alongside.api.pagination import page, within_days
from alongside.api.schemas import ERRORS, DatedParams, InputSchema, Page, RuleRefusal, text
from alongside.audit.services import read_record
from alongside.consents.models import (
    Category,
    Consent,
    ConsentStatus,
    Purpose,
    RecipientKind,
    RevocationMethod,
    SignatureMethod,
)
from alongside.consents.selectors import consents_visible_to, own_consents
from alongside.consents.services import consent_create, consent_revoke
from alongside.core.permissions import (
    Cap,
    capabilities_of,
    engagements_visible_to,
    get_or_404,
)
from alongside.participants.models import Participant

router = Router(tags=["consents"])


class ConsentOut(Schema):
    id: int
    participant: int
    engagement: int | None
    participant_name: str
    discloser: str
    categories: list[str]
    other_description: str
    amount: str
    recipient_kind: str
    recipient_name: str
    purposes: list[str]
    purpose_detail: str
    covers_tpo: bool
    revocation_statement: str
    tpo_redisclosure_statement: str
    tpo_proceedings_statement: str
    expires_on: datetime.date | None
    expiry_event: str
    signature_method: str
    signature_name: str
    signed_on: datetime.date
    signed_by_guardian: bool
    guardian_name: str
    guardian_relationship: str
    recorded_by: int
    recorded_at: datetime.datetime
    status: str = Field(description="active, expired or revoked, now.")
    revoked_at: datetime.datetime | None
    revoked_by: int | None
    revocation_method: str
    revocation_note: str

    @staticmethod
    def resolve_participant(obj) -> int:
        return obj.participant_id

    @staticmethod
    def resolve_engagement(obj) -> int | None:
        return obj.engagement_id

    @staticmethod
    def resolve_recorded_by(obj) -> int:
        return obj.recorded_by_id

    @staticmethod
    def resolve_revoked_by(obj) -> int | None:
        return obj.revoked_by_id

    @staticmethod
    def resolve_status(obj) -> str:
        return obj.status()


class ConsentIn(InputSchema):
    """The elements of the consent; the domain names each one that is missing (422)."""

    participant: int | None = Field(
        None, description="Staff: the participant. A participant's own token: omit it."
    )
    engagement: int | None = Field(None, description="The engagement it was made in, if any.")
    discloser: text(300) | None = Field(
        None, description="Who may release it; defaults to the organization's name."
    )
    categories: list[Category] = Field(default_factory=list, max_length=len(Category.values))
    other_description: text(500) = ""
    amount: text(500) = Field("", description="How much information, in words.")
    recipient_kind: RecipientKind | Literal[""] = ""
    recipient_name: text(300) = ""
    purposes: list[Purpose] = Field(default_factory=list, max_length=len(Purpose.values))
    purpose_detail: text(500) = ""
    covers_tpo: bool = False
    expires_on: datetime.date | None = None
    expiry_event: text(500) = ""
    signature_name: text(200) = Field("", description="The full name as signed.")
    signed_on: datetime.date | None = Field(
        None, description="Staff: the date on the paper form. In the portal it is today."
    )
    signed_by_guardian: bool = False
    guardian_name: text(200) = ""
    guardian_relationship: text(200) = ""

    def elements(self) -> dict:
        return self.model_dump(mode="python", exclude={"participant", "engagement"}) | {
            "categories": [str(c) for c in self.categories],
            "purposes": [str(p) for p in self.purposes],
            "recipient_kind": str(self.recipient_kind),
        }


class ConsentParams(DatedParams):
    """``since`` / ``until`` bound the day it was signed."""

    participant: int | None = Field(None, description="Only this person's consents.")
    engagement: int | None = Field(None, description="Only those made in this engagement.")
    status: ConsentStatus | None = Field(
        None, description="Only consents that are, now: active, expired or revoked."
    )


def _with_status(queryset, status: str):
    """The database's form of ``Consent.status()``: expiry takes effect at the start of the
    expiry day, local time; a revocation at once."""
    now, today = timezone.now(), timezone.localdate()
    revoked = Q(revoked_at__isnull=False, revoked_at__lte=now)
    if status == ConsentStatus.REVOKED:
        return queryset.filter(revoked)
    expired = Q(expires_on__isnull=False, expires_on__lte=today)
    if status == ConsentStatus.EXPIRED:
        return queryset.exclude(revoked).filter(expired)
    return queryset.exclude(revoked).exclude(expired)


class RevokeIn(InputSchema):
    method: Literal["written", "condition"] = Field(
        "written",
        description=(
            "Staff: written (the participant revoked in writing) or condition (the expiry "
            "event happened). A participant's own revocation is always recorded as portal."
        ),
    )
    note: text(500) = ""


def _acting_as(request: HttpRequest) -> str:
    """'staff' (records paper consents), 'participant' (their own), or 403."""
    caps = capabilities_of(request.user, request.organization)
    if Cap.AGREEMENTS_RECORD in caps:
        return "staff"
    if Cap.PORTAL_VIEW in caps:
        return "participant"
    raise PermissionDenied("Your role here does not include agreements.record or portal.view.")


def _visible(request: HttpRequest):
    return consents_visible_to(request.user, request.organization)


@router.get("", summary="List consents", response={200: Page[ConsentOut], **ERRORS})
def consent_list(request: HttpRequest, params: Query[ConsentParams]) -> dict:
    """Newest first (by the day signed)."""
    require(request, Cap.ENGAGEMENTS_VIEW, Cap.PORTAL_VIEW)
    queryset = _visible(request).order_by("-signed_on", "-pk")
    if params.participant is not None:
        queryset = queryset.filter(participant_id=params.participant)
    if params.engagement is not None:
        queryset = queryset.filter(engagement_id=params.engagement)
    if params.status is not None:
        queryset = _with_status(queryset, params.status)
    queryset = within_days(queryset, "signed_on", params)
    return page(
        request, queryset, params, what="api consents", participant_of=lambda c: c.participant_id
    )


@router.get("/{consent_id}", summary="Read a consent", response={200: ConsentOut, **ERRORS})
def consent_read(request: HttpRequest, consent_id: int) -> Consent:
    require(request, Cap.ENGAGEMENTS_VIEW, Cap.PORTAL_VIEW)
    consent = get_or_404(_visible(request), pk=consent_id)
    read_record(request, "api consent", [consent.participant_id])
    return consent


@router.post(
    "",
    summary="Record a signed consent",
    response={201: ConsentOut, 409: RuleRefusal, **ERRORS},
)
def consent_create_endpoint(request: HttpRequest, payload: ConsentIn) -> Status:
    """Staff record a consent signed on paper; a participant signs their own (portal)."""
    role = _acting_as(request)
    visible_engagements = engagements_visible_to(request.user, request.organization)
    participants = Participant.objects.filter(
        organization=request.organization,
        pk__in=visible_engagements.values("participant_id"),
    )
    if role == "staff":
        if payload.participant is None:
            raise ValidationError({"participant": ["Say whose consent it is."]})
        participant = get_or_404(participants, pk=payload.participant)
        method = SignatureMethod.PAPER
    else:
        participant = get_or_404(participants, user=request.user)
        if payload.participant not in (None, participant.pk):
            raise Http404
        method = SignatureMethod.PORTAL
    engagement = None
    if payload.engagement is not None:
        engagement = get_or_404(
            visible_engagements.filter(participant=participant), pk=payload.engagement
        )
    consent = consent_create(
        participant=participant,
        engagement=engagement,
        actor=request.user,
        signature_method=method,
        **payload.elements(),
    )
    read_record(request, "api consent", [participant.pk])
    return Status(201, consent)


@router.post(
    "/{consent_id}/revoke",
    summary="Revoke a consent",
    response={200: ConsentOut, 409: RuleRefusal, **ERRORS},
)
def consent_revoke_endpoint(
    request: HttpRequest, consent_id: int, payload: RevokeIn | None = None
) -> Consent:
    """It stops covering disclosures at once; revoking twice answers 409."""
    role = _acting_as(request)
    if role == "participant":
        visible = own_consents(request.user, request.organization)
    else:
        visible = _visible(request)
    consent = get_or_404(visible, pk=consent_id)
    payload = payload or RevokeIn()
    consent = consent_revoke(
        consent=consent,
        actor=request.user,
        method=RevocationMethod.PORTAL if role == "participant" else payload.method,
        note=payload.note,
    )
    read_record(request, "api consent", [consent.participant_id])
    return consent
