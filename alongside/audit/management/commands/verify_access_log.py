from django.core.management.base import BaseCommand

from alongside.audit.chain import chain_verify


class Command(BaseCommand):
    help = "Recompute the access-log hash chain and name the first row that does not match."

    def handle(self, *args, **options):
        result = chain_verify()
        self.stdout.write(result.summary())
        if not result.ok:
            # A non-zero exit lets cron or monitoring raise the alarm.
            raise SystemExit(1)
