"""Signed documents: the team records paper signatures, has the participant sign in person
on a team device, and downloads PDFs; the participant reads and signs in the portal."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from alongside.agreements import selectors, services
from alongside.agreements.forms import (
    InPersonSignForm,
    PaperSignatureForm,
    SignForm,
    opening_token,
)
from alongside.agreements.models import (
    DocumentTemplate,
    DocumentVersion,
    SignatureMethod,
    SignedDocument,
    SignerRole,
)
from alongside.agreements.pdf import signed_document_pdf
from alongside.agreements.selectors import may_sign_as
from alongside.audit.services import read_record
from alongside.core.decorators import capability_required
from alongside.core.errors import RuleViolation
from alongside.core.pdf import clean_filename, pdf_attachment
from alongside.core.permissions import Cap, get_or_404
from alongside.core.ratelimit import client_address
from alongside.core.web import attempt
from alongside.engagements.selectors import engagement_get_for, own_engagements
from alongside.engagements.services import OPEN_STATES
from alongside.engagements.signing import sign_refusal, sign_status
from alongside.engagements.web import engagement_form_page


def _paper_form(engagement, data, files):
    templates = DocumentTemplate.objects.filter(
        organization=engagement.organization, current__isnull=False
    )
    participant = engagement.participant
    return PaperSignatureForm(
        data,
        files,
        templates=templates,
        signer_name=f"{participant.first_name} {participant.last_name}".strip(),
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.AGREEMENTS_RECORD)
def agreement_record(request, pk: int):
    """Record a document signed on paper (its current version), with a scan if there is one."""
    return engagement_form_page(
        request,
        pk,
        make_form=lambda engagement, data: _paper_form(engagement, data, request.FILES or None),
        save=lambda engagement, data: services.document_record_paper(
            engagement=engagement,
            version=data["template"].current,
            signer_name=data["signer_name"],
            role=data["role"],
            relationship=data["relationship"],
            signed_on=data["signed_on"],
            scan=data["scan"],
            actor=request.user,
        ),
        title=_("Record a paper signature for %(name)s"),
        anchor="agreements",
        done_message=_("Paper signature recorded."),
    )


def _required_template(engagement, pk: int) -> DocumentTemplate:
    """A document the engagement's program requires and that has a published version."""
    return get_or_404(
        DocumentTemplate.objects.filter(
            requirements__program=engagement.program, current__isnull=False
        ).select_related("current"),
        pk=pk,
    )


def _version_posted(template, data) -> DocumentVersion:
    version = DocumentVersion.objects.filter(template=template, pk=data["version"]).first()
    if version is None:
        raise RuleViolation(_("That document is not available. Open it again."))
    return version


def _show_current(form, version) -> None:
    """Whatever was posted, the hidden fields carry the version now shown and a fresh
    opening token; secrets go."""
    shown = {
        "version": version.pk,
        "document_hash": version.sha256,
        "opened": opening_token(
            engagement=form.engagement, version=version, role=form.role, user=form.user
        ),
    }
    if form.is_bound:
        form.data = form.data.copy()
        form.data.update(shown)
        form.data["password"] = ""
        if "drawn_signature" in form.fields:
            form.data["drawn_signature"] = ""
    else:
        form.initial = shown


def _sign(request, form, engagement, template, **how):
    """Call the service with what the form holds; the signature, or None (errors on form)."""
    data = form.cleaned_data
    return attempt(
        form,
        lambda: services.document_sign(
            engagement=engagement,
            version=_version_posted(template, data),
            shown_hash=data["document_hash"],
            typed_name=data["typed_name"],
            values=form.values(),
            actor=request.user,
            ip=client_address(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            **how,
        ),
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.AGREEMENTS_RECORD)
def sign_in_person(request, pk: int, template: int, role: str):
    """Someone reads and signs a required document on the supporter's device.

    The participant (or a guardian for them), a witness, or the supporter themselves:
    ``role`` must be one the current version asks for.
    """
    engagement = engagement_get_for(request.user, request.organization, pk)
    template = _required_template(engagement, template)
    if role not in may_sign_as(template.current.signers):
        raise Http404
    participant = engagement.participant
    read_record(request, "in-person signing", [participant.id])
    back = reverse("engagements:detail", args=[engagement.pk])
    blocked = sign_refusal(engagement, role, request.user)
    form = InPersonSignForm(
        request.POST or None,
        engagement=engagement,
        supporter=request.user,
        role=role,
        version=template.current,
    )
    if request.method == "POST" and not blocked and form.is_valid():
        signed = _sign(
            request,
            form,
            engagement,
            template,
            method=SignatureMethod.IN_PERSON,
            role=role,
            signer=form.signer,
            relationship=form.cleaned_data.get("relationship", ""),
            signature_png=form.cleaned_data["signature_png"],
        )
        if signed is not None:
            messages.success(
                request,
                _("Signed in person by %(name)s: %(document)s, version %(n)d.")
                % {
                    "name": signed.signer_name,
                    "document": signed.version.title,
                    "n": signed.version.number,
                },
            )
            return redirect(f"{back}#agreements")
        template.refresh_from_db()
    version = template.current
    _show_current(form, version)
    signatures = list(
        SignedDocument.objects.filter(engagement=engagement, version=version).order_by("signed_at")
    )
    return render(
        request,
        "agreements/in_person_sign.html",
        {
            "engagement": engagement,
            "participant": participant,
            "version": version,
            "document": version.html,
            "form": form,
            "role": role,
            "role_label": SignerRole(role).label,
            "already": next((s for s in signatures if s.role == role), None),
            "filled": next((s.filled for s in signatures if s.filled), []),
            "blocked": blocked,
            "back_url": back,
        },
        status=sign_status(request, form, blocked),
    )


@require_GET
@capability_required(Cap.ENGAGEMENTS_VIEW)
def scan_download(request, pk: int):
    """The scan of a paper signature, after the same scope check as the record."""
    signed = selectors.signed_document_get_for(request.user, request.organization, pk)
    if not signed.scan:
        raise Http404
    read_record(request, "signed document scan", [signed.engagement.participant_id])
    response = FileResponse(
        signed.scan.open("rb"),
        as_attachment=True,
        filename=clean_filename(
            f"{signed.version.title} v{signed.version.number} scan",
            suffix=Path(signed.scan.name).suffix,
        ),
        content_type=signed.scan_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _pdf_response(request, signed: SignedDocument) -> HttpResponse:
    read_record(request, "signed document", [signed.engagement.participant_id])
    return pdf_attachment(
        signed_document_pdf(signed),
        f"{signed.version.title} v{signed.version.number} - {signed.signer_name}.pdf",
    )


@require_GET
@capability_required(Cap.ENGAGEMENTS_VIEW)
def document_pdf(request, pk: int):
    signed = selectors.signed_document_get_for(request.user, request.organization, pk)
    return _pdf_response(request, signed)


# The participant's pages


@require_GET
@capability_required(Cap.PORTAL_VIEW)
def portal_list(request):
    """My documents: what each of my programs asks me to sign, and what I signed."""
    engagements = list(
        own_engagements(request.user, request.organization)
        .filter(state__in=OPEN_STATES)
        .select_related("program", "participant")
        .order_by("-started_on")
    )
    sections = [(e, selectors.checklist(e)) for e in engagements]
    read_record(request, "portal documents", {e.participant_id for e in engagements})
    return render(request, "agreements/portal_list.html", {"sections": sections})


@require_http_methods(["GET", "POST"])
@capability_required(Cap.PORTAL_VIEW)
def portal_sign(request, pk: int, template: int):
    """Read the current version of a required document and sign it."""
    engagement = get_or_404(
        own_engagements(request.user, request.organization).select_related(
            "participant", "organization", "program"
        ),
        pk=pk,
    )
    template = _required_template(engagement, template)
    read_record(request, "portal document", [engagement.participant_id])
    back = reverse("agreements:portal_list")
    form = SignForm(
        request.POST or None, engagement=engagement, user=request.user, version=template.current
    )
    if request.method == "POST" and form.is_valid():
        signed = _sign(request, form, engagement, template)
        if signed is not None:
            messages.success(
                request,
                _("Signed: %(document)s, version %(n)d.")
                % {"document": signed.version.title, "n": signed.version.number},
            )
            return redirect(back)
        template.refresh_from_db()
    version = template.current
    _show_current(form, version)
    already = SignedDocument.objects.filter(
        engagement=engagement, version=version, role="participant"
    ).first()
    return render(
        request,
        "agreements/portal_sign.html",
        {
            "engagement": engagement,
            "version": version,
            "document": version.html,
            "form": form,
            "already": already,
            "back_url": back,
        },
        status=sign_status(request, form, None),
    )


@require_GET
@capability_required(Cap.PORTAL_VIEW)
def portal_pdf(request, pk: int):
    signed = selectors.own_signed_document(request.user, request.organization, pk)
    return _pdf_response(request, signed)
