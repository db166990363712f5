"""seed_demo builds a realistic demo organization, the same for a seed, in demo mode only."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Max
from django.test import override_settings
from django.utils import timezone

from alongside.accounts.models import (
    TIMES_OF_WEEK,
    AvailabilityWindow,
    Membership,
    PeerSupporterProfile,
    Role,
    User,
)
from alongside.assessments.models import Assessment
from alongside.concerns.models import Concern
from alongside.engagements.models import Engagement, State
from alongside.engagements.services import missing_for_activation
from alongside.exits.models import Exit
from alongside.meetings.models import Meeting, MeetingStatus, Note
from alongside.organizations.demo import (
    DEMO_PASSWORD,
    DEMO_USERNAMES,
    Scale,
    _Builder,
    demo_build,
)
from alongside.organizations.models import Organization
from alongside.participants.models import Participant
from alongside.referrals.models import OPEN_STATUSES, Referral, Status

FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


@pytest.fixture
def demo_mode(settings):
    settings.DEMO_MODE = True


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def names_seeded_with(seed_value: int) -> list[tuple[str, str]]:
    """Participant names a seed produces, in creation order, leaving the database as it was."""
    with transaction.atomic():
        seed(seed=seed_value)
        names = list(Participant.objects.order_by("pk").values_list("first_name", "last_name"))
        transaction.set_rollback(True)
    return names


def assert_engagements_obey_the_rules() -> None:
    for engagement in Engagement.objects.select_related("program"):
        if engagement.state in (State.ACTIVE, State.EXITING, State.CLOSED):
            assert missing_for_activation(engagement) == [], engagement
            assert engagement.activated_on is not None
        last_change = engagement.state_changes.aggregate(at=Max("at"))["at"]
        assert last_change == engagement.state_changed_at
        assert engagement.state_changes.order_by("-at", "-id").first().to_state == engagement.state
        assert engagement.referral is not None
        # Built as engagement_open builds them: a guideline end and, with a supporter,
        # the assignment that says since when.
        assert engagement.guideline_ends_on is not None, engagement
        if engagement.supporter_id:
            assert engagement.assignments.filter(supporter_id=engagement.supporter_id).exists()
    assert not Meeting.objects.filter(status=MeetingStatus.HELD, starts_at__gt=timezone.now())
    assert not Note.objects.exclude(meeting__status=MeetingStatus.HELD).exists()


def test_it_refuses_outside_demo_mode(db, settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match=r"only created in demo mode \(ALONGSIDE_DEMO=1\)"):
        seed()
    assert not Organization.objects.exists()
    assert not User.objects.exists()


@pytest.fixture(scope="class")
def seeded(django_db_setup, django_db_blocker):
    """One small seed shared by a class of read-only tests, rolled back after the class."""
    with (
        django_db_blocker.unblock(),
        override_settings(DEMO_MODE=True, PASSWORD_HASHERS=[FAST_HASHER]),
        transaction.atomic(),
    ):
        yield seed()
        transaction.set_rollback(True)


@pytest.mark.usefixtures("seeded")
class TestTheSmallSeed:
    def test_it_creates_the_demo_accounts_with_working_passwords(self, db, seeded):
        assert "Built Riverbend Peer Network" in seeded
        for username in DEMO_USERNAMES:
            assert username in seeded
            assert User.objects.get(username=username).check_password(DEMO_PASSWORD)
        admin = User.objects.get(username="admin")
        assert admin.is_staff and not admin.is_superuser
        assert admin.memberships.get().role == Role.ADMIN
        coordinator = Membership.objects.get(user__username="coordinator")
        assert coordinator.role == Role.COORDINATOR
        assert {p.name for p in coordinator.programs.all()} == {
            "Community Peer Support",
            "Peer Respite",
        }
        supervised = PeerSupporterProfile.objects.filter(supervisor__username="supervisor")
        assert {p.user.username for p in supervised} == {"supporter1", "supporter2"}
        others = PeerSupporterProfile.objects.exclude(user__username__startswith="supporter")
        assert 4 <= others.count() <= 6
        assert all(p.user.is_active and not p.user.has_usable_password() for p in others)

    def test_it_builds_engagements_and_referrals_in_every_state(self, db):
        states = set(Engagement.objects.values_list("state", flat=True))
        assert states == {
            State.MATCHED,
            State.ONBOARDING,
            State.ACTIVE,
            State.EXITING,
            State.CLOSED,
        }
        statuses = set(Referral.objects.values_list("status", flat=True))
        assert statuses == {s.value for s in Status}
        assert not Exit.objects.filter(engagement__state=State.EXITING, completed_at__isnull=False)
        assert not Exit.objects.filter(engagement__state=State.CLOSED, completed_at__isnull=True)
        assert Meeting.objects.filter(status=MeetingStatus.PLANNED, starts_at__gt=timezone.now())
        assert set(Assessment.objects.values_list("tier", flat=True)) == {1, 2, 3}
        assert Engagement.objects.filter(previous__isnull=False).exists()
        assert_engagements_obey_the_rules()

    def test_participant1_is_active_with_every_required_agreement(self, db):
        participant = Participant.objects.get(user__username="participant1")
        assert participant.user.memberships.get().role == Role.PARTICIPANT
        engagement = participant.engagements.get()
        assert engagement.state == State.ACTIVE
        assert engagement.supporter.username == "supporter1"
        assert missing_for_activation(engagement) == []
        # Four documents; the contract and the boundaries are signed by the supporter too.
        assert engagement.signed_documents.count() == 6
        assert Note.objects.filter(meeting__engagement=engagement).count() >= 3
        assert engagement.goals.exists()
        assert engagement.assessments.count() == 1
        assert Concern.objects.filter(raised_by=participant.user, engagement=engagement).exists()
        other = Participant.objects.get(user__username="participant2").engagements.get()
        assert (other.state, other.supporter.username) == (State.ACTIVE, "supporter2")

    def test_some_waiting_people_name_good_times_to_meet(self, db):
        waiting = Referral.objects.filter(status__in=OPEN_STATUSES)
        times = [r.preferred_times for r in waiting]
        assert any(times) and not all(times)
        assert all(t in TIMES_OF_WEEK for named in times for t in named)
        assert AvailabilityWindow.objects.exists()

    def test_running_it_again_changes_nothing_and_prints_the_sign_ins(self, db, demo_mode):
        counts = (Participant.objects.count(), Engagement.objects.count(), Meeting.objects.count())

        output = seed()

        assert "already exists; nothing changed" in output
        assert "supporter1" in output and DEMO_PASSWORD in output
        assert counts == (
            Participant.objects.count(),
            Engagement.objects.count(),
            Meeting.objects.count(),
        )


def test_the_same_seed_gives_the_same_people(db, demo_mode):
    first = names_seeded_with(7)
    again = names_seeded_with(7)

    assert len(first) > 30 and len(set(first)) > 30
    assert first == again


def test_another_seed_gives_other_names(db):
    today = timezone.localdate()
    seven, eight = _Builder(seed=7, today=today), _Builder(seed=8, today=today)
    assert [seven.person() for _ in range(5)] != [eight.person() for _ in range(5)]


def test_it_refuses_when_a_demo_username_is_taken(db, demo_mode):
    User.objects.create_user(username="coordinator", password="x" * 16)
    with pytest.raises(CommandError, match="clash with existing users \\(coordinator\\)"):
        seed()
    assert not Organization.objects.exists()


def test_the_bulk_layer_follows_the_rules_at_a_small_size(db):
    sizes = Scale("tiny", supporters=4, participants=60, open_referrals=5, meetings=900)

    result = demo_build(scale=sizes, seed=1)

    bulk = Participant.objects.filter(user__isnull=True, referrals__isnull=False).distinct()
    assert bulk.count() >= 60
    assert result.counts["notes"] >= 900
    assert result.counts["supporters"] == 7 + 4
    assert User.objects.get(username="supporter1").engagements.count() > 9
    assert_engagements_obey_the_rules()
