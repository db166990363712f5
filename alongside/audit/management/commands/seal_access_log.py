from django.core.management.base import BaseCommand

from alongside.audit.chain import chain_seal


class Command(BaseCommand):
    help = (
        "Seal the access-log rows written since the last run into the hash chain "
        "(safe to run often and in parallel; run from cron every few minutes)."
    )

    def handle(self, *args, **options):
        run = chain_seal()
        self.stdout.write(f"Access log: {run.summary()}.")
