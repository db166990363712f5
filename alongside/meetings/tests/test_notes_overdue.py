"""Overdue notes: held meetings past NOTE_DUE_HOURS without a finalized note."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alongside.engagements.models import State
from alongside.meetings.notes import NOTE_DUE_HOURS, notes_overdue
from alongside.meetings.tests.test_notes import held_meeting, write
from alongside.participants.models import Participant
from conftest import open_engagement

LATE = NOTE_DUE_HOURS + 1


def overdue_ids(world, persona: str = "supporter") -> set[int]:
    return set(notes_overdue(getattr(world, persona), world.org).values_list("pk", flat=True))


def test_the_due_time_is_48_hours():
    assert NOTE_DUE_HOURS == 48


def test_a_held_meeting_without_a_finalized_note_is_overdue_after_48_hours(world):
    no_note = held_meeting(world, hours_ago=LATE)
    draft = write(world, meeting=held_meeting(world, hours_ago=LATE)).meeting
    final = write(world, meeting=held_meeting(world, hours_ago=LATE), finalize=True).meeting
    recent = held_meeting(world, hours_ago=NOTE_DUE_HOURS - 1)
    missed = held_meeting(world, hours_ago=LATE, status="missed")

    rows = {m.pk: m for m in notes_overdue(world.supporter, world.org)}

    assert set(rows) == {no_note.pk, draft.pk}
    assert rows[draft.pk].has_draft is True
    assert rows[no_note.pk].has_draft is False
    assert final.pk not in rows and recent.pk not in rows and missed.pk not in rows


def test_the_oldest_overdue_meeting_comes_first(world):
    newer = held_meeting(world, hours_ago=LATE)
    older = held_meeting(world, hours_ago=LATE * 3)

    assert list(notes_overdue(world.supporter, world.org)) == [older, newer]


@pytest.mark.parametrize(
    ("persona", "sees_sunnys"),
    [
        ("supporter", True),
        ("supervisor", True),
        ("coordinator", True),
        ("other_supporter", False),
        ("participant_user", False),  # no notes.read: nothing, even of their own meetings
        ("admin", False),
        ("outsider", False),
    ],
)
def test_overdue_notes_are_scoped_by_the_permissions_module(world, persona, sees_sunnys):
    sunnys = held_meeting(world, hours_ago=LATE)
    omars = held_meeting(world, engagement=world.other_engagement, hours_ago=LATE)

    seen = overdue_ids(world, persona)

    assert (sunnys.pk in seen) is sees_sunnys
    if persona == "other_supporter":
        assert seen == {omars.pk}


def test_a_closed_engagement_has_no_overdue_notes(world):
    held_meeting(world, hours_ago=LATE)
    world.engagement.state = State.CLOSED
    world.engagement.closed_on = timezone.localdate()
    world.engagement.save()

    assert overdue_ids(world) == set()


def test_the_overdue_list_asks_the_same_number_of_queries_for_1_or_10_rows(world):
    def grow(n: int) -> None:
        for i in range(n):
            person = Participant.objects.create(organization=world.org, first_name=f"P{i}")
            engagement = open_engagement(person, world.program, world.supporter)
            held_meeting(world, engagement=engagement, hours_ago=LATE + i)
            write(world, meeting=held_meeting(world, engagement=engagement, hours_ago=LATE + i))

    def listed() -> int:
        # A fresh user object each time, so the roles cache does not hide a query.
        from alongside.accounts.models import User

        user = User.objects.get(pk=world.supporter.pk)
        with CaptureQueriesContext(connection) as queries:
            rows = list(notes_overdue(user, world.org)[:50])
            for row in rows:
                str(row.engagement.participant), str(row.engagement.supporter), row.has_draft
            notes_overdue(user, world.org).count()
        return len(queries)

    grow(1)
    one = listed()
    grow(9)
    ten = listed()

    assert one == ten
    assert len(notes_overdue(world.supporter, world.org)) == 20


def test_now_can_be_given_for_a_report_at_another_time(world):
    meeting = held_meeting(world, hours_ago=10)

    later = timezone.now() + datetime.timedelta(hours=NOTE_DUE_HOURS)

    assert meeting in notes_overdue(world.supporter, world.org, now=later)
    assert meeting not in notes_overdue(world.supporter, world.org)
