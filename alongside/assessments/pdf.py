"""An assessment as PDF: the text both people sign, what the team saw, each signature."""

from __future__ import annotations

from django.template.loader import render_to_string

from alongside.assessments.models import Assessment
from alongside.assessments.services import signature_state
from alongside.core.pdf import html_to_pdf


def assessment_html(assessment: Assessment) -> str:
    engagement = assessment.engagement
    signatures = list(assessment.signatures.select_related("recorded_by", "signer"))
    return render_to_string(
        "assessments/assessment_pdf.html",
        {
            "assessment": assessment,
            "signatures": signatures,
            "signed": signature_state(assessment, signatures),
            "participant": engagement.participant,
            "organization": engagement.organization,
        },
    )


def assessment_pdf(assessment: Assessment) -> bytes:
    """Nothing is fetched: the assessment has no images."""
    return html_to_pdf(assessment_html(assessment))
