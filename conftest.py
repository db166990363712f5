"""Named personas shared by every test, each with what they may see.

- ``coordinator`` (Cora): coordinates both programs of Riverbend; sees every engagement.
- ``supervisor`` (Sam): supervises ``supporter`` only; sees Sunny's engagements.
- ``supporter`` (Sunny): a peer supporter; sees only her own caseload.
- ``other_supporter`` (Omar): another supporter of Riverbend; sees only his.
- ``participant`` (Pat): in an active engagement with Sunny; sees only their own record.
- ``admin`` (Ada): configures Riverbend; sees no clinical content.
- ``outsider`` (Olga): coordinator of another organization; sees nothing of Riverbend.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from alongside.accounts.models import Membership, PeerSupporterProfile, Role, User
from alongside.accounts.testing import pass_second_step
from alongside.agreements.models import DocumentRequirement
from alongside.agreements.services import document_template_create
from alongside.agreements.testing import signed_on_paper
from alongside.engagements.models import Engagement, State
from alongside.organizations.models import Organization, Program
from alongside.participants.models import Participant

PASSWORD = "correct horse battery staple"

# The logs of the whole run must hold no password, session key, second factor or note.
pytest_plugins = ["tests.logcapture"]


@pytest.fixture(autouse=True)
def _plain_http(settings):
    """Tests speak plain HTTP to the test client; production redirects to HTTPS."""
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counts live in the cache: every test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True, scope="session")
def _force_login_passes_second_step():
    """``Client.force_login`` stands for a finished sign-in, second step included; the
    sign-in tests (alongside/accounts/tests) walk the real steps through the pages."""
    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        pass_second_step(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Client, "force_login", force_login)
        yield


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    """Uploads land in the test's own folder, never in var/."""
    settings.PRIVATE_FILES_DIR = tmp_path / "private"


def inline_scripts(page: str) -> list[str]:
    """Script elements without a src: the CSP refuses them, so a page must have none (its
    scripts are files, like the idle warning's, and the page works without them)."""
    return [tag for tag in re.findall(r"<script\b[^>]*>", page) if "src=" not in tag]


def make_user(username: str, first: str, last: str = "Demo") -> User:
    return User.objects.create_user(
        username=username, password=PASSWORD, first_name=first, last_name=last
    )


def grant(user: User, organization: Organization, role: str, programs=()) -> Membership:
    membership = Membership.objects.create(user=user, organization=organization, role=role)
    if programs:
        membership.programs.set(programs)
    return membership


def open_engagement(
    participant: Participant, program: Program, supporter: User, state: str = State.ACTIVE
) -> Engagement:
    today = timezone.localdate()
    return Engagement.objects.create(
        organization=program.organization,
        program=program,
        participant=participant,
        supporter=supporter,
        state=state,
        state_changed_at=timezone.now(),
        started_on=today - datetime.timedelta(days=30),
        activated_on=today - datetime.timedelta(days=20) if state == State.ACTIVE else None,
    )


class World:
    """Everything the personas share; attributes are named for the personas."""


@pytest.fixture
def world(db) -> World:
    w = World()
    w.org = Organization.objects.create(name="Riverbend Peer Network", slug="riverbend")
    w.other_org = Organization.objects.create(name="Elsewhere Recovery", slug="elsewhere")
    w.program = Program.objects.create(
        organization=w.org, name="Community Peer Support", duration_guideline_days=365
    )
    w.respite = Program.objects.create(
        organization=w.org, name="Peer Respite", duration_guideline_days=7
    )
    w.other_program = Program.objects.create(organization=w.other_org, name="Peer Support")
    # Two document templates (one version each) that Community Peer Support requires.
    w.release = document_template_create(
        organization=w.org,
        title="Release of Liability",
        kind="release",
        body="<p>I take part by my own choice.</p>",
        signers=["participant"],
        actor=None,
    )
    w.contract = document_template_create(
        organization=w.org,
        title="Joint Participation Contract",
        kind="agreement",
        body="<p>We agree how we work together.</p>",
        signers=["participant", "supporter"],
        actor=None,
    )
    for template in (w.release, w.contract):
        DocumentRequirement.objects.create(program=w.program, template=template)

    w.admin = make_user("ada", "Ada")
    grant(w.admin, w.org, Role.ADMIN)
    w.coordinator = make_user("cora", "Cora")
    grant(w.coordinator, w.org, Role.COORDINATOR, programs=[w.program, w.respite])
    w.supervisor = make_user("sam", "Sam")
    grant(w.supervisor, w.org, Role.SUPERVISOR)
    w.supporter = make_user("sunny", "Sunny")
    grant(w.supporter, w.org, Role.SUPPORTER)
    w.other_supporter = make_user("omar", "Omar")
    grant(w.other_supporter, w.org, Role.SUPPORTER)
    w.outsider = make_user("olga", "Olga")
    grant(w.outsider, w.other_org, Role.COORDINATOR, programs=[w.other_program])

    w.supporter_profile = PeerSupporterProfile.objects.create(
        user=w.supporter,
        organization=w.org,
        languages=["en", "es"],
        lived_experience=["substance_use", "parenting"],
        gender="woman",
        capacity=10,
        supervisor=w.supervisor,
    )
    w.supporter_profile.programs.set([w.program, w.respite])
    w.other_profile = PeerSupporterProfile.objects.create(
        user=w.other_supporter,
        organization=w.org,
        languages=["en"],
        lived_experience=["mental_health"],
        gender="man",
        capacity=10,
    )
    w.other_profile.programs.set([w.program])

    w.participant_user = make_user("pat", "Pat", "Rivera")
    grant(w.participant_user, w.org, Role.PARTICIPANT)
    w.participant = Participant.objects.create(
        organization=w.org, user=w.participant_user, first_name="Pat", last_name="Rivera"
    )
    w.engagement = open_engagement(w.participant, w.program, w.supporter)
    # The release (Pat), then the contract (Pat, and Sunny as supporter).
    w.signed = [
        signed
        for template in (w.release, w.contract)
        for signed in signed_on_paper(
            w.engagement,
            template,
            w.supporter,
            name="Pat Rivera",
            signed_on=w.engagement.started_on,
        )
    ]
    w.other_participant = Participant.objects.create(
        organization=w.org, first_name="Quinn", last_name="Lee"
    )
    w.other_engagement = open_engagement(w.other_participant, w.program, w.other_supporter)
    w.foreign_participant = Participant.objects.create(
        organization=w.other_org, first_name="Fran", last_name="Far"
    )
    w.foreign_engagement = open_engagement(w.foreign_participant, w.other_program, w.outsider)
    return w
