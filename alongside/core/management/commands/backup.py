"""Back up the database and the uploaded files (docs/operations.md, "Backups and restore")."""

from django.core.management.base import BaseCommand, CommandError

from alongside.core.backups import BackupError, backup_create, human_size


class Command(BaseCommand):
    help = "Back up the database (and uploaded files) to var/backups/ or --output."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output",
            help="the backup file to write, or a folder for it (default: var/backups/)",
        )

    def handle(self, *args, output: str | None = None, **options) -> None:
        try:
            backup = backup_create(output=output)
        except BackupError as error:
            raise CommandError(str(error)) from None
        files = (
            f"; {backup.files} uploaded file(s) in {backup.files_archive}"
            if backup.files_archive
            else "; no uploaded files"
        )
        self.stdout.write(
            f"Backed up the database to {backup.path} ({human_size(backup.size)}) "
            f"in {backup.seconds:.1f} s{files}."
        )
