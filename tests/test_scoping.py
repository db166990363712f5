"""Who sees which records (design.md §4), asked of the one permissions module.

Besides the shared personas, this module adds:

- ``respite_coordinator`` (Rita): coordinates Peer Respite only; sees none of
  Community Peer Support.
- ``respite_engagement``: Remy in Peer Respite with Omar.
- a referral to each program (Nico to Community, Val to Respite) and one at
  Elsewhere; concerns raised by Pat, Omar, Sunny and Olga.
"""

from __future__ import annotations

import pytest
from django.http import Http404

from alongside.accounts.models import Role
from alongside.concerns.models import Category, Concern
from alongside.core.permissions import (
    Cap,
    concerns_visible_to,
    engagements_visible_to,
    get_or_404,
    has_capability,
    participants_visible_to,
    referrals_visible_to,
)
from alongside.participants.models import Participant
from alongside.referrals.models import Referral, Source
from conftest import grant, make_user, open_engagement

PERSONAS = [
    "supporter",
    "other_supporter",
    "supervisor",
    "coordinator",
    "respite_coordinator",
    "admin",
    "participant_user",
    "outsider",
]


def _referral(organization, program, participant) -> Referral:
    return Referral.objects.create(
        organization=organization,
        program=program,
        participant=participant,
        source=Source.SELF,
        needs="Peer support",
    )


def _concern(organization, raised_by, engagement=None) -> Concern:
    return Concern.objects.create(
        organization=organization,
        raised_by=raised_by,
        engagement=engagement,
        category=Category.OTHER,
        description="Something to look at",
    )


@pytest.fixture
def scope(world):
    w = world
    w.respite_coordinator = make_user("rita", "Rita")
    grant(w.respite_coordinator, w.org, Role.COORDINATOR, programs=[w.respite])
    w.other_profile.programs.add(w.respite)
    w.respite_participant = Participant.objects.create(organization=w.org, first_name="Remy")
    w.respite_engagement = open_engagement(w.respite_participant, w.respite, w.other_supporter)

    w.referred = Participant.objects.create(organization=w.org, first_name="Nico")
    w.referral = _referral(w.org, w.program, w.referred)
    w.respite_referred = Participant.objects.create(organization=w.org, first_name="Val")
    w.respite_referral = _referral(w.org, w.respite, w.respite_referred)
    w.foreign_referral = _referral(w.other_org, w.other_program, w.foreign_participant)

    w.pats_concern = _concern(w.org, w.participant_user, w.engagement)
    w.omars_concern = _concern(w.org, w.other_supporter, w.respite_engagement)
    w.general_concern = _concern(w.org, w.supporter)
    w.foreign_concern = _concern(w.other_org, w.outsider, w.foreign_engagement)
    return w


def _names(*attributes: str):
    return lambda w: {getattr(w, a) for a in attributes}


ENGAGEMENTS = {
    "supporter": _names("engagement"),
    "other_supporter": _names("other_engagement", "respite_engagement"),
    "supervisor": _names("engagement"),
    "coordinator": _names("engagement", "other_engagement", "respite_engagement"),
    "respite_coordinator": _names("respite_engagement"),
    "admin": _names(),
    "participant_user": _names("engagement"),
    "outsider": _names(),
}
PARTICIPANTS = {
    "supporter": _names("participant"),
    "other_supporter": _names("other_participant", "respite_participant"),
    "supervisor": _names("participant"),
    "coordinator": _names(
        "participant", "other_participant", "respite_participant", "referred", "respite_referred"
    ),
    "respite_coordinator": _names("respite_participant", "respite_referred"),
    "admin": _names(),
    "participant_user": _names("participant"),
    "outsider": _names(),
}
REFERRALS = {
    "supporter": _names(),
    "other_supporter": _names(),
    "supervisor": _names(),
    "coordinator": _names("referral", "respite_referral"),
    "respite_coordinator": _names("respite_referral"),
    "admin": _names(),
    "participant_user": _names(),
    "outsider": _names(),
}
CONCERNS = {
    "supporter": _names("general_concern"),
    "other_supporter": _names("omars_concern"),
    "supervisor": _names(),
    "coordinator": _names("pats_concern", "omars_concern", "general_concern"),
    "respite_coordinator": _names("omars_concern", "general_concern"),
    "admin": _names(),
    "participant_user": _names("pats_concern"),
    "outsider": _names(),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_sees_exactly_the_engagements_of_their_scope(scope, persona):
    user = getattr(scope, persona)

    assert set(engagements_visible_to(user, scope.org)) == ENGAGEMENTS[persona](scope)


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_sees_exactly_the_participants_of_their_scope(scope, persona):
    user = getattr(scope, persona)

    assert set(participants_visible_to(user, scope.org)) == PARTICIPANTS[persona](scope)


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_sees_exactly_the_referrals_of_their_scope(scope, persona):
    user = getattr(scope, persona)

    assert set(referrals_visible_to(user, scope.org)) == REFERRALS[persona](scope)


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_sees_exactly_the_concerns_of_their_scope(scope, persona):
    user = getattr(scope, persona)

    assert set(concerns_visible_to(user, scope.org)) == CONCERNS[persona](scope)


def test_a_coordinator_of_one_program_sees_nothing_of_the_other(scope):
    rita = scope.respite_coordinator
    community = scope.program

    assert not engagements_visible_to(rita, scope.org).filter(program=community).exists()
    assert not referrals_visible_to(rita, scope.org).filter(program=community).exists()
    assert not concerns_visible_to(rita, scope.org).filter(engagement__program=community).exists()
    assert not participants_visible_to(rita, scope.org).filter(
        pk__in=[scope.participant.pk, scope.other_participant.pk, scope.referred.pk]
    )


def test_an_outsider_sees_only_their_own_organization(scope):
    olga = scope.outsider

    assert set(engagements_visible_to(olga, scope.other_org)) == {scope.foreign_engagement}
    assert set(participants_visible_to(olga, scope.other_org)) == {scope.foreign_participant}
    assert set(referrals_visible_to(olga, scope.other_org)) == {scope.foreign_referral}
    assert set(concerns_visible_to(olga, scope.other_org)) == {scope.foreign_concern}


@pytest.mark.parametrize("persona", PERSONAS)
def test_nobody_of_riverbend_sees_anything_of_another_organization(scope, persona):
    user = getattr(scope, persona)
    if persona == "outsider":
        user = scope.coordinator

    assert not engagements_visible_to(user, scope.other_org).exists()
    assert not participants_visible_to(user, scope.other_org).exists()
    assert not referrals_visible_to(user, scope.other_org).exists()
    assert not concerns_visible_to(user, scope.other_org).exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_without_an_organization_nothing_is_visible(scope, persona):
    user = getattr(scope, persona)

    assert not engagements_visible_to(user, None).exists()
    assert not participants_visible_to(user, None).exists()
    assert not referrals_visible_to(user, None).exists()
    assert not concerns_visible_to(user, None).exists()


def test_an_admin_who_also_coordinates_sees_that_programs_engagements(scope):
    grant(scope.admin, scope.org, Role.COORDINATOR, programs=[scope.respite])

    assert set(engagements_visible_to(scope.admin, scope.org)) == {scope.respite_engagement}


def test_a_deactivated_account_sees_nothing(scope):
    scope.coordinator.is_active = False
    scope.coordinator.save()

    assert not engagements_visible_to(scope.coordinator, scope.org).exists()
    assert not participants_visible_to(scope.coordinator, scope.org).exists()
    assert not referrals_visible_to(scope.coordinator, scope.org).exists()
    assert not has_capability(scope.coordinator, scope.org, Cap.ENGAGEMENTS_VIEW)


CAPABILITIES = [
    # (persona, capability, expected)
    ("admin", Cap.ORGANIZATION_CONFIGURE, True),
    ("admin", Cap.ENGAGEMENTS_VIEW, False),
    ("admin", Cap.NOTES_READ, False),
    ("admin", Cap.PARTICIPANTS_VIEW, False),
    ("admin", Cap.RECORDS_RELEASE, False),
    ("admin", Cap.PARTICIPANTS_CHANGE, False),
    ("coordinator", Cap.MATCHING_ASSIGN, True),
    ("coordinator", Cap.REFERRALS_MANAGE, True),
    ("coordinator", Cap.CONCERNS_TRIAGE, True),
    ("coordinator", Cap.ENGAGEMENTS_TRANSITION, True),
    ("coordinator", Cap.ORGANIZATION_CONFIGURE, False),
    ("coordinator", Cap.RECORDS_RELEASE, True),
    ("coordinator", Cap.PARTICIPANTS_CHANGE, True),
    ("supervisor", Cap.NOTES_READ, True),
    ("supervisor", Cap.ENGAGEMENTS_VIEW, True),
    ("supervisor", Cap.MEETINGS_WRITE, False),
    ("supervisor", Cap.REFERRALS_VIEW, False),
    ("supervisor", Cap.RECORDS_RELEASE, False),
    ("supervisor", Cap.PARTICIPANTS_CHANGE, False),
    ("supporter", Cap.MEETINGS_WRITE, True),
    ("supporter", Cap.GOALS_WRITE, True),
    ("supporter", Cap.EXITS_WRITE, True),
    ("supporter", Cap.CONCERNS_RAISE, True),
    ("supporter", Cap.MATCHING_ASSIGN, False),
    ("supporter", Cap.CONCERNS_TRIAGE, False),
    ("supporter", Cap.REFERRALS_VIEW, False),
    ("supporter", Cap.RECORDS_RELEASE, False),
    ("supporter", Cap.PARTICIPANTS_CHANGE, True),
    ("participant_user", Cap.PORTAL_VIEW, True),
    ("participant_user", Cap.CONCERNS_RAISE, True),
    ("participant_user", Cap.NOTES_READ, False),
    ("participant_user", Cap.ENGAGEMENTS_VIEW, False),
    ("participant_user", Cap.RECORDS_RELEASE, False),
    ("participant_user", Cap.PARTICIPANTS_CHANGE, False),
    ("outsider", Cap.ENGAGEMENTS_VIEW, False),
    ("outsider", Cap.CONCERNS_RAISE, False),
]


@pytest.mark.parametrize(("persona", "cap", "expected"), CAPABILITIES)
def test_each_role_holds_its_capabilities_in_riverbend(world, persona, cap, expected):
    assert has_capability(getattr(world, persona), world.org, cap) is expected


def test_the_outsider_holds_their_capabilities_only_in_their_own_organization(world):
    assert has_capability(world.outsider, world.other_org, Cap.ENGAGEMENTS_VIEW)
    assert not has_capability(world.outsider, world.org, Cap.ENGAGEMENTS_VIEW)


def test_get_or_404_returns_a_record_in_scope(world):
    found = get_or_404(engagements_visible_to(world.supporter, world.org), pk=world.engagement.pk)

    assert found == world.engagement


@pytest.mark.parametrize(
    ("persona", "record"),
    [
        ("supporter", "other_engagement"),
        ("supporter", "foreign_engagement"),
        ("other_supporter", "engagement"),
        ("supervisor", "other_engagement"),
        ("participant_user", "other_engagement"),
        ("admin", "engagement"),
        ("outsider", "engagement"),
    ],
)
def test_get_or_404_answers_404_outside_the_scope(world, persona, record):
    queryset = engagements_visible_to(getattr(world, persona), world.org)

    with pytest.raises(Http404):
        get_or_404(queryset, pk=getattr(world, record).pk)


def test_get_or_404_answers_404_for_a_participant_outside_the_scope(world):
    queryset = participants_visible_to(world.participant_user, world.org)

    with pytest.raises(Http404):
        get_or_404(queryset, pk=world.other_participant.pk)


@pytest.mark.parametrize(
    "malformed", ["abc", "", "1 OR 1=1", "1.5", None, [1], 10**30, -1, 999_999_999]
)
def test_get_or_404_answers_404_for_a_malformed_or_unknown_id(world, malformed):
    queryset = engagements_visible_to(world.coordinator, world.org)

    with pytest.raises(Http404):
        get_or_404(queryset, pk=malformed)
