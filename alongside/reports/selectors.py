"""Row-level reads behind the exports (the aggregate reports live in definitions/)."""

from __future__ import annotations

from django.db.models import QuerySet

from alongside.meetings.models import Meeting
from alongside.reports.definitions.common import in_period, scope
from alongside.reports.filters import ReportFilters
from alongside.reports.models import ReportBuild, SavedReport


def meetings_for_export(filters: ReportFilters) -> QuerySet:
    """Meetings of the period in the filters' engagements, any status."""
    return Meeting.objects.filter(scope(filters), in_period(filters, "starts_at"))


def saved_reports_of(user, organization) -> QuerySet:
    """A coordinator's own saved reports: filters are personal, like bookmarks."""
    return SavedReport.objects.filter(owner=user, organization=organization)


def builds_of(user, organization) -> QuerySet:
    return ReportBuild.objects.filter(requested_by=user, organization=organization).select_related(
        "saved"
    )
