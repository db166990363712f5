"""The closure summary as PDF: what the participant takes away when support ends."""

from __future__ import annotations

from django.template.loader import render_to_string

from alongside.core.pdf import html_to_pdf, in_language_of
from alongside.exits.selectors import closure_summary


def summary_html(engagement) -> str:
    # The participant's take-away: in their language, whoever downloads it.
    with in_language_of(engagement.participant):
        return render_to_string("exits/summary_pdf.html", closure_summary(engagement))


def summary_pdf(engagement) -> bytes:
    """Nothing is fetched: the summary has no images."""
    return html_to_pdf(summary_html(engagement))
