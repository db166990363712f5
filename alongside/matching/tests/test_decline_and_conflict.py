"""A participant declining a proposed supporter, and a supporter declaring a conflict."""

from __future__ import annotations

import pytest

from alongside.audit.models import AuditEvent
from alongside.core.errors import RuleViolation
from alongside.matching.models import DeclinedSupporter
from alongside.matching.services import conflict_declare, supporter_decline_record
from alongside.matching.tests.factories import referral
from alongside.referrals.models import Status


def test_a_decline_is_recorded_with_an_audit_event_and_no_penalty(world):
    made = referral(world)

    declined = supporter_decline_record(
        referral=made, supporter=world.supporter, actor=world.coordinator, reason=" not now "
    )

    assert declined.reason == "not now"
    assert declined.recorded_by == world.coordinator
    event = AuditEvent.objects.get(action="match.declined_by_participant")
    assert event.object_id == str(made.pk)
    assert event.data["supporter"] == world.supporter.pk
    made.refresh_from_db()
    assert made.status == Status.ACCEPTED


def test_declining_the_same_supporter_twice_is_refused_with_a_clear_message(world):
    made = referral(world)
    supporter_decline_record(referral=made, supporter=world.supporter, actor=world.coordinator)

    with pytest.raises(RuleViolation, match="already declined Sunny Demo"):
        supporter_decline_record(referral=made, supporter=world.supporter, actor=world.coordinator)

    assert DeclinedSupporter.objects.count() == 1


def test_a_decline_names_a_supporter_of_the_organization(world):
    with pytest.raises(RuleViolation, match="peer supporter of this organization"):
        supporter_decline_record(
            referral=referral(world), supporter=world.outsider, actor=world.coordinator
        )


def test_a_decline_is_refused_once_the_referral_is_matched(world):
    with pytest.raises(RuleViolation, match="Matched"):
        supporter_decline_record(
            referral=referral(world, status=Status.MATCHED),
            supporter=world.supporter,
            actor=world.coordinator,
        )


def test_a_conflict_is_recorded_with_an_audit_event(world):
    made = referral(world)

    conflict = conflict_declare(
        profile=world.other_profile,
        participant=made.participant,
        actor=world.coordinator,
        reason="Neighbours",
    )

    assert conflict.reason == "Neighbours"
    event = AuditEvent.objects.get(action="supporter.conflict_declared")
    assert event.data == {
        "supporter": world.other_supporter.pk,
        "participant": made.participant_id,
        "reason": "Neighbours",
    }


def test_a_conflict_with_a_participant_of_another_organization_is_refused(world):
    with pytest.raises(RuleViolation, match="same organization"):
        conflict_declare(
            profile=world.other_profile,
            participant=world.foreign_participant,
            actor=world.coordinator,
        )

    assert not AuditEvent.objects.filter(action="supporter.conflict_declared").exists()


def test_declaring_the_same_conflict_twice_is_refused(world):
    made = referral(world)
    conflict_declare(
        profile=world.other_profile, participant=made.participant, actor=world.coordinator
    )

    with pytest.raises(RuleViolation, match="already declared a conflict"):
        conflict_declare(
            profile=world.other_profile, participant=made.participant, actor=world.coordinator
        )
