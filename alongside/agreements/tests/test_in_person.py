"""Signing in person on the supporter's device: typed name, drawn signature, password."""

from __future__ import annotations

import base64
import io
import struct
import zlib

import pytest
from django.urls import reverse
from pypdf import PdfReader

from alongside.agreements.drawn import SIGNATURE_MAX_BYTES, signature_png_decode
from alongside.agreements.models import DocumentRequirement, SignedDocument
from alongside.agreements.testing import signing_form
from alongside.core.errors import RuleViolation
from alongside.engagements.models import State
from alongside.participants.models import Participant
from conftest import PASSWORD, open_engagement


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(width: int = 60, height: int = 20, extra: bytes = b"") -> bytes:
    rows = b"".join(b"\x00" + b"\x00\x00\x00\xff" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
        + (_chunk(b"tEXt", extra) if extra else b"")
        + _chunk(b"IDAT", zlib.compress(rows))
        + _chunk(b"IEND", b"")
    )


def _data_url(data: bytes, prefix: str = "data:image/png;base64,") -> str:
    return prefix + base64.b64encode(data).decode()


def _setup(world, *, portal_user=True):
    """Pat (with a portal sign-in) or Robin (without) in onboarding in the respite program."""
    DocumentRequirement.objects.create(program=world.respite, template=world.release)
    participant = world.participant
    if not portal_user:
        participant = Participant.objects.create(
            organization=world.org, first_name="Robin", last_name="Vale"
        )
    engagement = open_engagement(participant, world.respite, world.supporter, State.ONBOARDING)
    url = reverse(
        "agreements:sign_in_person", args=[engagement.pk, world.release.pk, "participant"]
    )
    form = signing_form(
        engagement,
        world.release,
        world.supporter,
        typed_name=f"{participant.first_name} {participant.last_name}",
    )
    return engagement, url, form


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_participant_signs_in_person_with_a_drawing_and_their_password(client, world):
    engagement, url, form = _setup(world)
    client.force_login(world.supporter)
    page = client.get(url).content.decode()
    assert "I take part by my own choice." in page
    assert "enter your own portal password" in page
    assert "agreements/signature-pad.js" in page
    assert "<script>" not in page  # the CSP allows only static script files
    drawing = _png()
    response = client.post(
        url,
        form | {"password": PASSWORD, "drawn_signature": _data_url(drawing)},
        REMOTE_ADDR="198.51.100.9",
        HTTP_USER_AGENT="Tablet/1.0",
    )
    assert response.status_code == 302
    signed = SignedDocument.objects.get(engagement=engagement)
    assert (signed.method, signed.ip, signed.user_agent) == (
        "in_person",
        "198.51.100.9",
        "Tablet/1.0",
    )
    assert signed.signer == world.participant_user
    assert signed.recorded_by == world.supporter
    assert bytes(signed.signature_png) == drawing
    assert signed.sha256 == world.release.current.sha256

    pdf = client.get(reverse("agreements:pdf", args=[signed.pk]))
    assert pdf.status_code == 200
    text = _pdf_text(pdf.content)
    assert "Pat Rivera" in text
    assert "version 1" in text
    assert "Signed in person" in text
    reader = PdfReader(io.BytesIO(pdf.content))
    assert any(page.images for page in reader.pages)  # the drawing is in the block

    replay = client.post(url, form | {"password": PASSWORD, "drawn_signature": _data_url(drawing)})
    assert "is already signed" in replay.content.decode()
    assert SignedDocument.objects.filter(engagement=engagement).count() == 1


def test_without_a_drawing_the_typed_name_signs_and_the_supporter_attests(client, world):
    engagement, url, form = _setup(world, portal_user=False)
    client.force_login(world.supporter)
    assert "attest that you checked their identity" in client.get(url).content.decode()
    response = client.post(url, form | {"password": PASSWORD, "drawn_signature": ""})
    assert response.status_code == 302
    signed = SignedDocument.objects.get(engagement=engagement)
    assert (signed.method, signed.signer, signed.recorded_by) == (
        "in_person",
        None,
        world.supporter,
    )
    assert bytes(signed.signature_png) == b""
    text = _pdf_text(client.get(reverse("agreements:pdf", args=[signed.pk])).content)
    assert "Robin Vale" in text
    assert "attested by sunny" in text.lower()


@pytest.mark.parametrize(
    ("drawn", "message"),
    [
        (_data_url(b"GIF89a" + b"\x00" * 40, "data:image/gif;base64,"), "must be a PNG"),
        ("https://example.org/sig.png", "must be a PNG"),
        ("data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=", "must be a PNG"),
        (_data_url(b"GIF89a" + b"\x00" * 40), "not a readable PNG"),  # PNG label, GIF bytes
        ("data:image/png;base64,not base64!!", "not a readable PNG"),
        (_data_url(_png()[:-12]), "not a readable PNG"),  # no IEND: cut short
        (_data_url(_png().replace(b"IHDR", b"IHDX")), "not a readable PNG"),
        (_data_url(_png(width=100_000, height=20)), "odd dimensions"),
        (_data_url(_png(width=0, height=20)), "odd dimensions"),
        (_data_url(_png(extra=b"x" * (SIGNATURE_MAX_BYTES + 1))), "too large"),
    ],
)
def test_anything_but_a_small_well_formed_png_is_refused(client, world, drawn, message):
    engagement, url, form = _setup(world)
    client.force_login(world.supporter)
    response = client.post(url, form | {"password": PASSWORD, "drawn_signature": drawn})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SignedDocument.objects.filter(engagement=engagement).exists()


def test_an_oversized_png_is_refused_before_decoding():
    with pytest.raises(RuleViolation, match="too large"):
        signature_png_decode("data:image/png;base64," + "A" * (SIGNATURE_MAX_BYTES * 2))


def test_a_wrong_password_is_refused(client, world):
    engagement, url, form = _setup(world)
    client.force_login(world.supporter)
    response = client.post(
        url, form | {"password": "not it", "drawn_signature": _data_url(_png())}
    )
    assert response.status_code == 400
    assert "not the participant&#x27;s portal password" in response.content.decode()
    assert not SignedDocument.objects.filter(engagement=engagement).exists()


def test_the_supporters_own_password_does_not_stand_in_for_a_portal_user(client, world):
    engagement, url, form = _setup(world)
    world.supporter.set_password("supporter-only-secret")
    world.supporter.save()
    client.force_login(world.supporter)
    response = client.post(url, form | {"password": "supporter-only-secret"})
    assert response.status_code == 400
    assert not SignedDocument.objects.filter(engagement=engagement).exists()


def test_a_tampered_hash_is_refused(client, world):
    engagement, url, form = _setup(world)
    client.force_login(world.supporter)
    response = client.post(url, form | {"document_hash": "f" * 64, "password": PASSWORD})
    assert response.status_code == 409
    assert "does not match" in response.content.decode()
    assert not SignedDocument.objects.filter(engagement=engagement).exists()


def test_the_typed_name_must_be_the_participants(client, world):
    engagement, url, form = _setup(world)
    client.force_login(world.supporter)
    response = client.post(url, form | {"typed_name": "Sunny Demo", "password": PASSWORD})
    assert "Type the participant&#x27;s full name" in response.content.decode()
    assert not SignedDocument.objects.filter(engagement=engagement).exists()


def test_another_supporters_engagement_is_not_found(client, world):
    client.force_login(world.supporter)
    url = reverse(
        "agreements:sign_in_person",
        args=[world.other_engagement.pk, world.release.pk, "participant"],
    )
    assert client.get(url).status_code == 404
