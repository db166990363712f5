"""The note pages over HTTP: who reaches them, the one-screen form, refusals, the portal."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from alongside.audit.models import AccessLog
from alongside.engagements.models import State
from alongside.meetings import notes
from alongside.meetings.models import Addendum, NextStep, Note, NoteStatus, StepOwner
from alongside.meetings.tests.test_notes import goal, held_meeting, write
from conftest import inline_scripts

EMPTY_ROWS = 3


def form_data(version=0, rows=EMPTY_ROWS, **fields) -> dict:
    """What the note form posts: its fields and the management form of its step rows."""
    data = {
        "version": version,
        "topics": "Job interview",
        "body": "Talked about the interview on Friday.",
        "steps-TOTAL_FORMS": rows,
        "steps-INITIAL_FORMS": rows,
        "steps-MIN_NUM_FORMS": 0,
        "steps-MAX_NUM_FORMS": 20,
    }
    for i in range(rows):
        data[f"steps-{i}-owner"] = StepOwner.PARTICIPANT
    data.update(fields)
    return data


def url(name: str, meeting) -> str:
    return reverse(f"notes:{name}", kwargs={"pk": meeting.pk})


@pytest.fixture
def sunny(client, world):
    client.force_login(world.supporter)
    return client


# --- who reaches which page ----------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "read", "write_page"),
    [
        ("supporter", 200, 200),
        ("coordinator", 200, 200),
        ("supervisor", 200, 403),  # supervisors read notes but do not write them
        ("other_supporter", 404, 404),
        ("outsider", 404, 404),
        ("participant_user", 403, 403),  # the portal shows summaries, never the note
        ("admin", 403, 403),
    ],
)
def test_who_reads_and_who_writes_a_note(client, world, persona, read, write_page):
    note = write(world, finalize=True)
    meeting = note.meeting
    client.force_login(getattr(world, persona))

    assert client.get(url("detail", meeting)).status_code == read
    assert client.get(url("write", meeting)).status_code == write_page
    assert client.get(url("addendum", meeting)).status_code == write_page
    finalize = client.post(url("finalize", meeting), {"version": note.version})
    assert finalize.status_code == (302 if write_page == 200 else write_page)


def test_anonymous_people_are_sent_to_sign_in(client, world):
    meeting = held_meeting(world)

    for name, method in (
        ("detail", client.get),
        ("write", client.get),
        ("addendum", client.get),
        ("finalize", client.post),
    ):
        response = method(url(name, meeting))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_the_supervisor_reads_the_whole_note_but_is_offered_no_writing(client, world):
    note = write(world, topics="Housing")
    client.force_login(world.supervisor)

    page = client.get(url("detail", note.meeting)).content.decode()

    assert "Talked about the job interview" in page
    assert "Housing" in page
    assert url("write", note.meeting) not in page
    assert url("finalize", note.meeting) not in page


def test_reading_a_note_is_written_to_the_access_log(sunny, world):
    note = write(world)

    sunny.get(url("detail", note.meeting))

    log = AccessLog.objects.get(what="meeting note")
    assert log.actor == world.supporter
    assert log.participant_ids == [world.participant.pk]


# --- the form ------------------------------------------------------------------------


def test_the_form_offers_the_engagements_goals_and_every_choice_on_one_page(sunny, world):
    walk = goal(world)
    goal(world, engagement=world.other_engagement, statement="Not Pat's goal")
    meeting = held_meeting(world)

    page = sunny.get(url("write", meeting)).content.decode()

    assert walk.statement in page
    assert "Not Pat&#x27;s goal" not in page and "Not Pat's goal" not in page
    for label in (
        "Weighing pros and cons",
        "Supporting follow-through",
        "Spiritual",
        "Envisioning a new future",
        "I shared from my own recovery",
        "Summary for the participant",
    ):
        assert label in page
    assert page.count('name="steps-') >= EMPTY_ROWS * 4
    assert inline_scripts(page) == []
    assert "style=" not in page


def test_a_supporter_saves_a_draft_from_the_form(sunny, world):
    walk = goal(world)
    meeting = held_meeting(world)

    response = sunny.post(
        url("write", meeting),
        form_data(
            goals=[walk.pk],
            techniques=["clarifying", "own_solutions"],
            wellness_dimensions=["social"],
            readiness_signals=["resolve"],
            **{
                "steps-0-text": "Call the landlord",
                "steps-0-owner": StepOwner.BOTH,
                "steps-0-due_on": "2030-01-15",
            },
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == url("detail", meeting)
    note = Note.objects.get(meeting=meeting)
    assert note.status == NoteStatus.DRAFT
    assert note.techniques == ["clarifying", "own_solutions"]
    assert list(note.goals.all()) == [walk]
    step = NextStep.objects.get(note=note)
    assert (step.text, step.owner, step.due_on) == (
        "Call the landlord",
        StepOwner.BOTH,
        datetime.date(2030, 1, 15),
    )
    page = sunny.get(url("detail", meeting)).content.decode()
    assert "Draft" in page and "Finish the note" in page


def test_save_and_finalize_signs_the_note(sunny, world):
    meeting = held_meeting(world)

    sunny.post(url("write", meeting), form_data(finalize="1"))

    note = Note.objects.get(meeting=meeting)
    assert note.is_final and note.finalized_by == world.supporter


def test_a_draft_is_finished_later_and_its_steps_are_kept(sunny, world):
    note = write(
        world,
        steps=[{"text": "Print the CV", "owner": StepOwner.PARTICIPANT, "due_on": None}],
    )
    step = note.steps.get()
    page = sunny.get(url("write", note.meeting)).content.decode()
    assert "Print the CV" in page

    sunny.post(
        url("write", note.meeting),
        form_data(
            version=note.version,
            rows=EMPTY_ROWS + 1,
            body="The whole story",
            **{
                "steps-0-id": step.pk,
                "steps-0-text": "Print two copies",
                "steps-0-owner": StepOwner.PARTICIPANT,
            },
        ),
    )

    note.refresh_from_db()
    assert note.body == "The whole story"
    assert list(note.steps.values_list("pk", "text")) == [(step.pk, "Print two copies")]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"techniques": ["mind_reading"]}, "Select a valid choice"),
        ({"wellness_dimensions": ["cosmic"]}, "Select a valid choice"),
        ({"readiness_signals": ["bored"]}, "Select a valid choice"),
        ({"shared_own_story": "on", "sharing_purpose": ""}, "for what purpose"),
        ({"body": ""}, "This field is required"),
        ({"steps-0-due_on": "2030-02-01"}, "Write the next step, or clear its date"),
        ({"steps-0-text": "Call", "steps-0-owner": "the cat"}, "Select a valid choice"),
        ({"steps-0-due_on": "tomorrow-ish", "steps-0-text": "Call"}, "Enter a valid date"),
        ({"goals": ["999999"]}, "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(sunny, world, fields, message):
    goal(world)
    meeting = held_meeting(world)

    response = sunny.post(url("write", meeting), form_data(**fields))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Note.objects.exists()


def test_a_form_without_its_step_rows_is_refused_not_crashed(sunny, world):
    meeting = held_meeting(world)

    response = sunny.post(url("write", meeting), {"version": 0, "body": "Hello"})

    assert response.status_code == 400
    assert not Note.objects.exists()


def test_a_stale_edit_shows_both_versions_and_overwrites_nothing(sunny, world):
    note = write(world)
    read_version = note.version
    notes.note_save(
        meeting=note.meeting,
        actor=world.supporter,
        expected_version=read_version,
        body="Saved from the other phone.",
    )

    response = sunny.post(
        url("write", note.meeting),
        form_data(version=read_version, body="Typed on this phone."),
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this note" in page
    assert "Saved from the other phone." in page
    assert "Typed on this phone." in page
    note.refresh_from_db()
    assert note.body == "Saved from the other phone."


def test_editing_a_finalized_note_is_refused_and_an_addendum_offered(sunny, world):
    note = write(world, finalize=True)

    page = sunny.get(url("write", note.meeting))
    posted = sunny.post(url("write", note.meeting), form_data(version=note.version, body="New"))

    assert page.status_code == 200
    assert "finalized and can no longer be changed" in page.content.decode()
    assert url("addendum", note.meeting) in page.content.decode()
    assert posted.status_code == 409
    note.refresh_from_db()
    assert note.body != "New"


def test_a_coordinator_cannot_change_the_authors_draft_while_the_author_is_there(client, world):
    note = write(world)
    client.force_login(world.coordinator)

    posted = client.post(url("write", note.meeting), form_data(version=note.version, body="X"))
    client.post(url("finalize", note.meeting), {"version": note.version})

    assert posted.status_code == 409
    assert "Only Sunny Demo" in posted.content.decode()
    note.refresh_from_db()
    assert note.body != "X" and note.status == NoteStatus.DRAFT


def test_a_meeting_that_was_not_held_offers_no_note(sunny, world):
    meeting = held_meeting(world, status="missed")

    response = sunny.post(url("write", meeting), form_data())

    assert response.status_code == 409
    assert "Only a meeting that was held" in response.content.decode()
    assert not Note.objects.exists()


def test_a_closed_engagement_takes_no_note_but_takes_an_addendum(sunny, world):
    final = write(world, finalize=True)
    open_meeting = held_meeting(world)
    world.engagement.state = State.CLOSED
    world.engagement.closed_on = timezone.localdate()
    world.engagement.save()

    refused = sunny.post(url("write", open_meeting), form_data())
    added = sunny.post(url("addendum", final.meeting), {"body": "Late correction."})

    assert refused.status_code == 409
    assert not Note.objects.filter(meeting=open_meeting).exists()
    assert added.status_code == 302
    assert final.addenda.get().body == "Late correction."


# --- finalize and addenda ------------------------------------------------------------


def test_the_finalize_button_signs_the_version_shown(sunny, world):
    note = write(world)

    response = sunny.post(url("finalize", note.meeting), {"version": note.version})

    assert response.status_code == 302
    note.refresh_from_db()
    assert note.is_final


def test_a_finalize_without_the_version_shown_is_refused(sunny, world):
    note = write(world)

    response = sunny.post(url("finalize", note.meeting), {"version": "x"}, follow=True)

    assert "Someone else changed this note" in response.content.decode()
    note.refresh_from_db()
    assert note.status == NoteStatus.DRAFT


def test_an_addendum_is_shown_under_the_note_with_its_author(sunny, world):
    note = write(world, finalize=True)

    response = sunny.post(url("addendum", note.meeting), {"body": "Forgot: the bus pass."})
    page = sunny.get(url("detail", note.meeting)).content.decode()

    assert response.status_code == 302
    assert "Forgot: the bus pass." in page
    assert page.index("Talked about the job interview") < page.index("Forgot: the bus pass.")
    assert "Sunny Demo" in page


def test_a_draft_takes_no_addendum_over_http(sunny, world):
    note = write(world)

    response = sunny.post(url("addendum", note.meeting), {"body": "More"})

    assert response.status_code == 409
    assert not Addendum.objects.exists()


def test_an_empty_addendum_is_refused(sunny, world):
    note = write(world, finalize=True)

    response = sunny.post(url("addendum", note.meeting), {"body": "   "})

    assert response.status_code == 400
    assert not Addendum.objects.exists()


def test_the_note_page_asks_the_same_number_of_queries_for_a_long_note(sunny, world):
    def note_with(n: int):
        goals = [goal(world, statement=f"Goal {i}") for i in range(n)]
        steps = [{"text": f"Step {i}", "owner": "both", "due_on": None} for i in range(n)]
        note = write(world, goals=[g.pk for g in goals], steps=steps, finalize=True)
        for i in range(n):
            notes.addendum_create(note=note, actor=world.supporter, body=f"Addendum {i}")
        return note

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (1, 10):
        note = note_with(n)
        with CaptureQueriesContext(connection) as queries:
            assert sunny.get(url("detail", note.meeting)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- the participant's portal ------------------------------------------------------------


def test_the_participant_sees_only_the_summary_of_finalized_notes(client, world):
    write(
        world,
        meeting=held_meeting(world, hours_ago=30),
        topics="Secret topic",
        body="Team-only body",
        techniques=["pros_cons"],
        readiness_signals=["resolve"],
        shared_own_story=True,
        sharing_purpose="Private purpose",
        summary="We made a plan for the interview.",
        finalize=True,
    )
    write(world, meeting=held_meeting(world, hours_ago=20), summary="Draft summary, unsigned")
    client.force_login(world.participant_user)

    page = client.get(reverse("portal:home")).content.decode()

    assert "We made a plan for the interview." in page
    for secret in (
        "Secret topic",
        "Team-only body",
        "Weighing pros and cons",
        "Expressing resolve",
        "Private purpose",
        "Draft summary, unsigned",
    ):
        assert secret not in page
