"""The report pages and downloads: who may, bad filters, and what leaves the server."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from alongside.audit.models import AccessLog, AuditEvent
from alongside.reports.exports import FORMATS
from alongside.reports.registry import definitions
from alongside.reports.testing import engagements_of, held

PERIOD = {"start": "2026-01-01", "end": "2026-06-30"}


@pytest.fixture
def busy(world):
    """Twelve people met by phone in March, three at the respite."""
    for engagement in engagements_of(12, world.program, world.supporter):
        held(engagement, datetime.date(2026, 3, 10))
    for engagement in engagements_of(3, world.respite, world.supporter, prefix="Stay"):
        held(engagement, datetime.date(2026, 3, 12))
    return world


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator", 200),
        ("outsider", 200),  # their own organization's reports
        ("admin", 403),
        ("supervisor", 403),
        ("supporter", 403),
        ("participant_user", 403),
    ],
)
def test_reports_are_for_coordinators(world, client, persona, status):
    """Every report, on its page and in every format (the access matrix names one)."""
    client.force_login(getattr(world, persona))
    urls = [reverse("reports:index"), reverse("reports:meetings_csv")]
    for found in definitions():
        urls.append(reverse("reports:report", args=[found.name]))
        urls += [reverse("reports:download", args=[found.name, fmt]) for fmt in FORMATS]
    for url in urls:
        assert client.get(url, PERIOD).status_code == status, url


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(reverse("reports:report", args=["volume"]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"] or "login" in response["Location"]


def test_an_unknown_report_or_format_is_not_found(world, client):
    client.force_login(world.coordinator)
    assert client.get(reverse("reports:report", args=["payroll"])).status_code == 404
    assert client.get(reverse("reports:download", args=["volume", "docx"])).status_code == 404


def test_the_page_draws_each_table_with_its_chart_and_the_suppression_notice(busy, client):
    client.force_login(busy.coordinator)
    response = client.get(reverse("reports:report", args=["volume"]), PERIOD)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("<svg") == 3
    assert page.count("<table") == 3
    assert "fewer than 11 people are suppressed" in page
    assert "Stay0" not in page and "Person0" not in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-06-01", "end": "2026-01-01"}, "before its start"),
        ({**PERIOD, "program": "999999"}, "Unknown program"),
        ({"start": "2015-01-01", "end": "2026-01-01"}, "at most five years"),
        ({"start": "tomorrow", "end": "2026-01-01"}, "valid date"),
    ],
)
def test_bad_filters_answer_400_with_a_message(world, client, query, message):
    client.force_login(world.coordinator)
    for url in (
        reverse("reports:report", args=["volume"]),
        reverse("reports:download", args=["volume", "csv"]),
        reverse("reports:meetings_csv"),
    ):
        response = client.get(url, query)
        assert response.status_code == 400, url
        assert message in response.content.decode()


def test_another_organizations_program_is_unknown(world, client):
    client.force_login(world.coordinator)
    query = {**PERIOD, "program": world.other_program.pk}
    response = client.get(reverse("reports:report", args=["volume"]), query)
    assert response.status_code == 400
    assert "Unknown program" in response.content.decode()


def test_the_csv_carries_the_page_figures_with_suppressed_cells_as_words(busy, client):
    client.force_login(busy.coordinator)
    response = client.get(reverse("reports:download", args=["volume", "csv"]), PERIOD)
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="volume 2026-01-01 2026-06-30.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert ["Peer Respite", "suppressed", "suppressed", "suppressed", "suppressed"] in rows
    assert ["Total", "15", "15.0", "60", "15"] in rows
    event = AuditEvent.objects.get(action="report.exported")
    assert event.data == {"report": "volume", "format": "csv", **PERIOD}


def test_the_pdf_holds_the_same_tables(busy, client):
    client.force_login(busy.coordinator)
    response = client.get(reverse("reports:download", args=["volume", "pdf"]), PERIOD)
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Service volume" in text
    assert "suppressed" in text
    assert "Peer Respite" in text


def test_the_xlsx_is_a_workbook_with_a_sheet_per_table(busy, client):
    import zipfile

    client.force_login(busy.coordinator)
    response = client.get(reverse("reports:download", args=["volume", "xlsx"]), PERIOD)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    with zipfile.ZipFile(io.BytesIO(response.content)) as book:
        sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/sheet")]
        strings = book.read("xl/sharedStrings.xml").decode()
    assert len(sheets) == 4  # About + three tables
    assert "suppressed" in strings and "Peer Respite" in strings


def test_the_meetings_export_streams_rows_without_names_and_logs_the_read(busy, client):
    client.force_login(busy.coordinator)
    response = client.get(reverse("reports:meetings_csv"), PERIOD)
    assert response.streaming
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 15
    assert {r["program"] for r in rows} == {"Community Peer Support", "Peer Respite"}
    assert "Person" not in body and "Stay" not in body
    log = AccessLog.objects.get(what="meetings export")
    assert len(log.participant_ids) == 15
    assert AuditEvent.objects.filter(action="meetings.exported").count() == 1
