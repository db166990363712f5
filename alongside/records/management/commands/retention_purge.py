"""Purge records past an organization's retention period (cron); a dry run unless --yes."""

from django.core.management.base import BaseCommand, CommandError

from alongside.core.errors import RuleViolation
from alongside.organizations.models import Organization
from alongside.records.retention import retention_purge


class Command(BaseCommand):
    help = (
        "List (dry run) or, with --yes, purge the records of participants past the "
        "organization's retention period."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organization", required=True, help="the organization's slug")
        parser.add_argument("--yes", action="store_true", help="purge for real")

    def handle(self, *args, **options):
        organization = Organization.objects.filter(slug=options["organization"]).first()
        if organization is None:
            raise CommandError(
                f"No organization has the short name {options['organization']!r}; "
                "see the admin's organization list."
            )
        try:
            plan = retention_purge(organization, None, dry_run=not options["yes"])
        except RuleViolation as refusal:
            raise CommandError(refusal.message) from None
        for kind, count in plan.counts.items():
            self.stdout.write(f"  {kind}: {count}")
        if plan.participant_ids:
            numbers = ", ".join(f"#{pk}" for pk in plan.participant_ids)
            self.stdout.write(f"  participants: {numbers}")
        verb = "Purged" if options["yes"] else "Dry run: would purge"
        cutoff = plan.cutoff.isoformat() if plan.cutoff else "-"
        self.stdout.write(
            f"{verb} {len(plan.participant_ids)} participant(s) of {organization.slug} "
            f"(support ended before {cutoff}): {plan.total_rows} row(s), {plan.files} file(s)."
        )
