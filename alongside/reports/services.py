"""Saved reports and background builds: save filters, build monthly, keep the file.

A build runs with its owner's rights as they are when it runs: filters are validated
again by the same form as the page, so a coordinator who no longer coordinates a program
gets a failed build with the reason, never that program's figures.
"""

from __future__ import annotations

import datetime
import logging
import tempfile

from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.audit.services import event_record
from alongside.core.errors import RuleViolation
from alongside.core.permissions import Cap, has_capability
from alongside.reports import exports
from alongside.reports.filters import ReportFilterForm, ReportFilters
from alongside.reports.models import BuildStatus, Period, ReportBuild, SavedReport
from alongside.reports.registry import definition, run
from alongside.reports.selectors import meetings_for_export

logger = logging.getLogger(__name__)

FILTER_KEYS = ("program", "supporter", "site")


def first_of_next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def period_dates(period: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The dates a relative period covers when built on ``today``."""
    this_month = today.replace(day=1)
    if period == Period.PREVIOUS_MONTH:
        end = this_month - datetime.timedelta(days=1)
        return end.replace(day=1), end
    if period == Period.PREVIOUS_QUARTER:
        quarter_start = this_month.replace(month=3 * ((today.month - 1) // 3) + 1)
        end = quarter_start - datetime.timedelta(days=1)
        return end.replace(month=3 * ((end.month - 1) // 3) + 1, day=1), end
    if period == Period.YEAR_TO_DATE:
        return today.replace(month=1, day=1), today
    end = this_month - datetime.timedelta(days=1)
    return this_month.replace(year=this_month.year - 1), end


def filters_for(user, organization, params: dict) -> ReportFilters:
    """Validate ``params`` as the page would for ``user``; refuse with every message."""
    form = ReportFilterForm(params, user=user, organization=organization)
    if not form.is_valid():
        messages = [str(m) for errors in form.errors.values() for m in errors]
        raise RuleViolation(" ".join(messages))
    return form.filters()


def saved_report_create(
    *,
    owner,
    organization,
    report: str,
    title: str,
    params: dict,
    period: str,
    fmt: str,
    monthly: bool,
) -> SavedReport:
    if definition(report) is None:
        raise RuleViolation(_("There is no report called %(name)s.") % {"name": report})
    if period not in Period.values or fmt not in exports.FORMATS:
        raise RuleViolation(_("Choose a period and a format from the lists."))
    title = " ".join((title or "").split())
    if not title or len(title) > 120:
        raise RuleViolation(_("Give the saved report a name of at most 120 characters."))
    kept = {k: str(params[k]) for k in FILTER_KEYS if params.get(k)}
    start, end = period_dates(period, timezone.localdate())
    filters_for(owner, organization, {**kept, "start": start, "end": end})
    with transaction.atomic():
        saved = SavedReport.objects.create(
            organization=organization,
            owner=owner,
            report=report,
            title=title,
            params=kept,
            period=period,
            format=fmt,
            monthly=monthly,
            next_run_on=first_of_next_month(timezone.localdate()) if monthly else None,
        )
        event_record(
            actor=owner,
            organization=organization,
            action="report.saved",
            obj=saved,
            data={"report": report, "period": period, "monthly": monthly, **kept},
        )
        if monthly:
            transaction.on_commit(lambda: _wake_scheduler(saved.next_run_on))
    return saved


def saved_report_delete(*, saved: SavedReport, actor) -> None:
    with transaction.atomic():
        event_record(
            actor=actor, organization=saved.organization, action="report.unsaved", obj=saved
        )
        saved.delete()


def build_request(
    *, user, organization, report: str, params: dict, fmt: str, saved: SavedReport | None = None
) -> ReportBuild:
    """Queue a build; the worker (``manage.py db_worker``) makes the file."""
    if report != ReportBuild.MEETINGS and definition(report) is None:
        raise RuleViolation(_("There is no report called %(name)s.") % {"name": report})
    filters = filters_for(user, organization, params)
    with transaction.atomic():
        build = ReportBuild.objects.create(
            organization=organization,
            requested_by=user,
            saved=saved,
            report=report,
            params=filters.as_params(),
            format=fmt,
        )
        event_record(
            actor=user,
            organization=organization,
            action="report.build_requested",
            obj=build,
            data={"report": report, "format": fmt, **build.params},
        )
        transaction.on_commit(lambda: _enqueue_build(build.pk))
    return build


def build_run(build: ReportBuild) -> ReportBuild:
    """Make the build's file now (the worker calls this); a failure is kept with why."""
    try:
        user, organization = build.requested_by, build.organization
        if not user.is_active or not has_capability(user, organization, Cap.REPORTS_VIEW):
            raise RuleViolation(_("The person it was built for may no longer see reports."))
        filters = filters_for(user, organization, build.params)
        filename = f"{build.report}-{filters.start}-{filters.end}.{build.format}"
        if build.report == ReportBuild.MEETINGS:
            with tempfile.TemporaryFile() as handle:
                for line in exports.meetings_rows(meetings_for_export(filters)):
                    handle.write(line.encode())
                handle.seek(0)
                build.file.save(filename, File(handle, name=filename), save=False)
        else:
            found = definition(build.report)
            if found is None:
                raise RuleViolation(_("That report no longer exists."))
            report_bytes = _report_bytes(run(found, filters), build.format, organization)
            build.file.save(filename, ContentFile(report_bytes, name=filename), save=False)
        build.status = BuildStatus.DONE
        build.error = ""
    except RuleViolation as refusal:
        build.status, build.error = BuildStatus.FAILED, refusal.message[:500]
    except Exception:
        logger.exception("Report build %s failed.", build.pk)
        build.status, build.error = BuildStatus.FAILED, _("An unexpected error; try again.")
    build.finished_at = timezone.now()
    build.save(update_fields=["file", "status", "error", "finished_at"])
    return build


def _report_bytes(report, fmt: str, organization) -> bytes:
    if fmt == "csv":
        return exports.report_csv(report)
    if fmt == "xlsx":
        return exports.report_xlsx(report)
    return exports.report_pdf(report, {"organization": organization})


def builds_due(today: datetime.date | None = None) -> list[ReportBuild]:
    """Queue this month's build of every monthly report that is due, once each."""
    today = today or timezone.localdate()
    queued = []
    with transaction.atomic():
        due = SavedReport.objects.select_for_update().filter(monthly=True, next_run_on__lte=today)
        for saved in due.select_related("owner", "organization"):
            start, end = period_dates(saved.period, today)
            saved.next_run_on = first_of_next_month(today)
            saved.save(update_fields=["next_run_on"])
            try:
                queued.append(
                    build_request(
                        user=saved.owner,
                        organization=saved.organization,
                        report=saved.report,
                        params={**saved.params, "start": start, "end": end},
                        fmt=saved.format,
                        saved=saved,
                    )
                )
            except RuleViolation as refusal:
                queued.append(
                    ReportBuild.objects.create(
                        organization=saved.organization,
                        requested_by=saved.owner,
                        saved=saved,
                        report=saved.report,
                        params={"start": str(start), "end": str(end), **saved.params},
                        format=saved.format,
                        status=BuildStatus.FAILED,
                        error=refusal.message[:500],
                        finished_at=timezone.now(),
                    )
                )
    return queued


def _enqueue_build(build_id: int) -> None:
    from alongside.reports.tasks import run_build

    try:
        run_build.enqueue(build_id)
    except Exception:
        logger.exception("Could not queue report build %s; it stays waiting.", build_id)


def _wake_scheduler(day: datetime.date) -> None:
    from alongside.reports.tasks import schedule_monthly_builds

    schedule_monthly_builds(day)
