"""A report as CSV, XLSX or PDF: the same suppressed tables the page shows, so no export
can carry a figure the page hides. And the one row-level export, a period's meetings,
streamed so memory stays flat whatever the row count."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from alongside.core.pdf import html_to_pdf
from alongside.reports.charts import chart_svg
from alongside.reports.result import Cell, Report

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def cell_text(cell: Cell):
    if cell.suppressed:
        return _("suppressed")
    return "" if cell.value is None else cell.value


def suppression_notice() -> str:
    return _(
        "Figures about fewer than 11 people are suppressed, and so are the figures that "
        "would reveal them. No names are shown."
    )


def _heading(report: Report) -> list[list]:
    return [
        [report.title],
        [_("From %(start)s to %(end)s") % {"start": report.start, "end": report.end}],
        [suppression_notice()],
    ]


def report_csv(report: Report) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows(_heading(report))
    for table in report.tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow([table.label_header, *table.columns])
        for row in table.rows:
            writer.writerow([row.label, *(cell_text(c) for c in row.cells)])
        if table.note:
            writer.writerow([table.note])
    # A BOM so spreadsheet programs read the UTF-8 (names of months, accents) right.
    return ("\ufeff" + out.getvalue()).encode()


def report_xlsx(report: Report) -> bytes:
    """One sheet per table, numbers as numbers; a suppressed cell is the word."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True})
    cover = book.add_worksheet(_("About")[:31])
    for r, line in enumerate(_heading(report)):
        cover.write(r, 0, str(line[0]), bold if r == 0 else None)
    used = set()
    for table in report.tables:
        name = str(table.title)[:31] or table.key
        while name in used:
            name = f"{name[:28]}_{len(used)}"
        used.add(name)
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, [str(h) for h in (table.label_header, *table.columns)], bold)
        for r, row in enumerate(table.rows, start=1):
            sheet.write(r, 0, str(row.label), bold if row.is_total else None)
            for c, cell in enumerate(row.cells, start=1):
                sheet.write(r, c, cell_text(cell))
        if table.note:
            sheet.write(len(table.rows) + 2, 0, str(table.note))
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, len(table.columns), 14)
    book.close()
    return buffer.getvalue()


def charted(report: Report) -> list[tuple]:
    """Each table with its chart's markup (every value in it escaped by charts.py)."""
    return [(table, mark_safe(chart_svg(table))) for table in report.tables]


def report_pdf(report: Report, context: dict) -> bytes:
    html = render_to_string(
        "reports/report_pdf.html",
        {**context, "report": report, "tables": charted(report)},
    )
    return html_to_pdf(html)


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


MEETING_COLUMNS = (
    "meeting",
    "date",
    "engagement",
    "participant",
    "program",
    "site",
    "supporter",
    "mode",
    "status",
    "minutes",
    "service_units",
)


def meetings_rows(queryset) -> Iterator[str]:
    """CSV lines of the meetings, read in chunks (a server-side cursor on PostgreSQL)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(MEETING_COLUMNS)
    rows = queryset.values_list(
        "pk",
        "starts_at",
        "engagement_id",
        "engagement__participant_id",
        "engagement__program__name",
        "engagement__site__name",
        "engagement__supporter__username",
        "mode",
        "status",
        "duration_minutes",
        "service_units",
    ).order_by("starts_at", "pk")
    for pk, starts_at, *rest in rows.iterator(chunk_size=2000):
        yield writer.writerow([pk, starts_at.isoformat(), *("" if v is None else v for v in rest)])
