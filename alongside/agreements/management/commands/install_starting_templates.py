from django.core.management.base import BaseCommand, CommandError

from alongside.agreements.services import starting_templates_install
from alongside.organizations.models import Organization


class Command(BaseCommand):
    help = "Add Alongside's starting document templates to an organization (skips titles it has)."

    def add_arguments(self, parser):
        parser.add_argument("organization", help="the organization's short name (slug)")

    def handle(self, *args, organization: str, **options):
        org = Organization.objects.filter(slug=organization).first()
        if org is None:
            raise CommandError(f"No organization with the short name {organization!r}.")
        made = starting_templates_install(organization=org)
        self.stdout.write(f"{len(made)} starting templates added to {org.name}.")
