"""Replace the database (and put back the uploaded files) from a backup
(docs/operations.md, "Backups and restore")."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from alongside.core.backups import BackupError, backup_check, backup_create, backup_restore


class Command(BaseCommand):
    help = "Replace the database (and put back uploaded files) from a backup."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path, help="a file made by `manage.py backup`")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="confirm replacing the database (needed where nobody can answer a question)",
        )
        parser.add_argument(
            "--no-safety-backup",
            action="store_true",
            help="do not first back up the database as it is (to var/backups/)",
        )

    def handle(
        self, *args, path: Path, yes: bool = False, no_safety_backup: bool = False, **options
    ) -> None:
        try:
            backup_check(path=path)
            if not yes:
                self.confirm(path)
            # A restore of the wrong file must be undoable: keep what is there now.
            safety = None if no_safety_backup else backup_create()
            restore = backup_restore(path=path)
        except BackupError as error:
            raise CommandError(str(error)) from None
        files = f" and {restore.files} uploaded file(s)" if restore.files else ""
        migrate = (
            f"; {restore.unapplied_migrations} migration(s) not applied: run `manage.py migrate`"
            if restore.unapplied_migrations
            else ""
        )
        kept = f" (the database as it was is in {safety.path})" if safety else ""
        self.stdout.write(
            f"Restored the database{files} from {path} in {restore.seconds:.1f} s{kept}{migrate}."
        )

    def confirm(self, path: Path) -> None:
        """Ask at a terminal; anywhere else (cron, CI) refuse at once instead of waiting."""
        if not sys.stdin or not sys.stdin.isatty():
            raise CommandError(
                f"Restoring {path} replaces everything in the database. "
                "Run again with --yes to confirm."
            )
        try:
            answer = input(f"Replace everything in the database with {path}? Type 'yes': ")
        except EOFError:
            answer = ""
        if answer.strip().lower() != "yes":
            raise CommandError("Nothing restored: the answer was not 'yes'.")
