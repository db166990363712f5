"""The engagement lifecycle of design.md §3, proved through the domain functions."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from alongside.agreements.models import DocumentRequirement, SignedDocument
from alongside.agreements.testing import signed_on_paper
from alongside.assessments.models import Assessment
from alongside.assessments.services import assessment_record
from alongside.audit.models import AuditEvent
from alongside.core.errors import RuleViolation, StaleEdit
from alongside.engagements.models import Engagement, State, StateChange
from alongside.engagements.services import (
    TRANSITIONS,
    engagement_open,
    engagement_transition,
    ensure_writable,
)
from alongside.engagements.testing import onboarding_complete
from alongside.exits.models import Exit, ExitReason
from alongside.meetings.models import Meeting
from alongside.meetings.services import meeting_log
from alongside.participants.models import Participant
from alongside.plans.models import Goal
from alongside.plans.services import goal_create
from alongside.referrals.models import Referral, Source, Status
from conftest import open_engagement


def agreement_record(*, engagement, kind, signed_on, actor):
    """A document signed on paper by all who sign it (the current version of ``kind``)."""
    return signed_on_paper(engagement, kind, actor, signed_on=signed_on)


ALLOWED = sorted((a, b) for a, nexts in TRANSITIONS.items() for b in nexts)
REFUSED = sorted((a, b) for a in State.values for b in State.values if b not in TRANSITIONS[a])


def _newcomer(world, first_name: str = "Robin") -> Participant:
    return Participant.objects.create(organization=world.org, first_name=first_name)


def _referral(world, participant: Participant, program=None) -> Referral:
    return Referral.objects.create(
        organization=world.org,
        program=program or world.program,
        participant=participant,
        source=Source.SELF,
        needs="Someone to talk to who has been there.",
        status=Status.ACCEPTED,
        received_by=world.coordinator,
    )


def _ready_for(world, engagement: Engagement, from_state: str, to_state: str) -> None:
    """Meet what a move needs beyond the transition table (agreements, plan, completed exit)."""
    if to_state == State.ACTIVE:
        onboarding_complete(engagement, world.supporter)
        for kind in (world.release, world.contract):
            agreement_record(
                engagement=engagement,
                kind=kind,
                signed_on=engagement.started_on,
                actor=world.supporter,
            )
    if (from_state, to_state) == (State.EXITING, State.CLOSED):
        Exit.objects.create(
            engagement=engagement,
            reason=ExitReason.GOALS_MET,
            started_at=timezone.now(),
            started_by=world.supporter,
            completed_at=timezone.now(),
            completed_by=world.supporter,
        )


def _closed_engagement(world) -> Engagement:
    engagement = open_engagement(_newcomer(world, "Casey"), world.program, world.supporter)
    engagement.state = State.CLOSED
    engagement.closed_on = timezone.localdate()
    engagement.save()
    return engagement


def test_the_transition_table_covers_every_state():
    assert set(TRANSITIONS) == set(State.values)
    assert TRANSITIONS[State.CLOSED] == frozenset()


@pytest.mark.parametrize(("from_state", "to_state"), ALLOWED)
def test_it_allows_each_move_of_the_transition_table(world, from_state, to_state):
    engagement = open_engagement(_newcomer(world), world.program, world.supporter, from_state)
    _ready_for(world, engagement, from_state, to_state)

    moved = engagement_transition(
        engagement=engagement, to_state=to_state, actor=world.coordinator, reason="Next step"
    )

    engagement.refresh_from_db()
    assert moved.state == engagement.state == to_state
    assert engagement.version == 2


@pytest.mark.parametrize(("from_state", "to_state"), REFUSED)
def test_it_refuses_each_move_outside_the_transition_table(world, from_state, to_state):
    engagement = open_engagement(_newcomer(world), world.program, world.supporter, from_state)

    with pytest.raises(RuleViolation, match="cannot move from"):
        engagement_transition(
            engagement=engagement, to_state=to_state, actor=world.coordinator, reason="Try"
        )

    engagement.refresh_from_db()
    assert engagement.state == from_state
    assert engagement.version == 1
    assert not StateChange.objects.filter(engagement=engagement).exists()


def test_it_refuses_a_state_that_does_not_exist(world):
    with pytest.raises(RuleViolation, match="not an engagement state"):
        engagement_transition(
            engagement=world.engagement, to_state="paused", actor=world.supporter
        )
    world.engagement.refresh_from_db()
    assert world.engagement.state == State.ACTIVE


def test_it_refuses_activation_naming_each_missing_agreement(world):
    engagement = open_engagement(_newcomer(world), world.program, world.supporter, "onboarding")

    with pytest.raises(RuleViolation) as refused:
        engagement_transition(engagement=engagement, to_state=State.ACTIVE, actor=world.supporter)

    assert refused.value.missing == [
        "The process and what to expect explained",
        "Rights and privacy explained",
        "Joint Participation Contract",
        "Release of Liability",
        "Emergency plan",
        "Communication preferences and boundaries",
    ]
    assert "Joint Participation Contract" in refused.value.message
    assert "Release of Liability" in refused.value.message
    engagement.refresh_from_db()
    assert engagement.state == State.ONBOARDING
    assert engagement.activated_on is None


def test_it_names_only_the_agreements_still_missing(world):
    engagement = open_engagement(_newcomer(world), world.program, world.supporter, "onboarding")
    agreement_record(
        engagement=engagement,
        kind=world.release,
        signed_on=timezone.localdate(),
        actor=world.supporter,
    )

    with pytest.raises(RuleViolation) as refused:
        engagement_transition(engagement=engagement, to_state=State.ACTIVE, actor=world.supporter)

    assert "Joint Participation Contract" in refused.value.missing
    assert "Emergency plan" in refused.value.missing
    assert "Release of Liability" not in refused.value.message


def test_it_activates_once_every_required_agreement_is_recorded(world):
    engagement = open_engagement(_newcomer(world), world.program, world.supporter, "onboarding")
    for kind in (world.release, world.contract):
        agreement_record(
            engagement=engagement, kind=kind, signed_on=timezone.localdate(), actor=world.supporter
        )
    onboarding_complete(engagement, world.supporter)

    engagement_transition(engagement=engagement, to_state=State.ACTIVE, actor=world.supporter)

    engagement.refresh_from_db()
    assert engagement.state == State.ACTIVE
    assert engagement.activated_on == timezone.localdate()


def test_it_activates_in_a_program_that_requires_no_agreements(world):
    engagement = open_engagement(_newcomer(world), world.respite, world.supporter, "onboarding")
    onboarding_complete(engagement, world.supporter)

    engagement_transition(engagement=engagement, to_state=State.ACTIVE, actor=world.supporter)

    engagement.refresh_from_db()
    assert engagement.state == State.ACTIVE


def test_every_transition_records_who_when_why_as_a_state_change(world):
    before = timezone.now()

    engagement_transition(
        engagement=world.engagement,
        to_state=State.EXITING,
        actor=world.supporter,
        reason="Moving to another city",
    )

    change = StateChange.objects.get(engagement=world.engagement)
    assert change.from_state == State.ACTIVE
    assert change.to_state == State.EXITING
    assert change.actor == world.supporter
    assert change.reason == "Moving to another city"
    assert change.at >= before
    world.engagement.refresh_from_db()
    assert world.engagement.state_changed_at == change.at


def test_every_transition_writes_an_audit_event_named_for_the_new_state(world):
    engagement_transition(
        engagement=world.engagement,
        to_state=State.EXITING,
        actor=world.supporter,
        reason="Moving to another city",
    )

    event = AuditEvent.objects.get(object_type="engagement", object_id=str(world.engagement.pk))
    assert event.action == "engagement.exiting"
    assert event.actor == world.supporter
    assert event.organization == world.org
    assert event.data == {"from": "active", "reason": "Moving to another city"}


def test_every_transition_keeps_a_history_row_with_actor_and_reason(world):
    rows_before = world.engagement.history.count()

    engagement_transition(
        engagement=world.engagement,
        to_state=State.EXITING,
        actor=world.supporter,
        reason="Moving to another city",
    )

    assert world.engagement.history.count() == rows_before + 1
    latest = world.engagement.history.first()
    assert latest.state == State.EXITING
    assert latest.history_user == world.supporter
    assert latest.history_change_reason == "Moving to another city"


def test_a_stale_copy_raises_stale_edit_and_changes_nothing(world):
    stale = Engagement.objects.get(pk=world.engagement.pk)
    engagement_transition(
        engagement=world.engagement, to_state=State.EXITING, actor=world.supporter
    )
    changes = StateChange.objects.count()
    events = AuditEvent.objects.count()
    history = world.engagement.history.count()

    with pytest.raises(StaleEdit):
        engagement_transition(engagement=stale, to_state=State.EXITING, actor=world.coordinator)

    current = Engagement.objects.get(pk=world.engagement.pk)
    assert current.state == State.EXITING
    assert current.version == 2
    assert StateChange.objects.count() == changes
    assert AuditEvent.objects.count() == events
    assert world.engagement.history.count() == history


def test_a_stale_copy_is_refused_even_when_its_move_would_be_allowed(world):
    stale = Engagement.objects.get(pk=world.engagement.pk)
    onboarding_complete(world.engagement, world.supporter)
    exiting = engagement_transition(
        engagement=world.engagement, to_state=State.EXITING, actor=world.supporter
    )
    engagement_transition(engagement=exiting, to_state=State.ACTIVE, actor=world.supporter)

    with pytest.raises(StaleEdit):
        engagement_transition(engagement=stale, to_state=State.EXITING, actor=world.coordinator)

    current = Engagement.objects.get(pk=world.engagement.pk)
    assert current.state == State.ACTIVE
    assert current.version == 3


@pytest.mark.parametrize(
    "write",
    [
        lambda w, e: meeting_log(
            engagement=e,
            actor=w.supporter,
            starts_at=timezone.now() - datetime.timedelta(hours=2),
            duration_minutes=45,
            mode="phone",
            note_body="Talked about the week.",
        ),
        lambda w, e: goal_create(
            engagement=e,
            actor=w.supporter,
            statement="Walk every morning",
            wellness_dimension="physical",
        ),
        lambda w, e: agreement_record(
            engagement=e, kind=w.release, signed_on=timezone.localdate(), actor=w.supporter
        ),
        lambda w, e: assessment_record(
            engagement=e,
            actor=w.supporter,
            tier=1,
            rationale="Steady progress",
            assessed_on=timezone.localdate(),
        ),
    ],
    ids=["meeting_log", "goal_create", "agreement_record", "assessment_record"],
)
def test_a_closed_engagement_is_read_only(world, write):
    engagement = _closed_engagement(world)

    with pytest.raises(RuleViolation, match="closed"):
        write(world, engagement)

    assert not Meeting.objects.filter(engagement=engagement).exists()
    assert not Goal.objects.filter(engagement=engagement).exists()
    assert not SignedDocument.objects.filter(engagement=engagement).exists()
    assert not Assessment.objects.filter(engagement=engagement).exists()


def test_ensure_writable_lets_every_open_state_through(world):
    for state in State.values:
        if state == State.CLOSED:
            continue
        world.engagement.state = state
        assert ensure_writable(world.engagement) is None
    world.engagement.state = State.CLOSED
    with pytest.raises(RuleViolation):
        ensure_writable(world.engagement)


def test_opening_an_engagement_starts_onboarding_with_both_moves_recorded(world):
    participant = _newcomer(world)
    referral = _referral(world, participant)

    engagement = engagement_open(
        referral=referral, supporter=world.other_supporter, actor=world.coordinator
    )

    engagement.refresh_from_db()
    assert engagement.state == State.ONBOARDING
    assert engagement.referral == referral
    assert engagement.supporter == world.other_supporter
    assert engagement.started_on == timezone.localdate()
    assert engagement.previous is None
    moves = list(engagement.state_changes.values_list("from_state", "to_state"))
    assert moves == [("", State.MATCHED), (State.MATCHED, State.ONBOARDING)]
    actions = set(
        AuditEvent.objects.filter(
            object_type="engagement", object_id=str(engagement.pk)
        ).values_list("action", flat=True)
    )
    assert actions == {"engagement.matched", "engagement.onboarding"}


def test_it_refuses_a_second_open_engagement_in_the_same_program(world):
    referral = _referral(world, world.participant)

    with pytest.raises(RuleViolation, match="already has an open engagement"):
        engagement_open(
            referral=referral, supporter=world.other_supporter, actor=world.coordinator
        )

    assert Engagement.objects.filter(participant=world.participant).count() == 1
    assert not Engagement.objects.filter(referral=referral).exists()


def test_it_allows_an_open_engagement_in_another_program(world):
    referral = _referral(world, world.participant, program=world.respite)

    engagement = engagement_open(
        referral=referral, supporter=world.supporter, actor=world.coordinator
    )

    assert engagement.program == world.respite
    assert Engagement.objects.filter(participant=world.participant).count() == 2


def test_a_returning_participant_gets_a_new_engagement_linked_to_the_closed_one(world):
    closed = _closed_engagement(world)
    referral = _referral(world, closed.participant)

    returning = engagement_open(
        referral=referral, supporter=world.supporter, actor=world.coordinator
    )

    assert returning.pk != closed.pk
    assert returning.previous == closed
    assert list(closed.returns.all()) == [returning]
    closed.refresh_from_db()
    assert closed.state == State.CLOSED


def test_the_database_also_blocks_a_second_open_engagement(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        open_engagement(world.participant, world.program, world.other_supporter, "onboarding")

    assert Engagement.objects.filter(participant=world.participant).count() == 1


def test_the_database_allows_any_number_of_closed_engagements(world):
    first = _closed_engagement(world)
    second = open_engagement(first.participant, world.program, world.supporter, State.CLOSED)

    assert Engagement.objects.filter(participant=first.participant).count() == 2
    assert second.state == State.CLOSED


def test_it_refuses_activation_through_exiting_without_required_agreements(world):
    from alongside.exits.services import exit_start

    engagement = open_engagement(world.other_participant, world.respite, world.supporter)
    engagement.state = State.ONBOARDING
    engagement.save()
    DocumentRequirement.objects.create(program=world.respite, template=world.release)
    exit_start(engagement=engagement, actor=world.supporter, reason="moved")
    with pytest.raises(RuleViolation, match="Release of Liability"):
        engagement_transition(engagement=engagement, to_state=State.ACTIVE, actor=world.supporter)
    engagement.refresh_from_db()
    assert engagement.state == State.EXITING


def test_going_back_to_active_withdraws_the_unfinished_exit(world):
    from alongside.exits.models import Exit
    from alongside.exits.services import exit_start

    exit_start(engagement=world.engagement, actor=world.supporter, reason="moved")
    onboarding_complete(world.engagement, world.supporter)
    engagement_transition(
        engagement=world.engagement,
        to_state=State.ACTIVE,
        actor=world.supporter,
        reason="Staying after all",
    )
    assert not Exit.objects.filter(engagement=world.engagement).exists()
    assert AuditEvent.objects.filter(action="exit.withdrawn").exists()
    exit_start(engagement=world.engagement, actor=world.supporter, reason="goals_met")
    world.engagement.refresh_from_db()
    assert world.engagement.exit.reason == "goals_met"
