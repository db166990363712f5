from django.core.management.base import BaseCommand

from alongside.meetings.reminders import reminders_send_due


class Command(BaseCommand):
    help = (
        "Send the meeting reminders whose time has come (safe to run often and in parallel; "
        "for cron where no db_worker runs)."
    )

    def handle(self, *args, **options):
        run = reminders_send_due()
        self.stdout.write(f"Meeting reminders: {run.summary()}.")
        if run.failed:
            # A non-zero exit lets cron report it; the failed ones are retried next run.
            raise SystemExit(1)
