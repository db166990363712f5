"""Consents and released disclosures as PDF, rendered like the signed documents.

Rendering reuses agreements.pdf's URL fetcher with nothing allowed: these bodies hold
no images or stylesheets, so every URL is refused rather than fetched.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from alongside.agreements.pdf import _fetcher


def _pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango takes a moment

    return HTML(string=html, url_fetcher=_fetcher({})).write_pdf()


def consent_html(consent) -> str:
    return render_to_string(
        "consents/consent_pdf.html",
        {"consent": consent, "organization": consent.organization},
    )


def consent_pdf(consent) -> bytes:
    """Every §2.31 element as the participant signed it, then the signature record."""
    return _pdf(consent_html(consent))


def disclosure_html(disclosure) -> str:
    return render_to_string(
        "consents/disclosure_pdf.html",
        {"disclosure": disclosure, "organization": disclosure.organization},
    )


def disclosure_pdf(disclosure) -> bytes:
    """The released packet: exactly ``released_text`` (content, notice, scope)."""
    return _pdf(disclosure_html(disclosure))
