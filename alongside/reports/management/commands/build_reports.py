"""Build the monthly reports that are due, and any waiting build, now (for cron, or
where no ``db_worker`` runs)."""

from django.core.management.base import BaseCommand

from alongside.reports.models import BuildStatus, ReportBuild
from alongside.reports.services import build_run, builds_due


class Command(BaseCommand):
    help = "Build due monthly reports and waiting report builds."

    def handle(self, *args, **options) -> None:
        builds_due()
        waiting = ReportBuild.objects.filter(status=BuildStatus.QUEUED).select_related(
            "requested_by", "organization"
        )
        done = failed = 0
        for build in waiting:
            if build_run(build).status == BuildStatus.DONE:
                done += 1
            else:
                failed += 1
        self.stdout.write(f"Built {done} report file(s); {failed} failed.")
