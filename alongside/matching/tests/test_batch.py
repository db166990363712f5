"""Batch matching: propose the best total fit, then confirm all of it or none."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alongside.accounts.models import PeerSupporterProfile
from alongside.audit.models import AuditEvent
from alongside.core.errors import RuleViolation
from alongside.engagements.models import Engagement, State
from alongside.matching.batch import batch_confirm, batch_propose
from alongside.matching.models import MatchBatch
from alongside.matching.services import conflict_declare, match_confirm
from alongside.matching.tests.factories import referral
from alongside.notifications.models import Notification
from alongside.referrals.models import Referral, Status


def _room_for_one_each(world) -> None:
    """Sunny and Omar each carry 1.5 already; with 3 places each fits one newcomer."""
    for profile in (world.supporter_profile, world.other_profile):
        profile.capacity = 3
        profile.save()


def _pairs(batch: MatchBatch) -> dict[int, int | None]:
    return {row["referral"]: row["supporter"] for row in batch.proposal}


def _propose(world, referrals) -> MatchBatch:
    return batch_propose(organization=world.org, referrals=referrals, actor=world.coordinator)


# --- proposing --------------------------------------------------------------------------------


def test_the_proposal_maximizes_the_total_fit_not_each_referral_in_turn(world):
    _room_for_one_each(world)
    # Ana fits Sunny best (shared experience), but only Sunny speaks Ben's language, a must.
    ana = referral(world, first_name="Ana", lived_experience_wanted=["substance_use"])
    ben = referral(world, first_name="Ben", preferred_language="es", language_required=True)

    batch = _propose(world, [ana, ben])

    assert _pairs(batch) == {ana.pk: world.other_supporter.pk, ben.pk: world.supporter.pk}
    # Ana with Omar: English 40 + room 5; Ben with Sunny: Spanish 40 + room 5.
    assert batch.total_score == 90
    assert batch.status == MatchBatch.Status.PROPOSED
    assert AuditEvent.objects.filter(action="match.batch_proposed").count() == 1


def test_each_proposed_match_carries_its_score_and_reasons(world):
    made = referral(world, preferred_language="es")

    (row,) = _propose(world, [made]).proposal

    assert row["referral"] == made.pk
    assert row["supporter"] == world.supporter.pk
    assert row["score"] > 0
    assert "speaks Spanish" in row["reasons"]
    assert row["unassigned_reason"] == ""


def test_no_supporter_takes_more_new_participants_than_their_room_allows(world):
    _room_for_one_each(world)
    made = [referral(world, first_name=name) for name in ("Ana", "Ben", "Cai")]

    batch = _propose(world, made)

    assigned = [row["supporter"] for row in batch.proposal if row["supporter"]]
    assert sorted(assigned) == sorted([world.supporter.pk, world.other_supporter.pk])
    (waiting,) = [row for row in batch.proposal if row["supporter"] is None]
    assert waiting["unassigned_reason"] == (
        "the peer supporters who fit have no room left after this batch's matches"
    )


def test_a_referral_nobody_may_take_stays_waiting_with_the_reasons_counted(world):
    made = referral(
        world,
        preferred_language="es",
        language_required=True,
        supporter_gender_preference="man",
        gender_required=True,
    )

    (row,) = _propose(world, [made]).proposal

    assert row["supporter"] is None
    assert row["unassigned_reason"] == (
        "no eligible peer supporter: 1 no shared language, 1 gender preference is required"
    )


def test_a_participant_with_an_open_engagement_in_the_program_stays_waiting(world):
    made = referral(world, participant=world.participant)

    (row,) = _propose(world, [made]).proposal

    assert row["supporter"] is None
    assert row["unassigned_reason"] == "already has an open engagement in Community Peer Support"


def test_a_waitlisted_referral_can_be_proposed(world):
    made = referral(world, status=Status.WAITLISTED)

    assert _propose(world, [made]).proposal[0]["supporter"] is not None


def test_it_refuses_referrals_that_are_not_waiting_for_a_match_and_names_them(world):
    fresh = referral(world, first_name="Nova", last_name="Reed", status=Status.NEW)
    done = referral(world, first_name="Mia", last_name="Stone", status=Status.MATCHED)
    fine = referral(world)

    with pytest.raises(RuleViolation) as refused:
        _propose(world, [fine, fresh, done])

    assert "Nova Reed (Waiting for screening)" in refused.value.message
    assert "Mia Stone (Matched)" in refused.value.message
    assert len(refused.value.missing) == 2
    assert not MatchBatch.objects.exists()


def test_it_refuses_a_referral_of_another_organization_without_naming_the_person(world):
    foreign = referral(world, first_name="Fay", status=Status.ACCEPTED)
    foreign.organization = world.other_org
    foreign.program = world.other_program
    foreign.save()

    with pytest.raises(RuleViolation) as refused:
        _propose(world, [foreign])

    assert refused.value.missing == [f"referral #{foreign.pk} is not one of this organization's"]


# --- confirming -------------------------------------------------------------------------------


def test_confirming_creates_every_engagement_and_tells_each_supporter_once(world):
    made = [referral(world, first_name=name, preferred_language="es") for name in ("Ana", "Ben")]
    batch = _propose(world, made)
    assert set(_pairs(batch).values()) == {world.supporter.pk}

    engagements = batch_confirm(batch=batch, actor=world.coordinator, pairs=_pairs(batch))

    assert [e.referral_id for e in engagements] == [r.pk for r in made]
    assert all(e.state == State.ONBOARDING and e.supporter == world.supporter for e in engagements)
    for r in made:
        r.refresh_from_db()
        assert r.status == Status.MATCHED
    batch.refresh_from_db()
    assert batch.status == MatchBatch.Status.CONFIRMED
    assert batch.confirmed_at is not None
    (notice,) = Notification.objects.filter(user=world.supporter)
    assert notice.text == "You have 2 new participants to welcome (onboarding)."
    event = AuditEvent.objects.get(action="match.batch_confirmed")
    assert event.data["engagements"] == [e.pk for e in engagements]


def test_the_coordinator_may_change_a_pair_or_leave_a_referral_waiting(world):
    ana, ben = referral(world, first_name="Ana"), referral(world, first_name="Ben")
    batch = _propose(world, [ana, ben])

    engagements = batch_confirm(
        batch=batch,
        actor=world.coordinator,
        pairs={ana.pk: world.other_supporter.pk, ben.pk: None},
    )

    assert [(e.referral_id, e.supporter_id) for e in engagements] == [
        (ana.pk, world.other_supporter.pk)
    ]
    ben.refresh_from_db()
    assert ben.status == Status.ACCEPTED


def test_nothing_is_created_when_a_referral_was_matched_meanwhile(world):
    ana = referral(world, first_name="Ana", last_name="Diaz")
    ben = referral(world, first_name="Ben", last_name="Cole")
    batch = _propose(world, [ana, ben])
    match_confirm(referral=ana, supporter=world.other_supporter, actor=world.coordinator)
    before = Engagement.objects.count()

    with pytest.raises(RuleViolation) as refused:
        batch_confirm(batch=batch, actor=world.coordinator, pairs=_pairs(batch))

    assert refused.value.missing == ["Ana Diaz was matched meanwhile"]
    assert "Ana Diaz was matched meanwhile" in refused.value.message
    assert Engagement.objects.count() == before
    ben.refresh_from_db()
    assert ben.status == Status.ACCEPTED
    batch.refresh_from_db()
    assert batch.status == MatchBatch.Status.PROPOSED
    assert not AuditEvent.objects.filter(action="match.batch_confirmed").exists()


def test_nothing_is_created_when_the_room_was_used_up_meanwhile(world):
    made = [referral(world, first_name=name, preferred_language="es") for name in ("Ana", "Ben")]
    batch = _propose(world, made)
    world.supporter_profile.capacity = 2  # 1.5 carried: no room for a newcomer
    world.supporter_profile.save()

    with pytest.raises(RuleViolation) as refused:
        batch_confirm(batch=batch, actor=world.coordinator, pairs=_pairs(batch))

    assert refused.value.missing == ["Sunny Demo has no room left for 2 more"]
    assert not Engagement.objects.filter(referral__in=made).exists()


def test_the_other_pairs_of_the_batch_count_against_the_same_supporters_room(world):
    _room_for_one_each(world)
    ana, ben = referral(world, first_name="Ana"), referral(world, first_name="Ben")
    batch = _propose(world, [ana, ben])

    with pytest.raises(RuleViolation) as refused:
        batch_confirm(
            batch=batch,
            actor=world.coordinator,
            pairs={ana.pk: world.supporter.pk, ben.pk: world.supporter.pk},
        )

    assert refused.value.missing == ["Sunny Demo has room for 1 more, not 2"]
    assert not Engagement.objects.filter(referral__in=[ana, ben]).exists()


def test_every_problem_is_listed_at_once(world):
    ana = referral(world, first_name="Ana", last_name="Diaz")
    ben = referral(world, first_name="Ben", last_name="Cole")
    batch = _propose(world, [ana, ben])
    conflict_declare(
        profile=world.other_profile, participant=ben.participant, actor=world.coordinator
    )
    match_confirm(referral=ana, supporter=world.supporter, actor=world.coordinator)

    with pytest.raises(RuleViolation) as refused:
        batch_confirm(
            batch=batch,
            actor=world.coordinator,
            pairs={ana.pk: world.supporter.pk, ben.pk: world.other_supporter.pk},
        )

    assert refused.value.missing == [
        "Ana Diaz was matched meanwhile",
        "Omar Demo cannot take Ben Cole: declared conflict",
    ]


def test_a_supporter_of_another_organization_is_refused(world):
    made = referral(world)
    batch = _propose(world, [made])

    with pytest.raises(RuleViolation) as refused:
        batch_confirm(batch=batch, actor=world.coordinator, pairs={made.pk: world.outsider.pk})

    assert refused.value.missing == ["Olga Demo is not a peer supporter of this organization"]


def test_a_referral_outside_the_batch_is_refused(world):
    batch = _propose(world, [referral(world)])
    other = referral(world, first_name="Ana")

    with pytest.raises(RuleViolation, match="not part of this batch"):
        batch_confirm(batch=batch, actor=world.coordinator, pairs={other.pk: world.supporter.pk})


def test_confirming_twice_is_refused(world):
    made = referral(world)
    batch = _propose(world, [made])
    batch_confirm(batch=batch, actor=world.coordinator, pairs=_pairs(batch))

    with pytest.raises(RuleViolation, match="already confirmed"):
        batch_confirm(batch=batch, actor=world.coordinator, pairs=_pairs(batch))

    assert Engagement.objects.filter(referral=made).count() == 1


def test_confirming_nothing_is_refused(world):
    made = referral(world)
    batch = _propose(world, [made])

    with pytest.raises(RuleViolation, match="Nothing to confirm"):
        batch_confirm(batch=batch, actor=world.coordinator, pairs={made.pk: None})


def test_the_supporters_are_told_how_many_but_never_who(world):
    made = referral(world, first_name="Ana", last_name="Diaz", preferred_language="es")
    batch = _propose(world, [made])

    (engagement,) = batch_confirm(batch=batch, actor=world.coordinator, pairs=_pairs(batch))

    (notice,) = Notification.objects.filter(user=world.supporter)
    assert notice.text == "You have a new participant to welcome (onboarding)."
    assert notice.url == f"/engagements/{engagement.pk}/"


def test_an_organization_without_supporters_leaves_everyone_waiting(world):
    PeerSupporterProfile.objects.filter(organization=world.org).delete()

    (row,) = _propose(world, Referral.objects.filter(pk=referral(world).pk)).proposal

    assert row["supporter"] is None
    assert row["unassigned_reason"] == "no peer supporters are set up"


@pytest.mark.parametrize("size", [2, 12])
def test_proposing_takes_the_same_number_of_queries_for_any_number_of_referrals(world, size):
    made = [
        referral(world, first_name=f"P{n}", lived_experience_wanted=["trauma"])
        for n in range(size)
    ]

    with CaptureQueriesContext(connection) as captured:
        _propose(world, made)

    # Nine reads (referrals, profiles, program links, loads, conflicts, declines, weights,
    # program names, open engagements), then a savepoint, the batch, its audit event, release.
    assert len(captured.captured_queries) == 13
