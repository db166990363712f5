"""Signed documents as PDF: the same HTML the signer saw, plus a signature block."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe


def _no_fetching(url: str, *args, **kwargs):
    # Bodies hold no images or stylesheets; refuse any URL rather than reach out.
    raise ValueError(f"Not fetched while making a PDF: {url}")


def signed_document_html(signed) -> str:
    return render_to_string(
        "agreements/signed_document_pdf.html",
        {
            "signed": signed,
            "version": signed.version,
            "document": mark_safe(signed.version.html),  # sanitized at publishing
            "participant": signed.engagement.participant,
            "organization": signed.engagement.organization,
        },
    )


def signed_document_pdf(signed) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango takes a moment

    return HTML(string=signed_document_html(signed), url_fetcher=_no_fetching).write_pdf()
