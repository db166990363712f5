"""Print the code a demo account's authenticator app would show now (demo mode only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from alongside.accounts.models import User
from alongside.accounts.second_factor import app_device, current_code
from alongside.organizations.demo import DEMO_USERNAMES


class Command(BaseCommand):
    help = "The current second-step code of a demo sign-in (demo mode only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", choices=DEMO_USERNAMES)

    def handle(self, *args, username: str, **options) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("Demo codes are only shown in demo mode (ALONGSIDE_DEMO=1).")
        user = User.objects.filter(username=username).first()
        device = app_device(user) if user is not None else None
        if device is None:
            raise CommandError(f"{username} has no authenticator app: run seed_demo first.")
        self.stdout.write(current_code(device))
