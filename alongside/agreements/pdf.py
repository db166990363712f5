"""Signed documents as PDF: the same HTML the signer saw, plus a signature block."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe


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


def _fetcher(allowed: dict[str, bytes]):
    """A URL fetcher that serves only the given data: URIs (the drawn signature).

    Bodies hold no images or stylesheets; every other URL is refused rather than fetched.
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class OnlyTheSignature(URLFetcher):
        def fetch(self, url, headers=None):
            if url in allowed:
                return URLFetcherResponse(url, allowed[url], {"Content-Type": "image/png"})
            raise ValueError(f"Not fetched while making a PDF: {url[:80]}")

    return OnlyTheSignature()


def signed_document_pdf(signed) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango takes a moment

    allowed = {}
    if signed.signature_png:
        allowed[signed.signature_data_uri] = bytes(signed.signature_png)
    return HTML(string=signed_document_html(signed), url_fetcher=_fetcher(allowed)).write_pdf()
