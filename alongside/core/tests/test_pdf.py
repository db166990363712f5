"""One PDF renderer that fetches nothing it was not given, and one safe download response."""

from __future__ import annotations

import base64
import io
import socket

import pytest
from PIL import Image
from pypdf import PdfReader

from alongside.core.pdf import html_to_pdf, pdf_attachment


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "black").save(buffer, format="PNG")
    return buffer.getvalue()


def _images_in(content: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def connections(monkeypatch) -> list:
    """Every attempt to reach the network while the test runs."""
    attempts: list = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("no network in tests")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


def test_it_renders_without_fetching_an_external_image(connections):
    html = '<p>Hello</p><img src="http://example.com/x.png">'

    content = html_to_pdf(html)

    assert content.startswith(b"%PDF")
    assert "Hello" in PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert _images_in(content) == 0
    assert connections == []


def test_it_serves_an_allowed_data_uri_and_only_that(connections):
    png = _png()
    uri = "data:image/png;base64," + base64.b64encode(png).decode()
    html = f'<img src="{uri}"><img src="http://example.com/x.png">'

    assert _images_in(html_to_pdf(html, images={uri: png})) == 1
    assert _images_in(html_to_pdf(html)) == 0  # the same URI, not allowed: refused
    assert connections == []


def test_the_attachment_is_a_pdf_download():
    response = pdf_attachment(b"%PDF-1.7", "Release of Liability v2 - Pat Rivera.pdf")

    assert response["Content-Type"] == "application/pdf"
    assert response.content == b"%PDF-1.7"
    assert response["Content-Disposition"] == (
        'attachment; filename="Release of Liability v2 - Pat Rivera.pdf"'
    )


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        ("Release & Waiver v1 - Pat Rivera.pdf", "Release & Waiver v1 - Pat Rivera.pdf"),
        ('Bad "name"\r\n/../x.pdf', "Bad name..x.pdf"),
        ("C:\\secret\\plan;.pdf", "Csecretplan.pdf"),
        ("Authorization 2025-01-02 - Pat", "Authorization 2025-01-02 - Pat.pdf"),
        ("Report.PDF", "Report.PDF"),
        ("", "document.pdf"),
        ('"/".pdf', "document.pdf"),
    ],
)
def test_the_filename_keeps_only_safe_characters_and_ends_in_pdf(given, sent):
    response = pdf_attachment(b"", given)

    assert response["Content-Disposition"] == f'attachment; filename="{sent}"'
