"""Consents and released disclosures as PDF: what they contain, and who may download them."""

from __future__ import annotations

import io

from django.urls import reverse
from pypdf import PdfReader

from alongside.audit.models import AccessLog
from alongside.consents import statements
from alongside.consents.services import disclosure_make
from alongside.consents.tests.factories import make_consent


def _pdf_text(content: bytes) -> str:
    """The PDF's text with whitespace collapsed, so a wrapped line still matches."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())


def _release(world):
    return disclosure_make(
        participant=world.participant,
        recipient="Eastside Clinic",
        purpose="treatment",
        categories=["attendance"],
        actor=world.supporter,
        content="Met weekly.",
    )


def _first_sentence(text) -> str:
    return str(text).split("\n")[0]


def test_the_consent_pdf_holds_each_element_and_the_signature(client, world):
    consent = make_consent(world)
    client.force_login(world.supporter)

    response = client.get(reverse("consents:pdf", args=[consent.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    text = _pdf_text(response.content)
    assert consent.participant_name in text
    assert "Eastside Clinic" in text
    assert consent.expires_on.isoformat() in text
    assert consent.amount in text
    assert consent.discloser in text
    assert "Pat Rivera" in text  # the signature record
    assert " ".join(consent.revocation_statement.split()[:8]) in text
    assert AccessLog.objects.filter(what="consent PDF").exists()


def test_a_tpo_consent_pdf_carries_both_tpo_statements(client, world):
    consent = make_consent(world, covers_tpo=True)
    client.force_login(world.supporter)

    text = _pdf_text(client.get(reverse("consents:pdf", args=[consent.pk])).content)

    assert " ".join(consent.tpo_redisclosure_statement.split()[:8]) in text
    assert " ".join(consent.tpo_proceedings_statement.split()[:8]) in text


def test_another_supporter_gets_404_for_the_consent_pdf(client, world):
    consent = make_consent(world)
    client.force_login(world.other_supporter)
    assert client.get(reverse("consents:pdf", args=[consent.pk])).status_code == 404


def test_the_disclosure_pdf_is_the_released_packet(client, world):
    make_consent(world)
    disclosure = _release(world)
    client.force_login(world.supporter)

    response = client.get(reverse("consents:disclosure_pdf", args=[disclosure.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert _first_sentence(statements.REDISCLOSURE_NOTICE) in text
    assert " ".join(disclosure.released_text.split()) == text.split(" Confidential · 1/")[0]


def test_another_supporter_gets_404_for_the_disclosure_pdf(client, world):
    make_consent(world)
    disclosure = _release(world)
    client.force_login(world.other_supporter)
    url = reverse("consents:disclosure_pdf", args=[disclosure.pk])
    assert client.get(url).status_code == 404


def test_the_participant_downloads_only_their_own_consent_pdf(client, world):
    own = make_consent(world)
    client.force_login(world.participant_user)

    response = client.get(reverse("consents:portal_pdf", args=[own.pk]))

    assert response.status_code == 200
    assert "Pat Rivera" in _pdf_text(response.content)
    assert client.get(reverse("consents:pdf", args=[own.pk])).status_code == 403


def test_the_participant_gets_404_for_someone_elses_consent_pdf(client, world):
    from alongside.consents.services import consent_create
    from alongside.consents.tests.factories import elements

    other = consent_create(
        participant=world.other_participant,
        engagement=world.other_engagement,
        actor=world.other_supporter,
        **elements(signature_name="Someone Else"),
    )
    client.force_login(world.participant_user)
    assert client.get(reverse("consents:portal_pdf", args=[other.pk])).status_code == 404


def test_the_pages_link_to_the_pdfs(client, world):
    consent = make_consent(world)
    disclosure = _release(world)
    client.force_login(world.supporter)
    detail = client.get(reverse("consents:detail", args=[consent.pk])).content.decode()
    assert reverse("consents:pdf", args=[consent.pk]) in detail
    page = client.get(reverse("consents:disclosure_detail", args=[disclosure.pk])).content.decode()
    assert reverse("consents:disclosure_pdf", args=[disclosure.pk]) in page
    client.force_login(world.participant_user)
    portal = client.get(reverse("consents:portal_list")).content.decode()
    assert reverse("consents:portal_pdf", args=[consent.pk]) in portal
