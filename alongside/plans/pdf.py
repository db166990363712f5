"""A formal plan as PDF: the text both people signed, then each signature."""

from __future__ import annotations

from django.template.loader import render_to_string

from alongside.core.pdf import html_to_pdf
from alongside.plans.models import Plan


def plan_html(plan: Plan) -> str:
    engagement = plan.engagement
    return render_to_string(
        "plans/plan_pdf.html",
        {
            "plan": plan,
            "signatures": list(plan.signatures.select_related("recorded_by", "signer")),
            "participant": engagement.participant,
            "organization": engagement.organization,
        },
    )


def plan_pdf(plan: Plan) -> bytes:
    """Nothing is fetched: the plan has no images."""
    return html_to_pdf(plan_html(plan))
