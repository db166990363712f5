"""Report pages and downloads; the figures come from registry.run, already suppressed."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from alongside.audit.services import event_record, read_record
from alongside.core.decorators import capability_required
from alongside.core.errors import RuleViolation
from alongside.core.pdf import clean_filename
from alongside.core.permissions import Cap, get_or_404
from alongside.core.web import form_page
from alongside.reports import exports
from alongside.reports.filters import ReportFilterForm
from alongside.reports.forms import SaveReportForm
from alongside.reports.models import BuildStatus, ReportBuild
from alongside.reports.registry import definition, definitions, run
from alongside.reports.selectors import builds_of, meetings_for_export, saved_reports_of
from alongside.reports.services import (
    FILTER_KEYS,
    build_request,
    period_dates,
    saved_report_create,
    saved_report_delete,
)


def _form(request) -> ReportFilterForm:
    return ReportFilterForm(request.GET, user=request.user, organization=request.organization)


def _refused_filters(request, form: ReportFilterForm, found=None):
    """The page again with the filter form's errors: bad filters answer 400, nothing built."""
    context = {"form": form, "definitions": definitions()}
    if found is None:
        return render(request, "reports/index.html", context, status=400)
    return render(request, "reports/report.html", {**context, "definition": found}, status=400)


def _queue_build(request, *, failure_url: str, done: str, **build) -> HttpResponse:
    """Ask for a build in the background; a refusal is shown on the page it came from."""
    try:
        build_request(user=request.user, organization=request.organization, **build)
    except RuleViolation as refusal:
        messages.error(request, refusal.message)
        return redirect(failure_url)
    messages.success(request, done)
    return redirect("reports:saved")


def _definition_or_404(name: str):
    found = definition(name)
    if found is None:
        raise Http404
    return found


@require_GET
@capability_required(Cap.REPORTS_VIEW)
def report_index(request):
    return render(
        request,
        "reports/index.html",
        {"definitions": definitions(), "form": _form(request)},
    )


@require_GET
@capability_required(Cap.REPORTS_VIEW)
def report_page(request, name: str):
    found = _definition_or_404(name)
    form = _form(request)
    if not form.is_valid():
        return _refused_filters(request, form, found)
    filters = form.filters()
    report = run(found, filters)
    context = {
        "definition": found,
        "form": form,
        "definitions": definitions(),
        "report": report,
        "tables": exports.charted(report),
        "query": urlencode(filters.as_params()),
        "notice": exports.suppression_notice(),
    }
    return render(request, "reports/report.html", context)


@require_GET
@capability_required(Cap.REPORTS_VIEW)
def report_download(request, name: str, fmt: str):
    found = _definition_or_404(name)
    if fmt not in exports.FORMATS:
        raise Http404
    form = _form(request)
    if not form.is_valid():
        return _refused_filters(request, form, found)
    filters = form.filters()
    report = run(found, filters)
    if fmt == "csv":
        content = exports.report_csv(report)
    elif fmt == "xlsx":
        content = exports.report_xlsx(report)
    else:
        content = exports.report_pdf(report, {"organization": request.organization, "form": form})
    event_record(
        actor=request.user,
        organization=request.organization,
        action="report.exported",
        obj=request.organization,
        data={"report": found.name, "format": fmt, **filters.as_params()},
    )
    filename = clean_filename(f"{found.name} {filters.start} {filters.end}", f".{fmt}")
    response = HttpResponse(content, content_type=exports.FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@capability_required(Cap.REPORTS_VIEW)
def meetings_download(request):
    """Every meeting of the period in scope, one row each, streamed (no names)."""
    form = _form(request)
    if not form.is_valid():
        return _refused_filters(request, form)
    filters = form.filters()
    queryset = meetings_for_export(filters)
    read_record(
        request,
        "meetings export",
        queryset.order_by().values_list("engagement__participant_id", flat=True).distinct(),
    )
    event_record(
        actor=request.user,
        organization=request.organization,
        action="meetings.exported",
        obj=request.organization,
        data=filters.as_params(),
    )
    rows = queryset.count()
    if rows > settings.ALONGSIDE_EXPORT_INLINE_ROWS:
        return render(
            request,
            "reports/too_large.html",
            {
                "rows": rows,
                "params": filters.as_params(),
                "limit": settings.ALONGSIDE_EXPORT_INLINE_ROWS,
            },
        )
    stamp = timezone.localdate().isoformat()
    response = StreamingHttpResponse(
        exports.meetings_rows(queryset), content_type=exports.FORMATS["csv"]
    )
    filename = clean_filename(f"meetings {filters.start} {filters.end} {stamp}", ".csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@capability_required(Cap.REPORTS_VIEW)
def report_save(request, name: str):
    found = _definition_or_404(name)
    initial = {k: request.GET.get(k, "") for k in FILTER_KEYS}
    form = SaveReportForm(request.POST or None, initial={"title": found.title, **initial})
    return form_page(
        request,
        form,
        save=lambda data: saved_report_create(
            owner=request.user,
            organization=request.organization,
            report=found.name,
            title=data["title"],
            params={k: data[k] for k in FILTER_KEYS},
            period=data["period"],
            fmt=data["format"],
            monthly=data["monthly"],
        ),
        title=_("Save “%(report)s”") % {"report": found.title},
        intro=_(
            "Keep these filters to build the report again. A monthly report is built on the "
            "first of each month for the period you choose, and kept here for download."
        ),
        back_url=reverse("reports:report", args=[found.name]),
        done_url=reverse("reports:saved"),
        done_message=_("Saved."),
        submit_label=_("Save"),
    )


@require_GET
@capability_required(Cap.REPORTS_VIEW)
def saved_list(request):
    return render(
        request,
        "reports/saved.html",
        {
            "saved": saved_reports_of(request.user, request.organization),
            "builds": builds_of(request.user, request.organization)[:50],
        },
    )


@require_POST
@capability_required(Cap.REPORTS_VIEW)
def saved_build(request, pk: int):
    saved = get_or_404(saved_reports_of(request.user, request.organization), pk=pk)
    start, end = period_dates(saved.period, timezone.localdate())
    return _queue_build(
        request,
        failure_url=reverse("reports:saved"),
        done=_("Queued: it appears below when it is built."),
        report=saved.report,
        params={**saved.params, "start": start, "end": end},
        fmt=saved.format,
        saved=saved,
    )


@require_POST
@capability_required(Cap.REPORTS_VIEW)
def saved_delete(request, pk: int):
    saved = get_or_404(saved_reports_of(request.user, request.organization), pk=pk)
    saved_report_delete(saved=saved, actor=request.user)
    messages.success(request, _("Deleted; files already built stay below."))
    return redirect("reports:saved")


@require_POST
@capability_required(Cap.REPORTS_VIEW)
def meetings_build(request):
    """The meetings export built in the background, when too large for one request."""
    params = {k: request.POST.get(k, "") for k in ("start", "end", *FILTER_KEYS)}
    return _queue_build(
        request,
        failure_url=reverse("reports:index"),
        done=_("Queued: the file appears below when it is built."),
        report=ReportBuild.MEETINGS,
        params=params,
        fmt="csv",
    )


@require_GET
@capability_required(Cap.REPORTS_VIEW)
def build_download(request, pk: int):
    build = get_or_404(builds_of(request.user, request.organization), pk=pk)
    if build.status != BuildStatus.DONE or not build.file:
        raise Http404
    event_record(
        actor=request.user,
        organization=request.organization,
        action="report.downloaded",
        obj=build,
        data={"report": build.report, "format": build.format},
    )
    if build.report == ReportBuild.MEETINGS:
        read_record(request, "meetings export (built)", [])
    return FileResponse(
        build.file.open("rb"),
        as_attachment=True,
        filename=clean_filename(build.file.name.rsplit("/", 1)[-1], f".{build.format}"),
        content_type=exports.FORMATS[build.format],
    )
