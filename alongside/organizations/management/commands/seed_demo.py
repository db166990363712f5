"""Build the demo organization and print its sign-ins."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings

from alongside.accounts.models import User
from alongside.accounts.second_factor import app_device, secret_text
from alongside.organizations.demo import (
    DEMO_PASSWORD,
    SCALES,
    SIGN_INS,
    DemoRefused,
    demo_build,
)


class Command(BaseCommand):
    help = "Build a realistic, deterministic demo organization (demo mode only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES),
            default="small",
            help="small: a few dozen people; large: the benchmark data set (minutes).",
        )
        parser.add_argument(
            "--seed", type=int, default=0, help="The same seed builds the same people."
        )

    def handle(self, *args, scale: str, seed: int, **options) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("Demo accounts are only created in demo mode (ALONGSIDE_DEMO=1).")
        try:
            # The demo's story notifies supporters as it goes; no one should be emailed.
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
                result = demo_build(scale=SCALES[scale], seed=seed)
        except DemoRefused as refusal:
            raise CommandError(str(refusal)) from None
        self.stdout.write(result.summary(scale, seed))
        self.stdout.write(f'Demo sign-ins (password "{DEMO_PASSWORD}"):')
        width = max(len(username) for username, _ in SIGN_INS)
        for username, what in SIGN_INS:
            self.stdout.write(f"  {username:<{width}}  {what}")
        self.stdout.write(
            "Staff sign in with a second step: add the key to an authenticator app, or ask\n"
            "`python manage.py demo_code <username>` for the code it would show now:"
        )
        for username, _ in SIGN_INS:
            device = app_device(User.objects.get(username=username))
            if device is not None:
                self.stdout.write(f"  {username:<{width}}  {secret_text(device)}")
