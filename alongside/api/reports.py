"""Reports as JSON (design.md §7 ``reports/{name}``): the same suppressed tables as the
pages; a suppressed figure is null with ``suppressed: true``, never the number."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema

from alongside.api.auth import require
from alongside.api.schemas import ERRORS, QueryParams
from alongside.core.permissions import Cap
from alongside.reports.exports import suppression_notice
from alongside.reports.filters import ReportFilterForm
from alongside.reports.registry import definition, definitions, run

router = Router(tags=["reports"])


class ReportParams(QueryParams):
    start: datetime.date | None = None
    end: datetime.date | None = None
    program: int | None = None
    supporter: int | None = None
    site: int | None = None


class ReportSummary(Schema):
    name: str
    title: str
    description: str


class CellOut(Schema):
    value: float | int | str | None
    suppressed: bool


class RowOut(Schema):
    label: str
    total: bool
    cells: list[CellOut]


class TableOut(Schema):
    key: str
    title: str
    label_header: str
    columns: list[str]
    rows: list[RowOut]
    note: str


class ReportOut(Schema):
    name: str
    title: str
    start: datetime.date
    end: datetime.date
    program: int | None
    supporter: int | None
    site: int | None
    suppression: str
    suppressed_count: int
    tables: list[TableOut]


@router.get("", summary="List the reports", response={200: list[ReportSummary], **ERRORS})
def report_list(request: HttpRequest) -> list[dict]:
    require(request, Cap.REPORTS_VIEW)
    return [
        {"name": d.name, "title": str(d.title), "description": str(d.description)}
        for d in definitions()
    ]


@router.get(
    "/{name}",
    summary="Build a report for a period (and a program, supporter or site)",
    response={200: ReportOut, **ERRORS},
)
def report_read(request: HttpRequest, name: str, params: Query[ReportParams]) -> dict:
    """Aggregates only: cells about fewer than 11 people (and their complements) are null."""
    require(request, Cap.REPORTS_VIEW)
    found = definition(name)
    if found is None:
        raise Http404
    data = {k: v for k, v in params.dict().items() if v is not None}
    form = ReportFilterForm(data, user=request.user, organization=request.organization)
    if not form.is_valid():
        raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
    filters = form.filters()
    report = run(found, filters)
    return {
        "name": report.name,
        "title": report.title,
        "start": report.start,
        "end": report.end,
        "program": filters.program_ids[0] if filters.single_program else None,
        "supporter": filters.supporter_id,
        "site": filters.site_id,
        "suppression": suppression_notice(),
        "suppressed_count": report.suppressed_count,
        "tables": [
            {
                "key": table.key,
                "title": str(table.title),
                "label_header": str(table.label_header),
                "columns": [str(c) for c in table.columns],
                "note": str(table.note),
                "rows": [
                    {
                        "label": str(row.label),
                        "total": row.is_total,
                        "cells": [
                            {"value": cell.shown, "suppressed": cell.suppressed}
                            for cell in row.cells
                        ],
                    }
                    for row in table.rows
                ],
            }
            for table in report.tables
        ],
    }
