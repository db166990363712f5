"""participants.change, asked of the permissions module: whose details each persona may
change."""

from __future__ import annotations

from alongside.accounts.models import Role
from alongside.core.permissions import (
    may_change_participant_of,
    participants_changeable_by,
)
from alongside.referrals.models import Referral
from conftest import grant, open_engagement


def changeable(world, persona) -> set:
    return set(participants_changeable_by(getattr(world, persona), world.org))


def test_a_coordinator_changes_those_of_the_programs_they_coordinate(world):
    assert changeable(world, "coordinator") == {world.participant, world.other_participant}


def test_a_referral_alone_is_enough_for_the_coordinator_of_its_program(world):
    newcomer = world.org.participants.create(first_name="Nova")
    Referral.objects.create(
        organization=world.org,
        program=world.respite,
        participant=newcomer,
        source="self",
        needs="Someone to talk to",
    )

    assert newcomer in changeable(world, "coordinator")
    assert newcomer not in changeable(world, "supporter")


def test_a_coordinator_of_another_program_does_not(world):
    membership = world.coordinator.memberships.get(organization=world.org)
    membership.programs.set([world.respite])
    world.coordinator.__dict__.pop("_alongside_roles", None)

    assert changeable(world, "coordinator") == set()


def test_a_supporter_changes_those_of_her_open_engagements_only(world):
    assert changeable(world, "supporter") == {world.participant}
    assert changeable(world, "other_supporter") == {world.other_participant}

    world.engagement.state = "closed"
    world.engagement.save()

    assert changeable(world, "supporter") == set()
    assert not may_change_participant_of(world.supporter, world.org, world.engagement)


def test_supervisors_admins_participants_and_outsiders_change_none(world):
    for persona in ("supervisor", "admin", "participant_user", "outsider"):
        assert changeable(world, persona) == set(), persona


def test_nothing_of_another_organization(world):
    assert world.foreign_participant not in changeable(world, "coordinator")
    assert set(participants_changeable_by(world.outsider, world.other_org)) == {
        world.foreign_participant
    }


def test_the_engagement_page_asks_the_same_question(world):
    """may_change_participant_of skips the query in the usual cases; it must agree."""
    grant(world.supervisor, world.org, Role.SUPPORTER)
    world.supervisor.__dict__.pop("_alongside_roles", None)
    own = open_engagement(world.other_participant, world.respite, world.supervisor)

    assert may_change_participant_of(world.supporter, world.org, world.engagement)
    assert may_change_participant_of(world.coordinator, world.org, world.engagement)
    assert not may_change_participant_of(world.other_supporter, world.org, world.engagement)
    # Sam supervises Sunny (sees her engagement) and now supports Quinn himself.
    assert not may_change_participant_of(world.supervisor, world.org, world.engagement)
    assert may_change_participant_of(world.supervisor, world.org, own)
