"""Signed documents as PDF: the same HTML the signer saw, plus a signature block."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from alongside.agreements.models import SignedDocument
from alongside.core.pdf import html_to_pdf


def _signatures(signed) -> list:
    """Every signature on the same version for the engagement: a contract shows them all."""
    return list(
        SignedDocument.objects.filter(
            engagement_id=signed.engagement_id, version_id=signed.version_id
        ).select_related("recorded_by", "signer")
    )


def signed_document_html(signed, signatures=None) -> str:
    signatures = signatures if signatures is not None else _signatures(signed)
    return render_to_string(
        "agreements/signed_document_pdf.html",
        {
            "signed": signed,
            "signatures": signatures,
            "filled": next((s.filled for s in signatures if s.filled), []),
            "version": signed.version,
            "document": mark_safe(signed.version.html),  # sanitized at publishing
            "participant": signed.engagement.participant,
            "organization": signed.engagement.organization,
        },
    )


def signed_document_pdf(signed) -> bytes:
    """The only images fetched are the drawn signatures, each from its own data: URI."""
    signatures = _signatures(signed)
    images = {s.signature_data_uri: bytes(s.signature_png) for s in signatures if s.signature_png}
    return html_to_pdf(signed_document_html(signed, signatures), images=images)
