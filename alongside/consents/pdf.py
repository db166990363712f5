"""Consents and released disclosures as PDF, rendered like the signed documents.

These bodies hold no images or stylesheets: html_to_pdf refuses every URL in them.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from alongside.core.pdf import html_to_pdf


def consent_html(consent) -> str:
    return render_to_string(
        "consents/consent_pdf.html",
        {"consent": consent, "organization": consent.organization},
    )


def consent_pdf(consent) -> bytes:
    """Every §2.31 element as the participant signed it, then the signature record."""
    return html_to_pdf(consent_html(consent))


def disclosure_html(disclosure) -> str:
    return render_to_string(
        "consents/disclosure_pdf.html",
        {"disclosure": disclosure, "organization": disclosure.organization},
    )


def disclosure_pdf(disclosure) -> bytes:
    """The released packet: exactly ``released_text`` (content, notice, scope)."""
    return html_to_pdf(disclosure_html(disclosure))
