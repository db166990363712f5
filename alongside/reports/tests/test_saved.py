"""Saved reports build monthly in the background and are kept for their owner only."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse

from alongside.accounts.models import Membership, Role
from alongside.core.errors import RuleViolation
from alongside.reports.models import BuildStatus, Period, ReportBuild, SavedReport
from alongside.reports.services import (
    build_request,
    build_run,
    builds_due,
    period_dates,
    saved_report_create,
)
from alongside.reports.testing import engagements_of, held
from conftest import grant, make_user


@pytest.mark.parametrize(
    ("period", "today", "expected"),
    [
        (Period.PREVIOUS_MONTH, "2026-03-01", ("2026-02-01", "2026-02-28")),
        (Period.PREVIOUS_MONTH, "2026-01-15", ("2025-12-01", "2025-12-31")),
        (Period.PREVIOUS_QUARTER, "2026-05-01", ("2026-01-01", "2026-03-31")),
        (Period.PREVIOUS_QUARTER, "2026-01-01", ("2025-10-01", "2025-12-31")),
        (Period.YEAR_TO_DATE, "2026-05-09", ("2026-01-01", "2026-05-09")),
        (Period.LAST_12_MONTHS, "2026-05-09", ("2025-05-01", "2026-04-30")),
    ],
)
def test_relative_periods(period, today, expected):
    start, end = period_dates(period, datetime.date.fromisoformat(today))
    assert (start.isoformat(), end.isoformat()) == expected


def _save(world, **changes) -> SavedReport:
    values = {
        "owner": world.coordinator,
        "organization": world.org,
        "report": "volume",
        "title": "Monthly volume for the board",
        "params": {"program": world.program.pk},
        "period": Period.PREVIOUS_MONTH,
        "fmt": "csv",
        "monthly": True,
    }
    return saved_report_create(**{**values, **changes})


def test_saving_keeps_the_filters_and_plans_the_first_build(world):
    saved = _save(world)
    assert saved.params == {"program": str(world.program.pk)}
    assert saved.next_run_on.day == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"report": "payroll"}, "no report called payroll"),
        ({"period": "forever"}, "Choose a period"),
        ({"title": "  "}, "Give the saved report a name"),
        ({"params": {"program": 999999}}, "Unknown program"),
    ],
)
def test_saving_refuses_what_does_not_fit(world, changes, message):
    with pytest.raises(RuleViolation, match=message):
        _save(world, **changes)
    assert not SavedReport.objects.exists()


def test_a_due_monthly_report_is_built_once_and_kept(world):
    for engagement in engagements_of(12, world.program, world.supporter):
        held(engagement, datetime.date(2026, 2, 10))
    saved = _save(world)
    SavedReport.objects.filter(pk=saved.pk).update(next_run_on=datetime.date(2026, 3, 1))

    builds = builds_due(datetime.date(2026, 3, 1))
    assert builds_due(datetime.date(2026, 3, 1)) == []

    (build,) = builds
    assert build.params["start"] == "2026-02-01" and build.params["end"] == "2026-02-28"
    build = build_run(build)
    assert build.status == BuildStatus.DONE
    rows = list(csv.reader(io.StringIO(build.file.read().decode("utf-8-sig"))))
    assert ["Total", "12", "12.0", "48", "12"] in rows
    saved.refresh_from_db()
    assert saved.next_run_on == datetime.date(2026, 4, 1)


def test_a_build_runs_with_the_owners_rights_of_the_day(world):
    build = build_request(
        user=world.coordinator,
        organization=world.org,
        report="volume",
        params={"start": "2026-01-01", "end": "2026-01-31", "program": world.respite.pk},
        fmt="xlsx",
    )
    # They no longer coordinate the respite by the time the worker runs.
    Membership.objects.get(user=world.coordinator, role=Role.COORDINATOR).programs.set(
        [world.program]
    )
    build = build_run(build)
    assert build.status == BuildStatus.FAILED
    assert "Unknown program" in build.error
    assert not build.file


def test_the_owner_downloads_a_built_file_and_nobody_else(world, client):
    build = build_run(
        build_request(
            user=world.coordinator,
            organization=world.org,
            report="funnel",
            params={"start": "2026-01-01", "end": "2026-03-31"},
            fmt="pdf",
        )
    )
    url = reverse("reports:build_download", args=[build.pk])
    client.force_login(world.coordinator)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    colleague = make_user("cole", "Cole")
    grant(colleague, world.org, Role.COORDINATOR, programs=[world.program, world.respite])
    client.force_login(colleague)
    assert client.get(url).status_code == 404
    client.force_login(world.supporter)
    assert client.get(url).status_code == 403


def test_saving_from_the_page_and_building_now(world, client):
    client.force_login(world.coordinator)
    url = reverse("reports:save", args=["volume"])
    assert client.get(url, {"program": world.program.pk}).status_code == 200
    response = client.post(
        url,
        {
            "title": "Board",
            "period": "previous_quarter",
            "format": "xlsx",
            "monthly": "on",
            "program": world.program.pk,
        },
    )
    assert response.status_code == 302
    saved = SavedReport.objects.get()
    assert saved.format == "xlsx" and saved.monthly
    bad = client.post(url, {"title": "", "period": "someday", "format": "xlsx"})
    assert bad.status_code == 400
    assert SavedReport.objects.count() == 1

    client.post(reverse("reports:saved_build", args=[saved.pk]))
    assert ReportBuild.objects.get().saved == saved
    page = client.get(reverse("reports:saved")).content.decode()
    assert "Board" in page and "Waiting to be built" in page

    client.force_login(world.outsider)
    assert client.post(reverse("reports:saved_delete", args=[saved.pk])).status_code == 404
    client.force_login(world.coordinator)
    client.post(reverse("reports:saved_delete", args=[saved.pk]))
    assert not SavedReport.objects.exists()


def test_a_meetings_export_too_large_for_one_request_is_built_in_the_background(
    world, client, settings
):
    settings.ALONGSIDE_EXPORT_INLINE_ROWS = 2
    for engagement in engagements_of(3, world.program, world.supporter):
        held(engagement, datetime.date(2026, 2, 10))
    client.force_login(world.coordinator)
    query = {"start": "2026-01-01", "end": "2026-03-31"}
    page = client.get(reverse("reports:meetings_csv"), query)
    assert page.status_code == 200
    assert "Build it in the background" in page.content.decode()

    client.post(reverse("reports:meetings_build"), query)
    build = build_run(ReportBuild.objects.get(report=ReportBuild.MEETINGS))
    rows = list(csv.DictReader(io.StringIO(build.file.read().decode("utf-8-sig"))))
    assert len(rows) == 3


def test_the_command_builds_what_is_due_and_waiting(world):
    from django.core.management import call_command

    saved = _save(world)
    SavedReport.objects.filter(pk=saved.pk).update(next_run_on=datetime.date(2020, 1, 1))
    out = io.StringIO()
    call_command("build_reports", stdout=out)
    assert "Built 1 report file(s); 0 failed." in out.getvalue()
    assert ReportBuild.objects.get().status == BuildStatus.DONE
