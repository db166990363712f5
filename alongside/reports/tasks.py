"""Background work for reports, run by ``manage.py db_worker`` (django-tasks)."""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone
from django_tasks import task

from alongside.reports.models import ReportBuild, SavedReport
from alongside.reports.services import build_run, builds_due

logger = logging.getLogger(__name__)

# Monthly builds run early in the morning of the first day of the month.
RUN_AT = datetime.time(5, 0)


@task()
def run_build(build_id: int) -> str:
    build = (
        ReportBuild.objects.filter(pk=build_id)
        .select_related("requested_by", "organization")
        .first()
    )
    if build is None:
        return "gone"
    return build_run(build).status


@task()
def build_monthly_reports() -> int:
    """Queue the due monthly builds, then wake again for the next due one."""
    queued = builds_due()
    following = (
        SavedReport.objects.filter(monthly=True, next_run_on__isnull=False)
        .order_by("next_run_on")
        .values_list("next_run_on", flat=True)
        .first()
    )
    if following is not None:
        schedule_monthly_builds(following)
    return len(queued)


def schedule_monthly_builds(day: datetime.date) -> None:
    """Ask the worker to look for due monthly builds on ``day``; never blocks a save."""
    at = datetime.datetime.combine(day, RUN_AT, tzinfo=timezone.get_current_timezone())
    try:
        build_monthly_reports.using(run_after=max(at, timezone.now())).enqueue()
    except Exception:
        logger.exception("Could not queue the monthly report builds for %s.", day)
