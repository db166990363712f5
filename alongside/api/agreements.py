"""Signed documents (agreements): list, read, and record a paper signature (design.md §7).

Staff see the signed documents of engagements they may see and record ones signed on
paper (``agreements.record``); a participant's token sees their own. Signed documents are
never edited or deleted, so there is nothing else to do here.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Status

from alongside.agreements.models import DocumentTemplate, SignedDocument
from alongside.agreements.selectors import signed_documents_visible_to
from alongside.agreements.services import document_record_paper
from alongside.api.auth import require
from alongside.api.pagination import page, within_days
from alongside.api.schemas import (
    ERRORS,
    AgreementIn,
    AgreementOut,
    AgreementParams,
    Page,
    RuleRefusal,
)
from alongside.audit.services import read_record
from alongside.core.permissions import Cap, engagements_visible_to, get_or_404

router = Router(tags=["agreements"])


def _visible(request: HttpRequest):
    """In scope via the engagement; a participant's engagements are only their own."""
    return signed_documents_visible_to(request.user, request.organization)


@router.get("", summary="List signed documents", response={200: Page[AgreementOut], **ERRORS})
def agreement_list(request: HttpRequest, params: Query[AgreementParams]) -> dict:
    require(request, Cap.ENGAGEMENTS_VIEW, Cap.PORTAL_VIEW)
    queryset = _visible(request).order_by("-signed_at", "-pk")
    if params.engagement is not None:
        queryset = queryset.filter(engagement_id=params.engagement)
    if params.participant is not None:
        queryset = queryset.filter(engagement__participant_id=params.participant)
    queryset = within_days(queryset, "signed_at", params)
    return page(
        request,
        queryset,
        params,
        what="api agreements",
        participant_of=lambda s: s.engagement.participant_id,
    )


@router.get(
    "/{agreement_id}", summary="Read a signed document", response={200: AgreementOut, **ERRORS}
)
def agreement_read(request: HttpRequest, agreement_id: int) -> SignedDocument:
    require(request, Cap.ENGAGEMENTS_VIEW, Cap.PORTAL_VIEW)
    signed = get_or_404(_visible(request), pk=agreement_id)
    read_record(request, "api agreement", [signed.engagement.participant_id])
    return signed


@router.post(
    "",
    summary="Record a document signed on paper",
    response={201: AgreementOut, 409: RuleRefusal, **ERRORS},
)
def agreement_create_endpoint(request: HttpRequest, payload: AgreementIn) -> Status:
    """Records the template's current version as signed on ``signed_on`` (noon)."""
    require(request, Cap.AGREEMENTS_RECORD)
    engagement = get_or_404(
        engagements_visible_to(request.user, request.organization).select_related(
            "participant", "organization"
        ),
        pk=payload.engagement,
    )
    template = (
        DocumentTemplate.objects.filter(
            organization=request.organization, current__isnull=False, pk=payload.template
        )
        .select_related("current__template")
        .first()
    )
    if template is None:
        # The same answer for an unknown template and another organization's.
        raise ValidationError({"template": ["Choose a published document of your organization."]})
    signed = document_record_paper(
        engagement=engagement,
        version=template.current,
        signer_name=payload.signer_name,
        signed_on=payload.signed_on,
        role=payload.role,
        relationship=payload.signer_relationship,
        actor=request.user,
    )
    read_record(request, "api agreement", [engagement.participant_id])
    return Status(201, signed)
