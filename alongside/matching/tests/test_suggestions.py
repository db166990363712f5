"""Ranking peer supporters for a referral, and confirming a match."""

from __future__ import annotations

import pytest
from django.urls import reverse

from alongside.accounts.models import PeerSupporterProfile, Role
from alongside.audit.models import AuditEvent
from alongside.core.errors import RuleViolation
from alongside.engagements.models import Engagement, State
from alongside.matching.services import match_confirm, supporter_suggestions
from alongside.notifications.models import Notification
from alongside.participants.models import Participant
from alongside.referrals.models import Referral, Source, Status
from conftest import grant, make_user


def _referral(world, *, status=Status.ACCEPTED, program=None, **fields) -> Referral:
    participant = Participant.objects.create(organization=world.org, first_name="Robin")
    fields.setdefault("preferred_language", "en")
    return Referral.objects.create(
        organization=world.org,
        program=program or world.program,
        participant=participant,
        source=Source.CLINIC,
        needs="Someone who has been there.",
        status=status,
        received_by=world.coordinator,
        **fields,
    )


def _by_name(suggestions) -> dict:
    return {s.profile.user.first_name: s for s in suggestions}


def _supporter(world, first_name: str, **profile) -> PeerSupporterProfile:
    user = make_user(first_name.lower(), first_name)
    grant(user, world.org, Role.SUPPORTER)
    created = PeerSupporterProfile.objects.create(user=user, organization=world.org, **profile)
    created.programs.set([world.program])
    return created


def test_shared_language_and_lived_experience_rank_first(world):
    referral = _referral(world, preferred_language="es", lived_experience_wanted=["substance_use"])

    ranked = supporter_suggestions(referral)

    assert [s.profile for s in ranked] == [world.supporter_profile, world.other_profile]
    assert ranked[0].score > ranked[1].score


def test_the_ranking_follows_the_fit_not_the_names(world):
    referral = _referral(world, preferred_language="en", lived_experience_wanted=["mental_health"])

    ranked = supporter_suggestions(referral)

    assert [s.profile for s in ranked] == [world.other_profile, world.supporter_profile]


def test_the_preferred_gender_adds_to_the_fit(world):
    plain = _by_name(supporter_suggestions(_referral(world)))
    preferring = _by_name(
        supporter_suggestions(_referral(world, supporter_gender_preference="woman"))
    )

    assert preferring["Sunny"].score > plain["Sunny"].score
    assert preferring["Omar"].score == plain["Omar"].score
    assert "gender as preferred" in preferring["Sunny"].reasons


def test_reasons_mention_language_and_capacity_left(world):
    referral = _referral(world, preferred_language="es", lived_experience_wanted=["parenting"])

    by_name = _by_name(supporter_suggestions(referral))

    assert "speaks Spanish" in by_name["Sunny"].reasons
    assert "lived experience: Parenting" in by_name["Sunny"].reasons
    # One untiered participant already: a new participant's load (Tier 1, 1.5) is taken.
    assert "8.5 of 10 places free" in by_name["Sunny"].reasons
    assert "no shared language" in by_name["Omar"].reasons
    assert by_name["Sunny"].capacity_left == 8.5


def test_a_supporter_outside_the_program_is_excluded_in_plain_words(world):
    referral = _referral(world, program=world.respite)

    ranked = supporter_suggestions(referral)

    omar = _by_name(ranked)["Omar"]
    assert omar.exclusions == ["not in this program"]
    assert not omar.eligible
    assert ranked[-1] is omar


def test_a_supporter_at_capacity_is_excluded_in_plain_words(world):
    world.other_profile.capacity = 1
    world.other_profile.save()

    omar = _by_name(supporter_suggestions(_referral(world)))["Omar"]

    assert omar.exclusions == ["at capacity"]
    assert omar.capacity_left == 0
    assert "0 of 1 places free" in omar.reasons


def test_a_supporter_not_accepting_is_excluded_in_plain_words(world):
    world.other_profile.accepting = False
    world.other_profile.save()

    omar = _by_name(supporter_suggestions(_referral(world)))["Omar"]

    assert omar.exclusions == ["not taking new participants"]


def test_an_inactive_account_is_excluded(world):
    world.other_supporter.is_active = False
    world.other_supporter.save()

    omar = _by_name(supporter_suggestions(_referral(world)))["Omar"]

    assert "account inactive" in omar.exclusions


def test_excluded_supporters_come_after_every_eligible_one_whatever_their_score(world):
    _supporter(world, "Ana", languages=["es"], lived_experience=["substance_use"], accepting=False)
    referral = _referral(world, preferred_language="es", lived_experience_wanted=["substance_use"])

    ranked = supporter_suggestions(referral)

    assert [s.eligible for s in ranked] == [True, True, False]
    assert ranked[-1].profile.user.first_name == "Ana"


def test_only_supporters_of_the_referrals_organization_are_suggested(world):
    foreign = make_user("fay", "Fay")
    PeerSupporterProfile.objects.create(user=foreign, organization=world.other_org)

    ranked = supporter_suggestions(_referral(world))

    assert {s.profile.organization_id for s in ranked} == {world.org.pk}


def test_confirming_a_match_opens_an_engagement_in_onboarding(world):
    referral = _referral(world, preferred_language="es")

    engagement = match_confirm(
        referral=referral, supporter=world.supporter, actor=world.coordinator
    )

    engagement.refresh_from_db()
    assert engagement.state == State.ONBOARDING
    assert engagement.supporter == world.supporter
    assert engagement.participant == referral.participant
    assert engagement.program == world.program
    assert engagement.referral == referral
    referral.refresh_from_db()
    assert referral.status == Status.MATCHED
    assert referral.matched_at is not None
    event = AuditEvent.objects.get(action="referral.matched", object_id=str(referral.pk))
    assert event.data["engagement"] == engagement.pk
    assert event.data["supporter"] == world.supporter.pk


def test_a_waitlisted_referral_can_be_matched(world):
    referral = _referral(world, status=Status.WAITLISTED)

    engagement = match_confirm(
        referral=referral, supporter=world.supporter, actor=world.coordinator
    )

    assert engagement.state == State.ONBOARDING


def test_it_refuses_a_supporter_at_capacity_and_changes_nothing(world):
    world.other_profile.capacity = 1
    world.other_profile.save()
    referral = _referral(world)

    with pytest.raises(RuleViolation, match="at capacity"):
        match_confirm(referral=referral, supporter=world.other_supporter, actor=world.coordinator)

    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED
    assert not Engagement.objects.filter(participant=referral.participant).exists()


def test_it_refuses_a_supporter_outside_the_program(world):
    referral = _referral(world, program=world.respite)

    with pytest.raises(RuleViolation, match="not in this program"):
        match_confirm(referral=referral, supporter=world.other_supporter, actor=world.coordinator)

    assert not Engagement.objects.filter(participant=referral.participant).exists()


def test_it_refuses_a_supporter_of_another_organization(world):
    referral = _referral(world)

    with pytest.raises(RuleViolation, match="peer supporter of this organization"):
        match_confirm(referral=referral, supporter=world.outsider, actor=world.coordinator)

    assert not Engagement.objects.filter(participant=referral.participant).exists()


@pytest.mark.parametrize("status", [Status.NEW, Status.DECLINED, Status.MATCHED])
def test_it_refuses_a_referral_that_is_not_screened_for_matching(world, status):
    referral = _referral(world, status=status)

    with pytest.raises(RuleViolation, match="accepted or waitlisted"):
        match_confirm(referral=referral, supporter=world.supporter, actor=world.coordinator)

    referral.refresh_from_db()
    assert referral.status == status
    assert not Engagement.objects.filter(participant=referral.participant).exists()


def test_it_refuses_a_match_while_the_participant_has_an_open_engagement(world):
    referral = Referral.objects.create(
        organization=world.org,
        program=world.program,
        participant=world.participant,
        source=Source.SELF,
        needs="More support.",
        status=Status.ACCEPTED,
    )

    with pytest.raises(RuleViolation, match="already has an open engagement"):
        match_confirm(referral=referral, supporter=world.other_supporter, actor=world.coordinator)

    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED
    assert Engagement.objects.filter(participant=world.participant).count() == 1


def test_a_match_counts_toward_the_supporters_capacity(world):
    world.other_profile.capacity = 3  # room for one more new participant (1.5 each)
    world.other_profile.save()
    match_confirm(
        referral=_referral(world), supporter=world.other_supporter, actor=world.coordinator
    )

    omar = _by_name(supporter_suggestions(_referral(world)))["Omar"]

    assert omar.caseload == 3.0
    assert omar.exclusions == ["at capacity"]


def test_the_supporter_is_told_of_a_new_match_without_the_participants_name(world):
    referral = _referral(world)

    engagement = match_confirm(
        referral=referral, supporter=world.supporter, actor=world.coordinator
    )

    (notice,) = Notification.objects.filter(user=world.supporter)
    assert notice.text == "You have a new participant to welcome (onboarding)."
    assert notice.url == reverse("engagements:detail", args=[engagement.pk])
    assert "Robin" not in notice.text
