"""Referral intake and screening, through the domain functions."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from alongside.audit.models import AuditEvent
from alongside.core.errors import RuleViolation
from alongside.participants.models import Participant
from alongside.referrals.models import Referral, Source, Status, Urgency
from alongside.referrals.services import (
    referral_accept,
    referral_create,
    referral_decline,
    referral_waitlist,
)

PERSON = {"first_name": "Robin", "last_name": "Diaz", "preferred_language": "es"}


def _create(world, participant=None, program=None, **fields) -> Referral:
    fields.setdefault("source", Source.HOSPITAL)
    fields.setdefault("needs", "Support after discharge.")
    return referral_create(
        organization=world.org,
        program=program or world.program,
        actor=world.coordinator,
        participant=dict(PERSON) if participant is None else participant,
        **fields,
    )


def _counts() -> tuple[int, int, int]:
    return Participant.objects.count(), Referral.objects.count(), AuditEvent.objects.count()


def test_it_creates_the_referral_and_the_participant_from_a_dict(world):
    referral = _create(world, urgency=Urgency.SOON, lived_experience_wanted=["trauma"])

    referral.refresh_from_db()
    assert referral.status == Status.NEW
    assert referral.received_by == world.coordinator
    assert referral.urgency == Urgency.SOON
    assert referral.participant.organization == world.org
    assert referral.participant.first_name == "Robin"
    assert referral.participant.preferred_language == "es"
    event = AuditEvent.objects.get(object_type="referral", object_id=str(referral.pk))
    assert event.action == "referral.received"
    assert event.actor == world.coordinator


def test_it_ignores_person_details_that_are_not_participant_fields(world):
    referral = _create(world, participant={**PERSON, "organization": world.other_org, "pk": 99})

    assert referral.participant.organization == world.org
    assert referral.participant.pk != 99


def test_it_refers_an_existing_participant_without_creating_another(world):
    participants = Participant.objects.count()

    referral = _create(world, participant=world.other_participant, program=world.respite)

    assert referral.participant == world.other_participant
    assert Participant.objects.count() == participants


def test_it_refuses_a_person_without_a_first_name_and_saves_nothing(world):
    before = _counts()

    with pytest.raises(ValidationError) as refused:
        _create(world, participant={"last_name": "Diaz"})

    assert "first_name" in refused.value.message_dict
    assert _counts() == before


def test_it_refuses_an_unknown_source_and_saves_neither_record(world):
    before = _counts()

    with pytest.raises(ValidationError) as refused:
        _create(world, source="psychic")

    assert "source" in refused.value.message_dict
    assert _counts() == before


def test_it_refuses_a_referral_without_needs_and_saves_neither_record(world):
    before = _counts()

    with pytest.raises(ValidationError) as refused:
        _create(world, needs="")

    assert "needs" in refused.value.message_dict
    assert _counts() == before


def test_it_refuses_a_program_of_another_organization(world):
    before = _counts()

    with pytest.raises(RuleViolation, match="program of this organization"):
        _create(world, program=world.other_program)

    assert _counts() == before


def test_it_refuses_a_participant_of_another_organization(world):
    before = _counts()

    with pytest.raises(RuleViolation, match="another organization"):
        _create(world, participant=world.foreign_participant)

    assert _counts() == before


def test_it_refuses_a_program_that_is_not_taking_referrals(world):
    world.respite.is_active = False
    world.respite.save()
    before = _counts()

    with pytest.raises(RuleViolation, match="not taking referrals"):
        _create(world, program=world.respite)

    assert _counts() == before


def test_accepting_marks_it_screened_and_waiting_for_a_match(world):
    referral = _create(world)

    referral_accept(referral=referral, actor=world.coordinator)

    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED
    assert referral.screened_by == world.coordinator
    assert referral.screened_at is not None
    assert AuditEvent.objects.filter(
        action="referral.accepted", object_id=str(referral.pk)
    ).exists()


def test_declining_records_the_reason(world):
    referral = _create(world)

    referral_decline(referral=referral, actor=world.coordinator, reason="  Lives out of area  ")

    referral.refresh_from_db()
    assert referral.status == Status.DECLINED
    assert referral.decline_reason == "Lives out of area"
    event = AuditEvent.objects.get(action="referral.declined", object_id=str(referral.pk))
    assert event.data == {"reason": "Lives out of area"}


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_it_refuses_to_decline_without_a_reason(world, reason):
    referral = _create(world)

    with pytest.raises(RuleViolation, match="Say why"):
        referral_decline(referral=referral, actor=world.coordinator, reason=reason)

    referral.refresh_from_db()
    assert referral.status == Status.NEW
    assert referral.screened_at is None


@pytest.mark.parametrize("priority", [1, 3, 5])
def test_waitlisting_records_a_priority_from_one_to_five(world, priority):
    referral = _create(world)

    referral_waitlist(referral=referral, actor=world.coordinator, priority=priority)

    referral.refresh_from_db()
    assert referral.status == Status.WAITLISTED
    assert referral.waitlist_priority == priority


@pytest.mark.parametrize("priority", [0, 6, -1])
def test_it_refuses_a_waitlist_priority_outside_one_to_five(world, priority):
    referral = _create(world)

    with pytest.raises(RuleViolation, match="1 \\(highest\\) to 5"):
        referral_waitlist(referral=referral, actor=world.coordinator, priority=priority)

    referral.refresh_from_db()
    assert referral.status == Status.NEW
    assert referral.waitlist_priority is None


def test_a_waitlisted_referral_can_still_be_accepted(world):
    referral = _create(world)
    referral_waitlist(referral=referral, actor=world.coordinator, priority=2)

    referral_accept(referral=referral, actor=world.coordinator)

    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED


@pytest.mark.parametrize(
    "screen",
    [
        lambda w, r: referral_accept(referral=r, actor=w.coordinator),
        lambda w, r: referral_decline(referral=r, actor=w.coordinator, reason="Again"),
        lambda w, r: referral_waitlist(referral=r, actor=w.coordinator, priority=1),
    ],
    ids=["accept", "decline", "waitlist"],
)
@pytest.mark.parametrize("status", [Status.DECLINED, Status.MATCHED])
def test_it_cannot_re_screen_a_declined_or_matched_referral(world, screen, status):
    referral = _create(world)
    Referral.objects.filter(pk=referral.pk).update(status=status)
    referral.refresh_from_db()
    events = AuditEvent.objects.count()

    with pytest.raises(RuleViolation, match="already"):
        screen(world, referral)

    stored = Referral.objects.get(pk=referral.pk)
    assert stored.status == status
    assert stored.screened_at is None
    assert stored.decline_reason == ""
    assert stored.waitlist_priority is None
    assert AuditEvent.objects.count() == events
