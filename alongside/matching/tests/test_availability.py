"""Good times to meet: a supporter available when the participant asked scores; never excludes."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alongside.accounts.models import AvailabilityWindow, Weekday
from alongside.matching.batch import batch_propose
from alongside.matching.models import MatchingWeights
from alongside.matching.services import (
    Wishes,
    engagement_suggestions,
    supporter_pool,
    supporter_suggestions,
)
from alongside.matching.tests.factories import by_name, referral, supporter
from alongside.participants.models import Participant
from conftest import open_engagement

UNAVAILABLE = "not available at the times asked"


def _window(profile, weekday: int, starts: int, ends: int) -> AvailabilityWindow:
    return AvailabilityWindow.objects.create(
        profile=profile,
        weekday=weekday,
        starts=datetime.time(starts),
        ends=datetime.time(ends),
    )


def _judged(world, **fields) -> dict:
    return by_name(supporter_suggestions(referral(world, **fields)))


def test_a_supporter_available_at_a_time_asked_gains_the_availability_weight(world):
    _window(world.other_profile, Weekday.TUESDAY, 18, 20)

    plain = _judged(world)["Omar"]
    omar = _judged(world, preferred_times=["weekday_evening"])["Omar"]

    assert omar.score - plain.score == 10  # the default weight
    assert "available weekday evenings" in omar.reasons
    assert omar.reasons.index("available weekday evenings") == len(omar.reasons) - 2


def test_several_times_covered_count_once_and_are_named_together(world):
    _window(world.other_profile, Weekday.MONDAY, 11, 13)  # a morning and an afternoon
    _window(world.other_profile, Weekday.SATURDAY, 10, 12)

    plain = _judged(world)["Omar"]
    omar = _judged(
        world,
        preferred_times=["weekend", "weekday_evening", "weekday_afternoon", "weekday_morning"],
    )["Omar"]

    assert omar.score - plain.score == 10
    assert "available weekday mornings, weekday afternoons and weekends" in omar.reasons


def test_a_supporter_not_available_then_is_still_suggested_without_the_points(world):
    _window(world.other_profile, Weekday.MONDAY, 9, 11)
    _window(world.supporter_profile, Weekday.SUNDAY, 14, 16)

    plain = _judged(world)
    judged = _judged(world, preferred_times=["weekend"])

    omar, sunny = judged["Omar"], judged["Sunny"]
    assert omar.eligible and omar.exclusions == []
    assert UNAVAILABLE in omar.reasons
    assert omar.score == plain["Omar"].score
    assert "available weekends" in sunny.reasons
    assert sunny.score == plain["Sunny"].score + 10


def test_a_supporter_without_windows_is_not_available_at_the_times_asked(world):
    omar = _judged(world, preferred_times=["weekday_morning"])["Omar"]

    assert omar.eligible
    assert UNAVAILABLE in omar.reasons


def test_no_times_asked_says_nothing_about_times(world):
    _window(world.other_profile, Weekday.TUESDAY, 18, 20)

    omar = _judged(world)["Omar"]

    assert not [r for r in omar.reasons if "available" in r]


def test_availability_can_turn_the_ranking(world):
    # Equal in everything else: Omar is there in the evening, Sunny is not.
    world.supporter_profile.languages = ["en"]
    world.supporter_profile.save()
    _window(world.supporter_profile, Weekday.MONDAY, 9, 11)
    _window(world.other_profile, Weekday.MONDAY, 18, 20)
    MatchingWeights.objects.create(program=world.program, availability=60)

    ranked = supporter_suggestions(referral(world, preferred_times=["weekday_evening"]))

    assert ranked[0].profile == world.other_profile


def test_each_program_weighs_availability_its_own_way(world):
    # Sunny serves both programs; only Community Peer Support changes the weight.
    _window(world.supporter_profile, Weekday.SATURDAY, 10, 12)
    MatchingWeights.objects.create(program=world.program, availability=35)

    def gain(program) -> int:
        asked = _judged(world, program=program, preferred_times=["weekend"])["Sunny"]
        plain = _judged(world, program=program)["Sunny"]
        return asked.score - plain.score

    assert gain(world.program) == 35
    assert gain(world.respite) == 10  # no weights of its own: the default
    MatchingWeights.objects.filter(program=world.program).update(availability=0)
    assert gain(world.program) == 0


def test_a_rematch_weighs_the_times_asked_at_the_referral(world):
    made = referral(world, preferred_times=["weekday_afternoon"])
    world.other_engagement.referral = made
    world.other_engagement.save()
    _window(world.supporter_profile, Weekday.THURSDAY, 13, 15)

    (sunny,) = engagement_suggestions(world.other_engagement)

    assert "available weekday afternoons" in sunny.reasons


def test_the_wishes_keep_known_times_in_one_order():
    wishes = Wishes(
        participant_id=1,
        program_id=1,
        preferred_times=("weekend", "brunch", "weekday_morning", "weekend"),
    )

    assert wishes.preferred_times == ("weekday_morning", "weekend")


# --- queries --------------------------------------------------------------------------------


def test_windows_are_read_only_for_supporters_in_the_pool(world):
    _window(world.supporter_profile, Weekday.SATURDAY, 10, 12)
    _window(world.other_profile, Weekday.MONDAY, 18, 20)
    wishes = Wishes.of_referral(referral(world, preferred_times=["weekend"]))

    pool = supporter_pool(
        organization_id=world.org.pk, wishes=[wishes], user_ids=iter([world.supporter.pk])
    )

    (sunny,) = pool.supporters
    assert sunny.times == {"weekend"}


@pytest.mark.parametrize("extra", [0, 15])
def test_times_asked_cost_one_query_whatever_the_number_of_supporters(world, extra):
    made = referral(world, preferred_times=["weekday_evening", "weekend"])
    for n in range(extra):
        profile = supporter(world, f"Peer{n}", languages=["en"])
        _window(profile, Weekday.MONDAY, 17, 19)
        _window(profile, Weekday.SUNDAY, 10, 12)
        open_engagement(
            Participant.objects.create(organization=world.org, first_name=f"P{n}"),
            world.program,
            profile.user,
        )

    with CaptureQueriesContext(connection) as captured:
        ranked = supporter_suggestions(made)
        for s in ranked:  # what the page shows
            str(s.profile.user), s.reasons, s.exclusions, s.capacity_left

    assert len(ranked) == 2 + extra
    # weights, profiles with users, program links, loads, conflicts, declines, windows
    assert len(captured.captured_queries) == 7
    assert all("available weekday evenings and weekends" in s.reasons for s in ranked[:extra])


def test_a_batch_proposal_weighs_and_names_the_times_asked(world):
    _window(world.supporter_profile, Weekday.SATURDAY, 10, 12)
    made = [
        referral(world, first_name="Ana", preferred_times=["weekend"]),
        referral(world, first_name="Ben", preferred_times=["weekday_morning"]),
    ]

    with CaptureQueriesContext(connection) as captured:
        batch = batch_propose(organization=world.org, referrals=made, actor=world.coordinator)

    # The reads of a batch without times asked (test_batch), and the windows.
    assert len(captured.captured_queries) == 13 + 1
    rows = {row["referral"]: row for row in batch.proposal}
    assert rows[made[0].pk]["supporter"] == world.supporter.pk
    assert "available weekends" in rows[made[0].pk]["reasons"]
    assert UNAVAILABLE in rows[made[1].pk]["reasons"]
