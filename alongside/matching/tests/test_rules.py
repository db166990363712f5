"""What excludes a supporter, what scores, and how the caseload is weighed by tier."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alongside.accounts.models import ExperienceArea, SupporterConflict
from alongside.assessments.services import assessment_record
from alongside.engagements.models import Engagement, State
from alongside.matching.models import MatchingWeights
from alongside.matching.services import (
    conflict_declare,
    supporter_decline_record,
    supporter_suggestions,
)
from alongside.matching.tests.factories import by_name, referral, supporter
from alongside.participants.models import Participant
from conftest import open_engagement


def _omar(world, **fields):
    return by_name(supporter_suggestions(referral(world, **fields)))["Omar"]


# --- hard constraints, each in plain words --------------------------------------------------


def test_a_required_language_excludes_supporters_who_do_not_speak_it(world):
    ranked = by_name(
        supporter_suggestions(referral(world, preferred_language="es", language_required=True))
    )

    assert ranked["Omar"].exclusions == ["no shared language"]
    assert ranked["Sunny"].eligible


def test_a_language_that_is_not_required_only_weighs_in_the_score(world):
    omar = _omar(world, preferred_language="es")

    assert omar.eligible
    assert "no shared language" in omar.reasons


def test_a_required_gender_excludes_supporters_of_another_gender(world):
    omar = _omar(world, supporter_gender_preference="woman", gender_required=True)

    assert omar.exclusions == ["gender preference is required"]


def test_a_gender_preference_that_is_not_required_does_not_exclude(world):
    assert _omar(world, supporter_gender_preference="woman").eligible


def test_a_supporter_who_meets_only_by_phone_or_video_is_excluded_when_remote_is_not_ok(world):
    world.other_profile.remote_only = True
    world.other_profile.save()

    assert _omar(world, remote_ok=False).exclusions == ["meets by phone or video only"]
    assert _omar(world, remote_ok=True).eligible


def test_a_declared_conflict_excludes_the_supporter(world):
    made = referral(world)
    conflict_declare(
        profile=world.other_profile, participant=made.participant, actor=world.coordinator
    )

    omar = by_name(supporter_suggestions(made))["Omar"]

    assert omar.exclusions == ["declared conflict"]


def test_a_supporter_the_participant_declined_is_excluded_and_the_next_best_is_offered(world):
    made = referral(world, preferred_language="es", lived_experience_wanted=["substance_use"])
    assert supporter_suggestions(made)[0].profile == world.supporter_profile

    supporter_decline_record(referral=made, supporter=world.supporter, actor=world.coordinator)

    ranked = supporter_suggestions(made)
    assert ranked[0].profile == world.other_profile
    assert ranked[0].eligible
    assert by_name(ranked)["Sunny"].exclusions == ["participant declined this supporter"]


def test_a_decline_for_one_referral_does_not_exclude_the_supporter_from_others(world):
    made = referral(world)
    supporter_decline_record(referral=made, supporter=world.supporter, actor=world.coordinator)

    assert by_name(supporter_suggestions(referral(world)))["Sunny"].eligible


def test_every_reason_to_exclude_is_listed_not_only_the_first(world):
    world.other_profile.accepting = False
    world.other_profile.capacity = 1
    world.other_profile.save()

    omar = _omar(world, preferred_language="vi", language_required=True)

    assert omar.exclusions == ["not taking new participants", "at capacity", "no shared language"]


# --- the score ----------------------------------------------------------------------------


def test_every_point_of_the_score_is_explained(world):
    world.supporter_profile.locations_served = ["Eastside", "Riverside"]
    world.supporter_profile.save()

    sunny = by_name(
        supporter_suggestions(
            referral(
                world,
                preferred_language="es",
                lived_experience_wanted=["substance_use", "parenting"],
                supporter_gender_preference="woman",
                meeting_place="  eastside ",
            )
        )
    )["Sunny"]

    # Default weights: language 40, lived experience 2 x 15, gender 20, place 15, and
    # room 8.5 of 10 x 10 points = 8.5, rounded half up to 9.
    assert sunny.score == 40 + 30 + 20 + 15 + 9
    assert sunny.reasons == [
        "speaks Spanish",
        "lived experience: Substance use, Parenting",
        "gender as preferred",
        "meets in eastside",
        "8.5 of 10 places free",
    ]


def test_lived_experience_counts_each_shared_area_up_to_the_maximum(world):
    world.other_profile.lived_experience = ["mental_health", "trauma", "veterans", "housing"]
    world.other_profile.save()
    wanted = ["mental_health", "trauma", "veterans", "housing"]

    omar = _omar(world, lived_experience_wanted=wanted)
    plain = _omar(world)

    assert omar.score - plain.score == 45  # 4 x 15 = 60, at most 45


def test_an_organizations_own_lived_experience_area_is_named_by_its_label(world):
    ExperienceArea.objects.create(organization=world.org, code="grief", label="Grief and loss")
    world.other_profile.lived_experience = ["grief"]
    world.other_profile.save()

    assert (
        "lived experience: Grief and loss"
        in _omar(world, lived_experience_wanted=["grief"]).reasons
    )


def test_the_place_matches_whatever_the_case_and_spacing(world):
    world.other_profile.locations_served = ["North  Valley"]
    world.other_profile.save()

    far = _omar(world, meeting_place="Eastside", remote_ok=False)
    near = _omar(world, meeting_place=" north valley", remote_ok=False)

    assert near.score - far.score == 15
    assert "meets in north valley" in near.reasons


def test_a_supporter_meeting_by_phone_or_video_fits_a_participant_for_whom_that_is_fine(world):
    world.other_profile.remote_only = True
    world.other_profile.save()

    omar = _omar(world, meeting_place="Eastside", remote_ok=True)

    assert "meets by phone or video" in omar.reasons


def test_the_participants_own_wishes_outweigh_room_in_the_caseload(world):
    # Omar has all the room in the world; Sunny shares the language and the experience.
    world.other_profile.capacity = 60
    world.other_profile.save()
    world.supporter_profile.capacity = 3
    world.supporter_profile.save()

    ranked = supporter_suggestions(
        referral(world, preferred_language="es", lived_experience_wanted=["parenting"])
    )

    assert [s.profile for s in ranked] == [world.supporter_profile, world.other_profile]


def test_a_programs_own_weights_change_the_ranking(world):
    wishes = {"preferred_language": "es", "supporter_gender_preference": "man"}
    assert supporter_suggestions(referral(world, **wishes))[0].profile == world.supporter_profile

    MatchingWeights.objects.create(program=world.program, language=5, gender=60)

    ranked = supporter_suggestions(referral(world, **wishes))
    assert ranked[0].profile == world.other_profile


def test_a_program_without_weights_uses_the_defaults_and_none_are_created(world):
    supporter_suggestions(referral(world))

    assert not MatchingWeights.objects.exists()


# --- the tier-weighted caseload -------------------------------------------------------------


def _assess(engagement, actor, tier: int) -> None:
    assessment_record(
        engagement=engagement,
        actor=actor,
        tier=tier,
        rationale="As discussed together.",
        assessed_on=timezone.localdate(),
    )


def test_an_engagement_not_assessed_yet_counts_as_tier_1(world):
    omar = _omar(world)

    assert omar.caseload == 1.5
    assert "8.5 of 10 places free" in omar.reasons


def test_the_caseload_weighs_each_participant_by_their_current_tier(world):
    world.other_profile.tier3_load = "0.5"
    world.other_profile.save()
    _assess(world.other_engagement, world.other_supporter, 3)

    omar = _omar(world)

    assert omar.caseload == 0.5
    assert "9.5 of 10 places free" in omar.reasons


def test_an_assessment_keeps_the_engagements_current_tier(world):
    _assess(world.other_engagement, world.other_supporter, 2)
    world.other_engagement.refresh_from_db()
    assert world.other_engagement.tier == 2

    _assess(world.other_engagement, world.other_supporter, 3)
    world.other_engagement.refresh_from_db()
    assert world.other_engagement.tier == 3


def test_a_back_dated_assessment_does_not_replace_the_current_tier(world):
    _assess(world.other_engagement, world.other_supporter, 2)
    assessment_record(
        engagement=world.other_engagement,
        actor=world.other_supporter,
        tier=1,
        rationale="Recorded late.",
        assessed_on=world.other_engagement.started_on,
    )

    world.other_engagement.refresh_from_db()
    assert world.other_engagement.tier == 2


def test_room_for_a_new_participant_means_room_for_their_tier_1_load(world):
    world.other_profile.capacity = 3
    world.other_profile.save()  # 3 - 1.5 = 1.5 left: exactly one new participant
    assert _omar(world).eligible

    world.other_profile.tier1_load = "2.0"
    world.other_profile.save()  # now 3 - 2 = 1 left, and a newcomer needs 2

    assert _omar(world).exclusions == ["at capacity"]


def test_a_lighter_tier_frees_room_for_a_newcomer(world):
    world.other_profile.capacity = 2
    world.other_profile.save()
    assert _omar(world).exclusions == ["at capacity"]  # 2 - 1.5 = 0.5 left

    _assess(world.other_engagement, world.other_supporter, 3)  # now 0.5: 1.5 left

    assert _omar(world).eligible


def test_closed_engagements_do_not_count(world):
    Engagement.objects.filter(pk=world.other_engagement.pk).update(state=State.CLOSED)

    assert _omar(world).caseload == 0


def test_engagements_in_another_organization_do_not_count(world):
    foreign = Participant.objects.create(organization=world.other_org, first_name="Far")
    open_engagement(foreign, world.other_program, world.other_supporter)

    assert _omar(world).caseload == 1.5


# --- budget ---------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [0, 15])
def test_the_number_of_queries_does_not_grow_with_the_number_of_supporters(world, extra):
    made = referral(world, lived_experience_wanted=["substance_use"])
    for n in range(extra):
        profile = supporter(world, f"Peer{n}", languages=["en"], lived_experience=["trauma"])
        open_engagement(
            Participant.objects.create(organization=world.org, first_name=f"P{n}"),
            world.program,
            profile.user,
        )
        SupporterConflict.objects.create(profile=profile, participant=made.participant)

    with CaptureQueriesContext(connection) as captured:
        ranked = supporter_suggestions(made)
        for s in ranked:  # what the page shows
            str(s.profile.user), s.reasons, s.exclusions, s.capacity_left

    assert len(ranked) == 2 + extra
    # weights, profiles with users, program links, loads, conflicts, declines
    assert len(captured.captured_queries) == 6
