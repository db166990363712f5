"""The participant's whole record as a readable PDF (WeasyPrint, through core.pdf)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from alongside.core.pdf import html_to_pdf, in_language_of
from alongside.records.selectors import record_of


def record_html(participant, engagements: QuerySet) -> str:
    with in_language_of(participant):
        context = record_of(participant, engagements)
        context["made_at"] = timezone.now()
        return render_to_string("records/record_pdf.html", context)


def record_pdf(participant, engagements: QuerySet) -> bytes:
    """Nothing is fetched: the record has no images."""
    return html_to_pdf(record_html(participant, engagements))
