from django.core.management.base import BaseCommand, CommandError

from alongside.surveys.definitions import DefinitionError
from alongside.surveys.services import instruments_install


class Command(BaseCommand):
    help = "Install or update the instruments (surveys) from their definition files."

    def add_arguments(self, parser):
        parser.add_argument(
            "--directory", help="a folder of definition files (default: the shipped ones)"
        )

    def handle(self, *args, directory=None, **options):
        from pathlib import Path

        try:
            summary = instruments_install(directory=Path(directory) if directory else None)
        except DefinitionError as error:
            raise CommandError(str(error)) from None
        installed = ", ".join(summary.installed) or "none"
        self.stdout.write(
            f"{len(summary.installed)} instrument versions installed ({installed}); "
            f"{len(summary.unchanged)} unchanged."
        )
