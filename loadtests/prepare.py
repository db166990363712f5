"""Accounts and caseloads for the load test, on top of ``seed_demo``'s organization.

``python loadtests/prepare.py ACCOUNTS.json [--supporters N] [--coordinators N]``
(Django settings from the environment, as for manage.py). Each simulated person gets an
account of their own, so a second factor code is never used twice; each load supporter
gets a few active engagements of their own. Only for a throwaway load-test database.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alongside.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from alongside.accounts.models import Membership, PeerSupporterProfile, Role, User  # noqa: E402
from alongside.engagements.models import Engagement, State  # noqa: E402
from alongside.organizations.demo import DEMO_PASSWORD, ORGANIZATION_SLUG  # noqa: E402
from alongside.organizations.models import Organization, Program  # noqa: E402
from alongside.participants.models import Participant  # noqa: E402

ENGAGEMENTS_EACH = 3


def second_factor(user: User) -> str | None:
    """A confirmed TOTP device when the second factor is installed; its key, else None."""
    if "django_otp.plugins.otp_totp" not in settings.INSTALLED_APPS:
        return None
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="load test", confirmed=True)
    return device.key


def account(username: str, first: str, role: str, org: Organization, programs) -> dict:
    user = User.objects.create_user(
        username=username, password=DEMO_PASSWORD, first_name=first, last_name="Load"
    )
    membership = Membership.objects.create(user=user, organization=org, role=role)
    if programs:
        membership.programs.set(programs)
    return {
        "username": username,
        "password": DEMO_PASSWORD,
        "totp_key": second_factor(user),
        "user": user,
    }


@transaction.atomic
def prepare(supporters: int, coordinators: int) -> dict:
    org = Organization.objects.get(slug=ORGANIZATION_SLUG)
    programs = list(Program.objects.filter(organization=org).order_by("pk"))
    today = timezone.localdate()
    out: dict[str, list[dict]] = {"supporter": [], "coordinator": [], "participant": []}
    for i in range(1, supporters + 1):
        entry = account(f"load-supporter-{i:02d}", f"Peer{i:02d}", Role.SUPPORTER, org, [])
        user = entry.pop("user")
        profile = PeerSupporterProfile.objects.create(
            user=user, organization=org, languages=["en"], capacity=12
        )
        profile.programs.set(programs[:1])
        entry["engagements"] = []
        for n in range(ENGAGEMENTS_EACH):
            person = Participant.objects.create(
                organization=org, first_name=f"Load{i:02d}", last_name=f"Person{n}"
            )
            engagement = Engagement.objects.create(
                organization=org,
                program=programs[0],
                participant=person,
                supporter=user,
                state=State.ACTIVE,
                state_changed_at=timezone.now(),
                started_on=today - datetime.timedelta(days=60),
                activated_on=today - datetime.timedelta(days=50),
            )
            entry["engagements"].append(engagement.pk)
        out["supporter"].append(entry)
    for i in range(1, coordinators + 1):
        entry = account(
            f"load-coordinator-{i:02d}", f"Coord{i:02d}", Role.COORDINATOR, org, programs
        )
        entry.pop("user")
        out["coordinator"].append(entry)
    # Participants need no second factor: the demo's two portal accounts, shared.
    for username in ("participant1", "participant2"):
        out["participant"].append({"username": username, "password": DEMO_PASSWORD})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--supporters", type=int, default=40)
    parser.add_argument("--coordinators", type=int, default=6)
    args = parser.parse_args()
    accounts = prepare(args.supporters, args.coordinators)
    args.out.write_text(json.dumps(accounts, indent=1))
    print(
        f"prepared {len(accounts['supporter'])} supporters "
        f"({ENGAGEMENTS_EACH} engagements each) and {len(accounts['coordinator'])} coordinators"
    )


if __name__ == "__main__":
    main()
