"""Consent and disclosure pages: the team's (per engagement) and the participant's (portal)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from alongside.audit.services import read_record
from alongside.consents import pdf, selectors, services, statements
from alongside.consents.forms import (
    ConsentForm,
    DisclosureForm,
    PortalConsentForm,
    StaffRevokeForm,
)
from alongside.consents.models import RevocationMethod, SignatureMethod
from alongside.core.decorators import capability_required
from alongside.core.pdf import pdf_attachment
from alongside.core.permissions import Cap, engagements_visible_to
from alongside.core.web import attempt, form_status
from alongside.engagements.selectors import closed_notice, engagement_get_for
from alongside.engagements.services import OPEN_STATES
from alongside.participants.models import Participant


def _consent_pdf_response(consent) -> HttpResponse:
    return pdf_attachment(
        pdf.consent_pdf(consent),
        f"Authorization {consent.signed_on:%Y-%m-%d} - {consent.participant_name}.pdf",
    )


def _statement_context(organization) -> dict:
    return {
        "revocation_statement": str(statements.REVOCATION_STATEMENT).format(
            organization=organization.name
        ),
        "tpo_redisclosure_statement": statements.TPO_REDISCLOSURE_STATEMENT,
        "tpo_proceedings_statement": statements.TPO_PROCEEDINGS_STATEMENT,
    }


# The team's pages


@require_http_methods(["GET", "POST"])
@capability_required(Cap.AGREEMENTS_RECORD)
def consent_create(request, pk: int):
    """Staff record a consent the participant signed on paper."""
    engagement = engagement_get_for(request.user, request.organization, pk)
    read_record(request, "consent form", [engagement.participant_id])
    form = ConsentForm(
        request.POST or None,
        initial={"discloser": engagement.organization.name, "signed_on": timezone.localdate()},
    )
    blocked = closed_notice(engagement)
    back = reverse("engagements:detail", args=[engagement.pk])
    if request.method == "POST" and not blocked and form.is_valid():
        consent = attempt(
            form,
            lambda: services.consent_create(
                participant=engagement.participant,
                engagement=engagement,
                actor=request.user,
                signature_method=SignatureMethod.PAPER,
                **form.elements(),
            ),
        )
        if consent is not None:
            messages.success(request, _("Authorization to release information recorded."))
            return redirect(f"{back}#consents")
    return render(
        request,
        "consents/consent_form.html",
        {
            "form": form,
            "title": _("Record a signed authorization for %(name)s")
            % {"name": engagement.participant},
            "back_url": back,
            "blocked": blocked,
            **_statement_context(engagement.organization),
        },
        status=form_status(request, form, blocked),
    )


@require_GET
@capability_required(Cap.ENGAGEMENTS_VIEW)
def consent_detail(request, pk: int):
    consent = selectors.consent_get_for(request.user, request.organization, pk)
    read_record(request, "consent", [consent.participant_id])
    disclosures = list(consent.disclosures.select_related("released_by"))
    return render(
        request,
        "consents/consent_detail.html",
        {"consent": consent, "disclosures": disclosures},
    )


@require_GET
@capability_required(Cap.ENGAGEMENTS_VIEW)
def consent_pdf(request, pk: int):
    """The consent as signed: every §2.31 element and the signature record."""
    consent = selectors.consent_get_for(request.user, request.organization, pk)
    read_record(request, "consent PDF", [consent.participant_id])
    return _consent_pdf_response(consent)


@require_http_methods(["GET", "POST"])
@capability_required(Cap.AGREEMENTS_RECORD)
def consent_revoke(request, pk: int):
    """Staff record a revocation the participant made in writing (or the expiry event)."""
    consent = selectors.consent_get_for(request.user, request.organization, pk)
    read_record(request, "consent", [consent.participant_id])
    form = StaffRevokeForm(request.POST or None)
    done = reverse("consents:detail", args=[consent.pk])
    if request.method == "POST" and form.is_valid():
        revoked = attempt(
            form,
            lambda: services.consent_revoke(
                consent=consent,
                actor=request.user,
                method=form.cleaned_data["method"],
                note=form.cleaned_data["note"],
            ),
        )
        if revoked is not None:
            messages.success(request, _("The consent no longer covers any disclosure."))
            return redirect(done)
    return render(
        request,
        "consents/revoke.html",
        {"consent": consent, "form": form, "back_url": done, "portal": False},
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.DISCLOSURES_MAKE)
def disclosure_create(request, pk: int):
    """Release information outside the team, under a consent that covers it."""
    engagement = engagement_get_for(request.user, request.organization, pk)
    read_record(request, "disclosure form", [engagement.participant_id])
    section = selectors.engagement_section(engagement)
    form = DisclosureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        disclosure = attempt(
            form,
            lambda: services.disclosure_make(
                participant=engagement.participant,
                recipient=services.Recipient(
                    name=data["recipient_name"], relationship=data["recipient_relationship"]
                ),
                purpose=data["purpose"],
                categories=data["categories"],
                actor=request.user,
                content=data["content"],
                engagement=engagement,
            ),
        )
        if disclosure is not None:
            messages.success(
                request, _("Disclosure recorded. Send the text below, with its notice.")
            )
            return redirect("consents:disclosure_detail", pk=disclosure.pk)
    return render(
        request,
        "consents/disclosure_form.html",
        {
            "form": form,
            "engagement": engagement,
            "active_consents": section["active_consents"],
            "back_url": reverse("engagements:detail", args=[engagement.pk]),
        },
    )


@require_GET
@capability_required(Cap.ENGAGEMENTS_VIEW)
def disclosure_detail(request, pk: int):
    disclosure = selectors.disclosure_get_for(request.user, request.organization, pk)
    read_record(request, "disclosure", [disclosure.participant_id])
    return render(request, "consents/disclosure_detail.html", {"disclosure": disclosure})


@require_GET
@capability_required(Cap.ENGAGEMENTS_VIEW)
def disclosure_pdf(request, pk: int):
    """The released packet: exactly the stored released_text (content, notice, scope)."""
    disclosure = selectors.disclosure_get_for(request.user, request.organization, pk)
    read_record(request, "disclosure PDF", [disclosure.participant_id])
    return pdf_attachment(
        pdf.disclosure_pdf(disclosure),
        f"Released {disclosure.disclosed_at:%Y-%m-%d} - {disclosure.recipient_name}.pdf",
    )


# The participant's pages (portal)


def _own_participant(request) -> Participant:
    participant = Participant.objects.filter(
        user=request.user, organization=request.organization
    ).first()
    if participant is None:
        raise Http404
    return participant


@require_GET
@capability_required(Cap.PORTAL_VIEW)
def portal_list(request):
    """Who may receive my information."""
    participant = _own_participant(request)
    consents = list(selectors.own_consents(request.user, request.organization))
    read_record(request, "portal consents", [participant.pk])
    return render(
        request,
        "consents/portal_list.html",
        {"groups": selectors.group_by_status(consents), "consents": consents},
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.PORTAL_VIEW)
def portal_create(request):
    participant = _own_participant(request)
    read_record(request, "portal consent form", [participant.pk])
    form = PortalConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        engagement = (
            engagements_visible_to(request.user, request.organization)
            .filter(participant=participant, state__in=OPEN_STATES)
            .order_by("-started_on", "-pk")
            .first()
        )
        consent = attempt(
            form,
            lambda: services.consent_create(
                participant=participant,
                engagement=engagement,
                actor=request.user,
                signature_method=SignatureMethod.PORTAL,
                **form.elements(),
            ),
        )
        if consent is not None:
            messages.success(request, _("Your authorization is signed and saved."))
            return redirect("consents:portal_list")
    return render(
        request,
        "consents/consent_form.html",
        {
            "form": form,
            "title": _("Allow someone to receive my information"),
            "back_url": reverse("consents:portal_list"),
            "portal": True,
            **_statement_context(request.organization),
        },
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.PORTAL_VIEW)
def portal_revoke(request, pk: int):
    """Revoke one of my consents: a confirmation page, then the revocation."""
    _own_participant(request)
    consent = selectors.own_consents(request.user, request.organization).filter(pk=pk).first()
    if consent is None:
        raise Http404
    read_record(request, "portal consent", [consent.participant_id])
    back = reverse("consents:portal_list")
    form = None
    if request.method == "POST":
        form = forms.Form(request.POST)
        revoked = attempt(
            form,
            lambda: services.consent_revoke(
                consent=consent, actor=request.user, method=RevocationMethod.PORTAL
            ),
        )
        if revoked is not None:
            messages.success(
                request, _("Revoked. Nothing more will be released under this consent.")
            )
            return redirect(back)
    return render(
        request,
        "consents/revoke.html",
        {"consent": consent, "form": form, "back_url": back, "portal": True},
    )


@require_GET
@capability_required(Cap.PORTAL_VIEW)
def portal_pdf(request, pk: int):
    """One of my consents as a PDF."""
    _own_participant(request)
    consent = (
        selectors.own_consents(request.user, request.organization)
        .select_related("organization")
        .filter(pk=pk)
        .first()
    )
    if consent is None:
        raise Http404
    read_record(request, "portal consent PDF", [consent.participant_id])
    return _consent_pdf_response(consent)


@require_GET
@capability_required(Cap.PORTAL_VIEW)
def portal_disclosures(request):
    """Who received my information."""
    participant = _own_participant(request)
    disclosures = list(selectors.own_disclosures(request.user, request.organization)[:100])
    read_record(request, "portal disclosures", [participant.pk])
    return render(request, "consents/portal_disclosures.html", {"disclosures": disclosures})


@require_GET
@capability_required(Cap.PORTAL_VIEW)
def portal_accounting(request):
    """The formal accounting of disclosures for the past three years, printable."""
    participant = _own_participant(request)
    disclosures = list(
        selectors.accounting_of_disclosures(
            selectors.own_disclosures(request.user, request.organization)
        )
    )
    read_record(request, "portal accounting of disclosures", [participant.pk])
    return render(
        request,
        "consents/accounting.html",
        {
            "participant": participant,
            "disclosures": disclosures,
            "since": selectors.accounting_since(),
            "today": timezone.localdate(),
            "organization": request.organization,
        },
    )
