"""Notes of held meetings: drafts, finalizing (signing), addenda, and the rules around them."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alongside.accounts.models import Membership
from alongside.audit.models import AuditEvent
from alongside.core.errors import RuleViolation, StaleEdit
from alongside.engagements.models import State
from alongside.meetings import notes
from alongside.meetings.models import (
    Addendum,
    Meeting,
    MeetingStatus,
    Mode,
    NextStep,
    Note,
    NoteStatus,
    ReadinessSignal,
    StepOwner,
    Technique,
)
from alongside.meetings.services import meeting_log
from alongside.plans.models import Goal, WellnessDimension


def held_meeting(world, engagement=None, hours_ago: float = 3, **fields) -> Meeting:
    engagement = engagement or world.engagement
    return Meeting.objects.create(
        engagement=engagement,
        starts_at=timezone.now() - datetime.timedelta(hours=hours_ago),
        duration_minutes=50,
        mode=Mode.IN_PERSON,
        created_by=engagement.supporter,
        **fields,
    )


def goal(world, engagement=None, statement="Walk to the park twice a week") -> Goal:
    return Goal.objects.create(
        engagement=engagement or world.engagement,
        statement=statement,
        wellness_dimension=WellnessDimension.PHYSICAL,
        created_by=world.supporter,
    )


def write(world, meeting=None, actor=None, expected_version=0, **changes) -> Note:
    meeting = meeting or held_meeting(world)
    content = {"body": "Talked about the job interview on Friday."}
    content.update(changes)
    return notes.note_save(
        meeting=meeting,
        actor=actor or world.supporter,
        expected_version=expected_version,
        **content,
    )


# --- writing -------------------------------------------------------------------------


def test_a_supporter_writes_a_structured_draft_of_a_held_meeting(world):
    walk = goal(world)
    note = write(
        world,
        topics="Job interview, sleep",
        goals=[walk.pk],
        techniques=[Technique.PROS_CONS, Technique.CLARIFYING],
        wellness_dimensions=[WellnessDimension.OCCUPATIONAL],
        readiness_signals=[ReadinessSignal.WANTS_PLAN],
        shared_own_story=True,
        sharing_purpose="To show interviews can be survived",
        summary="We talked about Friday's interview.",
        steps=[
            {"text": "Print the CV", "owner": StepOwner.PARTICIPANT, "due_on": None},
            {"text": "", "owner": StepOwner.PARTICIPANT, "due_on": None},
            {"text": "Find bus times", "owner": StepOwner.BOTH, "due_on": timezone.localdate()},
        ],
    )

    note.refresh_from_db()
    assert note.status == NoteStatus.DRAFT
    assert note.author == world.supporter
    assert note.finalized_at is None
    # Stored in the order of the choices, whatever order they came in.
    assert note.techniques == [Technique.CLARIFYING, Technique.PROS_CONS]
    assert list(note.goals.all()) == [walk]
    assert [(s.text, s.owner) for s in note.steps.order_by("id")] == [
        ("Print the CV", StepOwner.PARTICIPANT),
        ("Find bus times", StepOwner.BOTH),
    ]
    event = AuditEvent.objects.get(action="note.created", object_id=str(note.pk))
    assert event.data["meeting"] == note.meeting_id


@pytest.mark.parametrize(
    "status", [MeetingStatus.PLANNED, MeetingStatus.MISSED, MeetingStatus.CANCELLED]
)
def test_only_a_held_meeting_has_a_note(world, status):
    meeting = held_meeting(world, status=status)

    with pytest.raises(RuleViolation, match="Only a meeting that was held"):
        write(world, meeting=meeting)

    assert not Note.objects.exists()


def test_a_meeting_has_one_note_and_a_second_new_one_is_refused_as_stale(world):
    first = write(world)

    with pytest.raises(StaleEdit):
        write(world, meeting=first.meeting, body="A second note of the same meeting")

    assert Note.objects.get().body == first.body


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("techniques", ["mind reading"]),
        ("wellness_dimensions", ["cosmic"]),
        ("readiness_signals", ["resolve", "bored"]),
    ],
)
def test_unknown_choices_are_refused_with_a_message_and_nothing_is_saved(world, field, value):
    events = AuditEvent.objects.count()

    with pytest.raises(ValidationError) as refused:
        write(world, **{field: value})

    assert "from the list" in str(refused.value.message_dict[field])
    assert not Note.objects.exists()
    assert AuditEvent.objects.count() == events


def test_sharing_from_ones_own_recovery_needs_a_purpose(world):
    with pytest.raises(ValidationError) as refused:
        write(world, shared_own_story=True, sharing_purpose="  ")

    assert "for what purpose" in str(refused.value.message_dict["sharing_purpose"])
    assert not Note.objects.exists()


def test_a_purpose_without_sharing_is_refused_rather_than_dropped(world):
    with pytest.raises(ValidationError, match="I shared from my own recovery"):
        write(world, shared_own_story=False, sharing_purpose="To show it can be done")

    assert not Note.objects.exists()


def test_a_note_needs_what_happened(world):
    with pytest.raises(ValidationError) as refused:
        write(world, body="   ")

    assert "body" in refused.value.message_dict
    assert not Note.objects.exists()


def test_goals_of_another_engagement_are_refused(world):
    elsewhere = goal(world, engagement=world.other_engagement)

    with pytest.raises(ValidationError) as refused:
        write(world, goals=[elsewhere.pk])

    assert "goals" in refused.value.message_dict
    assert not Note.objects.exists()


@pytest.mark.parametrize(
    "row",
    [
        {"text": "Call the clinic", "owner": "the cat", "due_on": None},
        {"text": "", "owner": StepOwner.PARTICIPANT, "due_on": datetime.date(2030, 1, 1)},
        {"text": "x" * 501, "owner": StepOwner.PARTICIPANT, "due_on": None},
    ],
    ids=["unknown owner", "date without a step", "too long"],
)
def test_a_bad_next_step_is_refused_and_nothing_is_saved(world, row):
    with pytest.raises(ValidationError) as refused:
        write(world, steps=[row])

    assert "steps" in refused.value.message_dict
    assert not Note.objects.exists()
    assert not NextStep.objects.exists()


def test_a_note_cannot_be_written_in_a_closed_engagement(world):
    meeting = held_meeting(world)
    world.engagement.state = State.CLOSED
    world.engagement.closed_on = timezone.localdate()
    world.engagement.save()

    with pytest.raises(RuleViolation, match="closed"):
        write(world, meeting=meeting)

    assert not Note.objects.exists()


# --- drafts and versions ---------------------------------------------------------------


def test_a_draft_is_edited_again_with_the_version_read(world):
    step = {"text": "Print the CV", "owner": StepOwner.PARTICIPANT, "due_on": None}
    note = write(world, steps=[step])
    kept = note.steps.get()
    kept.done_at = timezone.now()
    kept.save()

    edited = write(
        world,
        meeting=note.meeting,
        expected_version=note.version,
        body="Talked about the interview; it went well.",
        steps=[
            {**step, "id": kept.pk, "text": "Print two copies of the CV"},
            {"text": "Celebrate", "owner": StepOwner.BOTH, "due_on": None},
        ],
    )

    assert edited.pk == note.pk
    assert edited.version == note.version + 1
    assert edited.body == "Talked about the interview; it went well."
    kept.refresh_from_db()
    assert kept.text == "Print two copies of the CV"
    assert kept.done_at is not None  # a kept step keeps when it was done
    assert edited.steps.count() == 2
    assert edited.history.first().history_user == world.supporter
    assert AuditEvent.objects.filter(action="note.updated", object_id=str(note.pk)).exists()


def test_a_stale_edit_is_refused_and_the_stored_note_stays(world):
    note = write(world)
    write(world, meeting=note.meeting, expected_version=note.version, body="Their version")

    with pytest.raises(StaleEdit):
        write(world, meeting=note.meeting, expected_version=note.version, body="My version")

    note.refresh_from_db()
    assert note.body == "Their version"


def test_an_edit_without_a_version_of_an_existing_note_is_stale(world):
    note = write(world)

    with pytest.raises(StaleEdit):
        write(world, meeting=note.meeting, expected_version=None, body="Blind overwrite")

    note.refresh_from_db()
    assert note.body != "Blind overwrite"


def test_the_differences_show_the_stored_text_beside_the_typed_one(world):
    note = write(world, topics="Sleep", techniques=[Technique.CLARIFYING])

    rows = notes.note_differences(
        note,
        {
            "topics": "Sleep",
            "body": "Something else entirely",
            "techniques": [Technique.CLARIFYING, Technique.INFORMATION],
            "steps": [{"text": "Call", "owner": StepOwner.SUPPORTER, "due_on": None}],
        },
    )

    by_label = {row["label"]: row for row in rows}
    assert "Topics" not in by_label
    assert by_label["Note"]["stored"] == note.body
    assert by_label["Note"]["typed"] == "Something else entirely"
    assert by_label["Techniques used"]["typed"] == (
        "Clarifying issues, Supplying information and resources"
    )
    assert by_label["Next steps"]["typed"] == "Call (Peer supporter)"


def test_meeting_log_notes_are_drafts_to_finish_later(world):
    meeting = meeting_log(
        engagement=world.engagement,
        actor=world.supporter,
        starts_at=timezone.now() - datetime.timedelta(hours=2),
        duration_minutes=30,
        mode=Mode.PHONE,
        note_body="Quick call about housing.",
        next_steps="Send the form",
    )

    note = meeting.note
    assert note.status == NoteStatus.DRAFT
    finished = write(
        world,
        meeting=meeting,
        expected_version=note.version,
        body=note.body,
        topics="Housing",
        finalize=True,
    )
    assert finished.is_final
    assert finished.next_steps == "Send the form"  # the legacy text is kept as written


# --- finalizing ----------------------------------------------------------------------


def test_the_author_finalizes_a_draft_and_signs_it(world):
    note = write(world)

    final = notes.note_finalize(note=note, actor=world.supporter, expected_version=note.version)

    assert final.status == NoteStatus.FINAL
    assert final.finalized_by == world.supporter
    assert final.finalized_at is not None
    assert AuditEvent.objects.filter(action="note.finalized", object_id=str(note.pk)).exists()


def test_saving_and_finalizing_at_once_signs_the_note(world):
    note = write(world, finalize=True)

    assert note.is_final
    assert note.finalized_by == world.supporter


def test_a_finalized_note_is_never_edited(world):
    note = write(world, finalize=True)

    with pytest.raises(RuleViolation, match="Add an addendum instead"):
        write(world, meeting=note.meeting, expected_version=note.version, body="Changed")
    with pytest.raises(RuleViolation, match="Add an addendum instead"):
        notes.note_finalize(note=note, actor=world.supporter, expected_version=note.version)

    note.refresh_from_db()
    assert note.body != "Changed"


def test_someone_else_cannot_edit_or_finalize_the_authors_draft(world):
    note = write(world)

    for actor in (world.coordinator, world.other_supporter):
        with pytest.raises(RuleViolation, match="Only Sunny Demo, who wrote this note"):
            notes.note_finalize(note=note, actor=actor, expected_version=note.version)
        with pytest.raises(RuleViolation, match="Only Sunny Demo"):
            write(world, meeting=note.meeting, actor=actor, expected_version=note.version)

    note.refresh_from_db()
    assert note.status == NoteStatus.DRAFT


@pytest.mark.parametrize("how", ["deactivated", "left the organization", "reassigned"])
def test_a_coordinator_finalizes_a_draft_when_the_author_is_gone(world, how):
    note = write(world)
    if how == "deactivated":
        world.supporter.is_active = False
        world.supporter.save()
    elif how == "left the organization":
        Membership.objects.filter(user=world.supporter).delete()
    else:
        world.engagement.supporter = world.other_supporter
        world.engagement.save()
    note = Note.objects.get(pk=note.pk)

    final = notes.note_finalize(note=note, actor=world.coordinator, expected_version=note.version)

    assert final.is_final
    assert final.finalized_by == world.coordinator
    assert final.author == world.supporter
    # Another supporter is still not the one to sign it.
    with pytest.raises(RuleViolation):
        notes.note_finalize(note=note, actor=world.other_supporter, expected_version=1)


def test_a_stale_finalize_is_refused(world):
    note = write(world)
    write(world, meeting=note.meeting, expected_version=note.version, body="Changed meanwhile")

    with pytest.raises(StaleEdit):
        notes.note_finalize(note=note, actor=world.supporter, expected_version=note.version)

    note.refresh_from_db()
    assert note.status == NoteStatus.DRAFT


# --- addenda -------------------------------------------------------------------------


def test_addenda_are_appended_to_a_finalized_note(world):
    note = write(world, finalize=True)

    first = notes.addendum_create(note=note, actor=world.supporter, body="Forgot: bus pass.")
    second = notes.addendum_create(note=note, actor=world.coordinator, body="Called back.")

    assert list(note.addenda.all()) == [first, second]
    assert first.author == world.supporter
    assert first.created_at is not None
    assert AuditEvent.objects.filter(action="note.addendum_added").count() == 2


def test_a_draft_takes_no_addendum(world):
    note = write(world)

    with pytest.raises(RuleViolation, match="still a draft"):
        notes.addendum_create(note=note, actor=world.supporter, body="More")

    assert not Addendum.objects.exists()


def test_an_empty_addendum_is_refused(world):
    note = write(world, finalize=True)

    with pytest.raises(ValidationError):
        notes.addendum_create(note=note, actor=world.supporter, body="  ")

    assert not Addendum.objects.exists()


def test_a_closed_engagement_still_takes_an_addendum(world):
    note = write(world, finalize=True)
    world.engagement.state = State.CLOSED
    world.engagement.closed_on = timezone.localdate()
    world.engagement.save()

    notes.addendum_create(note=note, actor=world.supporter, body="Late correction.")

    assert note.addenda.count() == 1


# --- readiness -----------------------------------------------------------------------


def test_readiness_is_not_recorded_without_signals(world):
    write(world)

    assert notes.readiness_recorded(world.engagement) is False
    assert notes.readiness_signals_for(world.engagement) == []


def test_readiness_signals_of_drafts_and_finalized_notes_both_count(world):
    older = held_meeting(world, hours_ago=72)
    write(world, meeting=older, readiness_signals=[ReadinessSignal.RESOLVE], finalize=True)
    newer = held_meeting(world, hours_ago=2)
    write(
        world,
        meeting=newer,
        readiness_signals=[ReadinessSignal.RESOLVE, ReadinessSignal.NEW_FUTURE],
    )
    write(world, meeting=held_meeting(world, engagement=world.other_engagement))

    assert notes.readiness_recorded(world.engagement) is True
    assert notes.readiness_recorded(world.other_engagement) is False
    signals = notes.readiness_signals_for(world.engagement)
    assert [(row["signal"], row["count"]) for row in signals] == [
        (ReadinessSignal.RESOLVE, 2),
        (ReadinessSignal.NEW_FUTURE, 1),
    ]
    assert signals[0]["last_seen"] == newer.starts_at
    assert signals[0]["label"] == "Expressing resolve"


# --- participant-facing summary ---------------------------------------------------------


def test_only_summaries_of_finalized_notes_reach_the_participant(world):
    final = write(world, summary="We planned the week.", finalize=True)
    draft = write(world, summary="Not signed yet.")
    silent = write(world, summary="", finalize=True)

    ids = [final.meeting_id, draft.meeting_id, silent.meeting_id]
    summaries = notes.participant_summaries(ids)

    assert summaries == {final.meeting_id: "We planned the week."}
