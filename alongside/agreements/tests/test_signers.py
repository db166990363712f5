"""Who signs: each role a version names, fields the participant's side fills, paper scans,
and the limit on password guesses while signing."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core import signing as signing_module
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from alongside.agreements import scans
from alongside.agreements.fields import fields_parse, fields_text, filled_clean
from alongside.agreements.models import DocumentRequirement, SignedDocument
from alongside.agreements.pdf import signed_document_pdf
from alongside.agreements.services import (
    document_record_paper,
    document_sign,
    document_template_create,
    document_version_publish,
)
from alongside.agreements.testing import signing_form
from alongside.audit.models import AccessLog
from alongside.core.errors import RuleViolation
from alongside.engagements.models import State
from alongside.engagements.services import missing_for_activation
from alongside.participants.models import Participant
from conftest import PASSWORD, open_engagement

signing_time = signing_module.time  # the clock TimestampSigner reads

FIELDS = (
    "Best way to reach me *\nStart date [date] *\nMay we leave messages? [yes/no]\nNotes [long]"
)


def _pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + b"\xff" * 6 + b"\x00" + b"\xff" * 6)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


def _jpeg_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, format="JPEG")
    return out.getvalue()


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def intake(world):
    """A consent-to-services form with fields, signed by participant, supporter and witness."""
    template = document_template_create(
        organization=world.org,
        title="Intake Agreement",
        kind="agreement",
        body="<p>I agree to start peer support.</p>",
        signers=["participant", "supporter", "witness"],
        fields=fields_parse(FIELDS),
        actor=None,
    )
    DocumentRequirement.objects.create(program=world.respite, template=template)
    return template


@pytest.fixture
def robin(world):
    """Robin, without a portal sign-in, onboarding with Sunny in the respite program."""
    participant = Participant.objects.create(
        organization=world.org, first_name="Robin", last_name="Vale"
    )
    return open_engagement(participant, world.respite, world.supporter, State.ONBOARDING)


def _sign(engagement, template, actor, **overrides):
    version = template.current
    fields = {
        "engagement": engagement,
        "version": version,
        "shown_hash": version.sha256,
        "typed_name": "Robin Vale",
        "actor": actor,
        "method": "in_person",
        "signer": None,
    }
    return document_sign(**(fields | overrides))


FILLED = {
    "best-way-to-reach-me": "Text after 5 pm",
    "start-date": "2026-12-01",
    "may-we-leave-messages": "yes",
}


# Fields to fill


def test_field_lines_read_and_write_back():
    fields = fields_parse(FIELDS)
    assert fields == [
        {"key": "best-way-to-reach-me", "label": "Best way to reach me", "kind": "text",
         "required": True},
        {"key": "start-date", "label": "Start date", "kind": "date", "required": True},
        {"key": "may-we-leave-messages", "label": "May we leave messages?", "kind": "yesno",
         "required": False},
        {"key": "notes", "label": "Notes", "kind": "long", "required": False},
    ]  # fmt: skip
    assert fields_parse(fields_text(fields)) == fields


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("Start date [when]", "line 1"),
        ("Phone\n\n[date]", "line 3"),
        ("Phone\nphone", "is there twice"),
        ("x" * 121, "line 1"),
        ("\n".join(f"Field {i}" for i in range(31)), "at most 30"),
    ],
)
def test_field_lines_that_make_no_sense_are_refused(lines, message):
    with pytest.raises(RuleViolation, match=message):
        fields_parse(lines)


def test_changing_only_the_fields_publishes_a_new_version(world, intake):
    version = document_version_publish(
        template=intake,
        body=intake.current.body,
        signers=intake.current.signers,
        fields="Best way to reach me *",
        actor=None,
    )
    assert version.number == 2
    assert [f["label"] for f in version.fields] == ["Best way to reach me"]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "Fill in: Best way to reach me, Start date"),
        (FILLED | {"start-date": "next week"}, "Start date: write a date"),
        (FILLED | {"may-we-leave-messages": "maybe"}, "answer yes or no"),
        (FILLED | {"best-way-to-reach-me": "x" * 201}, "at most 200"),
    ],
)
def test_fields_are_checked_by_the_domain(world, intake, values, message):
    with pytest.raises(RuleViolation, match=message):
        filled_clean(intake.current, values)


def test_the_participant_fills_the_fields_when_signing_and_nothing_is_saved_until_valid(
    world, intake, robin
):
    with pytest.raises(RuleViolation, match="Fill in"):
        _sign(robin, intake, world.supporter, values={})
    assert not SignedDocument.objects.filter(engagement=robin).exists()

    signed = _sign(robin, intake, world.supporter, values=FILLED)
    assert signed.filled == [
        {"label": "Best way to reach me", "value": "Text after 5 pm"},
        {"label": "Start date", "value": "2026-12-01"},
        {"label": "May we leave messages?", "value": "yes"},
        {"label": "Notes", "value": ""},
    ]


def test_the_portal_asks_for_the_fields_before_the_name(client, world, intake):
    engagement = open_engagement(world.participant, world.respite, world.supporter, "onboarding")
    client.force_login(world.participant_user)
    url = reverse("agreements:portal_sign", args=[engagement.pk, intake.pk])
    page = client.get(url).content.decode()
    assert page.index("Best way to reach me") < page.index("Type your full name")
    form = signing_form(
        engagement, intake, world.participant_user, typed_name="Pat Rivera", password=PASSWORD
    )

    missing = client.post(url, form)
    assert missing.status_code == 400
    assert "This field is required" in missing.content.decode()
    assert not SignedDocument.objects.filter(engagement=engagement).exists()

    filled = {f"fill_{key}": value for key, value in FILLED.items()}
    assert client.post(url, form | filled).status_code == 302
    signed = SignedDocument.objects.get(engagement=engagement)
    assert signed.filled[0] == {"label": "Best way to reach me", "value": "Text after 5 pm"}
    assert "Text after 5 pm" in client.get(url).content.decode()


# Each role the version names


def test_the_gate_waits_for_every_role_the_version_names(world, intake, robin):
    assert "Intake Agreement" in missing_for_activation(robin)
    _sign(robin, intake, world.supporter, values=FILLED)
    assert "Intake Agreement (still to sign: peer supporter, witness)" in missing_for_activation(
        robin
    )
    _sign(robin, intake, world.supporter, role="supporter", typed_name="Sunny Demo")
    _sign(robin, intake, world.supporter, role="witness", typed_name="Wren Witness")
    assert not any(m.startswith("Intake Agreement") for m in missing_for_activation(robin))


def test_a_guardian_signs_for_the_participant_with_their_authority(world, robin):
    with pytest.raises(RuleViolation, match="relationship or authority"):
        _sign(robin, world.release, world.supporter, role="guardian", typed_name="Ana Vale")
    with pytest.raises(RuleViolation, match="someone other than Robin Vale"):
        _sign(
            robin,
            world.release,
            world.supporter,
            role="guardian",
            typed_name="robin  vale",
            relationship="Self",
        )
    DocumentRequirement.objects.create(program=world.respite, template=world.release)
    signed = _sign(
        robin,
        world.release,
        world.supporter,
        role="guardian",
        typed_name="Ana Vale",
        relationship="Mother",
    )
    assert (signed.role, signed.signer_relationship) == ("guardian", "Mother")
    assert "Release of Liability" not in missing_for_activation(robin)


def test_a_role_the_version_does_not_name_is_refused(world, robin):
    for role in ("witness", "supporter"):
        with pytest.raises(RuleViolation, match="is not signed by a"):
            _sign(robin, world.release, world.supporter, role=role, typed_name="Sunny Demo")
    with pytest.raises(RuleViolation, match="is not signed by a"):
        document_record_paper(
            engagement=robin,
            version=world.release.current,
            signer_name="Sunny Demo",
            role="supporter",
            signed_on=timezone.localdate(),
            actor=world.supporter,
        )
    assert not SignedDocument.objects.filter(engagement=robin).exists()


def test_only_the_engagements_supporter_signs_as_supporter_with_her_own_name(world, intake, robin):
    with pytest.raises(RuleViolation, match="Only the engagement's peer supporter"):
        _sign(robin, intake, world.coordinator, role="supporter", typed_name="Cora Demo")
    with pytest.raises(RuleViolation, match="Type your full name as your account has it"):
        _sign(robin, intake, world.supporter, role="supporter", typed_name="Someone Else")
    assert _sign(robin, intake, world.supporter, role="supporter", typed_name="sunny demo")


def test_a_witness_is_not_the_participant(world, intake, robin):
    with pytest.raises(RuleViolation, match="someone other than"):
        _sign(robin, intake, world.supporter, role="witness", typed_name="Robin Vale")


def test_only_the_participant_signs_in_the_portal(world, intake):
    engagement = open_engagement(world.participant, world.respite, world.supporter, "onboarding")
    with pytest.raises(RuleViolation, match="Only the participant signs in the portal"):
        _sign(
            engagement,
            intake,
            world.participant_user,
            method="portal",
            role="witness",
            typed_name="Wren Witness",
        )


def test_the_supporter_signs_in_person_on_her_own_page(client, world, intake, robin):
    url = reverse("agreements:sign_in_person", args=[robin.pk, intake.pk, "supporter"])
    client.force_login(world.coordinator)
    page = client.get(url).content.decode()
    assert "Only the engagement&#x27;s peer supporter, Sunny Demo, signs as supporter." in page
    form = signing_form(robin, intake, world.coordinator, "supporter", typed_name="Cora Demo")
    assert client.post(url, form | {"password": PASSWORD}).status_code == 409

    client.force_login(world.supporter)
    form = signing_form(robin, intake, world.supporter, "supporter", typed_name="Sunny Demo")
    page = client.get(url).content.decode()
    assert "Best way to reach me" not in page  # the participant's side fills the fields
    assert client.post(url, form | {"password": PASSWORD}).status_code == 302
    signed = SignedDocument.objects.get(engagement=robin)
    assert (signed.role, signed.signer, signed.method) == (
        "supporter",
        world.supporter,
        "in_person",
    )


def test_a_guardian_signs_in_person_and_the_supporter_attests(client, world, intake, robin):
    url = reverse("agreements:sign_in_person", args=[robin.pk, intake.pk, "guardian"])
    client.force_login(world.supporter)
    page = client.get(url).content.decode()
    assert "Relationship or authority" in page
    assert "Best way to reach me" in page
    form = signing_form(
        robin, intake, world.supporter, "guardian", typed_name="Ana Vale", password=PASSWORD
    ) | {f"fill_{key}": value for key, value in FILLED.items()}

    refused = client.post(url, form)
    assert refused.status_code == 400
    assert not SignedDocument.objects.filter(engagement=robin).exists()

    assert client.post(url, form | {"relationship": "Mother"}).status_code == 302
    signed = SignedDocument.objects.get(engagement=robin)
    assert (signed.role, signed.signer_relationship, signed.signer) == ("guardian", "Mother", None)
    assert signed.filled[1] == {"label": "Start date", "value": "2026-12-01"}


def test_a_role_the_document_does_not_ask_for_has_no_page(client, world, robin):
    DocumentRequirement.objects.create(program=world.respite, template=world.release)
    client.force_login(world.supporter)
    for role in ("witness", "supporter", "nobody"):
        url = reverse("agreements:sign_in_person", args=[robin.pk, world.release.pk, role])
        assert client.get(url).status_code == 404


def test_the_pdf_shows_every_signature_and_what_was_filled(world, intake, robin):
    _sign(robin, intake, world.supporter, values=FILLED)
    supporter = _sign(robin, intake, world.supporter, role="supporter", typed_name="Sunny Demo")
    text = _pdf_text(signed_document_pdf(supporter))
    assert "Text after 5 pm" in text
    assert "Robin Vale" in text and "Sunny Demo" in text
    assert "Signature 1/2" in text and "Signature 2/2" in text
    assert "Intake Agreement" in text and "version 1" in text


# Guessing passwords while signing


def test_wrong_signing_passwords_are_limited_per_account(client, world, robin, settings):
    settings.SIGNING_PASSWORD_FAILURES = 3
    DocumentRequirement.objects.create(program=world.respite, template=world.release)
    url = reverse("agreements:sign_in_person", args=[robin.pk, world.release.pk, "participant"])
    client.force_login(world.supporter)
    form = signing_form(robin, world.release, world.supporter, typed_name="Robin Vale")
    for _ in range(3):
        assert client.post(url, form | {"password": "guess"}).status_code == 400

    # Past the limit even the right password is not checked: nothing more to learn.
    blocked = client.post(url, form | {"password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many wrong passwords" in blocked.content.decode()
    assert not SignedDocument.objects.filter(engagement=robin).exists()


def test_the_portal_limits_wrong_passwords_too(client, world, settings):
    settings.SIGNING_PASSWORD_FAILURES = 2
    engagement = open_engagement(world.participant, world.respite, world.supporter, "onboarding")
    DocumentRequirement.objects.create(program=world.respite, template=world.release)
    client.force_login(world.participant_user)
    url = reverse("agreements:portal_sign", args=[engagement.pk, world.release.pk])
    form = signing_form(engagement, world.release, world.participant_user, typed_name="Pat Rivera")
    for _ in range(2):
        client.post(url, form | {"password": "guess"})
    assert client.post(url, form | {"password": PASSWORD}).status_code == 429
    assert not SignedDocument.objects.filter(engagement=engagement).exists()


# Scans of paper signatures


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("signed.pdf", _pdf_bytes(), "application/pdf"),
        ("signed.PNG", _png_bytes(), "image/png"),
        ("signed.jpeg", _jpeg_bytes(), "image/jpeg"),
    ],
)
def test_a_paper_signature_keeps_its_scan_privately(world, robin, name, content, content_type):
    signed = document_record_paper(
        engagement=robin,
        version=world.release.current,
        signer_name="Robin Vale",
        signed_on=timezone.localdate(),
        actor=world.supporter,
        scan=SimpleUploadedFile(name, content),
    )
    assert signed.scan_type == content_type
    stored = Path(signed.scan.path)
    assert stored.read_bytes() == content
    assert stored.is_relative_to(Path(settings.PRIVATE_FILES_DIR))
    assert "Robin" not in signed.scan.name
    with pytest.raises(ValueError):
        signed.scan.url  # noqa: B018 — private files have no URL


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("signed.exe", _pdf_bytes(), "Attach the scan as JPEG, JPG, PDF, PNG"),
        ("signed", _pdf_bytes(), "Attach the scan as"),
        ("signed.pdf", _png_bytes(), "not a readable PDF"),
        ("signed.png", b"<svg onload=alert(1)></svg>", "not a readable PNG"),
        ("signed.jpg", _png_bytes(), "not a readable JPG"),
        ("signed.pdf", b"%PDF-1.4 but never ends", "not a readable PDF"),
        ("signed.png", _png_bytes()[:-20], "not a readable PNG"),
        ("signed.pdf", b"", "empty"),
    ],
)
def test_anything_but_a_real_pdf_png_or_jpeg_is_refused(world, robin, name, content, message):
    with pytest.raises(RuleViolation, match=message):
        document_record_paper(
            engagement=robin,
            version=world.release.current,
            signer_name="Robin Vale",
            signed_on=timezone.localdate(),
            actor=world.supporter,
            scan=SimpleUploadedFile(name, content),
        )
    assert not SignedDocument.objects.filter(engagement=robin).exists()
    assert not any(Path(settings.PRIVATE_FILES_DIR).rglob("*.*"))


def test_a_scan_over_the_size_limit_is_refused(world, robin, monkeypatch):
    monkeypatch.setattr(scans, "SCAN_MAX_BYTES", 100)
    with pytest.raises(RuleViolation, match="too large"):
        scans.scan_check(SimpleUploadedFile("big.pdf", _pdf_bytes() + b" " * 100))


def test_the_paper_form_uploads_the_scan_and_the_team_downloads_it(client, world, robin):
    DocumentRequirement.objects.create(program=world.respite, template=world.release)
    client.force_login(world.supporter)
    url = reverse("agreements:record", args=[robin.pk])
    page = client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in page
    form = {
        "template": world.release.pk,
        "signer_name": "Robin Vale",
        "role": "participant",
        "signed_on": timezone.localdate().isoformat(),
    }
    bad = client.post(url, form | {"scan": SimpleUploadedFile("x.pdf", b"MZ not a pdf")})
    assert bad.status_code == 409
    assert "not a readable PDF" in bad.content.decode()
    assert not SignedDocument.objects.filter(engagement=robin).exists()

    response = client.post(url, form | {"scan": SimpleUploadedFile("x.pdf", _pdf_bytes())})
    assert response.status_code == 302
    signed = SignedDocument.objects.get(engagement=robin)
    detail = client.get(reverse("engagements:detail", args=[robin.pk])).content.decode()
    scan_url = reverse("agreements:scan", args=[signed.pk])
    assert scan_url in detail

    download = client.get(scan_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == _pdf_bytes()
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")
    assert AccessLog.objects.filter(what="signed document scan").count() == 1

    client.force_login(world.other_supporter)
    assert client.get(scan_url).status_code == 404


def test_a_signature_without_a_scan_has_no_scan_to_download(client, world):
    client.force_login(world.coordinator)
    url = reverse("agreements:scan", args=[world.signed[0].pk])
    assert client.get(url).status_code == 404


# Admin


def test_the_admin_writes_fields_as_lines_and_a_bad_line_is_a_form_error(client, world):
    world.admin.is_staff = True
    world.admin.save()
    client.force_login(world.admin)
    url = reverse("admin:agreements_documenttemplate_change", args=[world.release.pk])
    form = {
        "organization": world.org.pk,
        "title": "Release of Liability",
        "kind": "release",
        "body": world.release.current.body,
        "signers": ["participant"],
        "versions-TOTAL_FORMS": 1,
        "versions-INITIAL_FORMS": 1,
        "versions-MIN_NUM_FORMS": 0,
        "versions-MAX_NUM_FORMS": 1000,
        "versions-0-id": world.release.current.pk,
        "versions-0-template": world.release.pk,
    }
    bad = client.post(url, form | {"fields_to_fill": "Start [someday]"})
    assert bad.status_code == 200
    assert "Fields, line 1" in bad.content.decode()
    world.release.refresh_from_db()
    assert world.release.current.number == 1

    assert client.post(url, form | {"fields_to_fill": "Start date [date] *"}).status_code == 302
    world.release.refresh_from_db()
    assert world.release.current.number == 2
    assert world.release.current.fields == [
        {"key": "start-date", "label": "Start date", "kind": "date", "required": True}
    ]
    assert "Start date [date] *" in client.get(url).content.decode()


# A signing form belongs to one page, one person, and a recent moment


def test_an_expired_copied_or_forged_signing_form_is_refused(client, world, robin, monkeypatch):
    DocumentRequirement.objects.create(program=world.respite, template=world.release)
    url = reverse("agreements:sign_in_person", args=[robin.pk, world.release.pk, "participant"])
    client.force_login(world.supporter)
    fresh = signing_form(
        robin, world.release, world.supporter, typed_name="Robin Vale", password=PASSWORD
    )
    # Opened two hours ago: the clock the token was signed with is moved back.
    real_time = signing_time.time
    monkeypatch.setattr(signing_time, "time", lambda: real_time() - 2 * 3600)
    stale = signing_form(
        robin, world.release, world.supporter, typed_name="Robin Vale", password=PASSWORD
    )
    monkeypatch.setattr(signing_time, "time", real_time)
    other = open_engagement(
        Participant.objects.create(organization=world.org, first_name="Robin", last_name="Vale"),
        world.respite,
        world.supporter,
        "onboarding",
    )
    cases = {
        "opened more than 60 minutes ago": stale,
        "does not belong to this page": [
            fresh | {"opened": ""},
            fresh | {"opened": fresh["opened"][:-2] + "xx"},
            # Opened for another engagement, another role, another person.
            fresh | {"opened": signing_form(other, world.release, world.supporter)["opened"]},
            fresh
            | {
                "opened": signing_form(robin, world.release, world.supporter, "guardian")["opened"]
            },
            fresh | {"opened": signing_form(robin, world.release, world.coordinator)["opened"]},
        ],
    }
    for message, forms in cases.items():
        for form in forms if isinstance(forms, list) else [forms]:
            response = client.post(url, form)
            assert response.status_code == 400
            assert message in response.content.decode()
    assert not SignedDocument.objects.filter(engagement=robin).exists()

    # The page it answers with carries a fresh token: reading again, then signing, works.
    assert client.post(url, fresh).status_code == 302
