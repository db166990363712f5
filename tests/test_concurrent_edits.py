"""Two people editing the same goal, note or emergency plan: one wins, the other is told.

Both open the edit page (so both hold the same version), both change it and save. The
first save is kept; the second answers 409 with a message, the other person's version
and their own typing still in the form, and overwrites nothing. On every database this
runs with the saves one after the other; on PostgreSQL it runs again with the two saves
sent at the same instant from two threads, each with its own connection.
"""

from __future__ import annotations

import threading
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from alongside.audit.models import AuditEvent
from alongside.emergencyplans.selectors import plan_for
from alongside.emergencyplans.testing import emergency_plan_give
from alongside.meetings.models import Note
from alongside.meetings.tests.test_notes import held_meeting, write
from alongside.plans.models import Goal
from alongside.plans.testing import a_goal


class _Form(HTMLParser):
    """The forms of a page with the values a browser would send untouched."""

    def __init__(self):
        super().__init__()
        self.forms, self.form, self.textarea, self.select = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.form = {}
            self.forms.append(self.form)
        elif self.form is None:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in ("submit", "file"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.form[a["name"]] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self.textarea = a["name"]
            self.form[self.textarea] = ""
        elif tag == "select" and a.get("name"):
            self.select = a["name"]
        elif tag == "option" and self.select and ("selected" in a or self.select not in self.form):
            self.form[self.select] = a.get("value", "")

    def handle_data(self, data):
        if self.textarea:
            self.form[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form":
            self.form = None


def opened(client: Client, url: str, field: str) -> dict:
    """Open the edit page as a person would: the form's values as shown."""
    response = client.get(url)
    assert response.status_code == 200
    reader = _Form()
    reader.feed(response.content.decode())
    return next(form for form in reader.forms if field in form)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# Each case: (who edits first, who second, the edit page of each, the field both change,
# and how to read the stored text back).


def goal_case(world):
    goal = a_goal(world.engagement, world.supporter, "Sleep better")
    url = reverse("plans:goal_edit", args=[goal.pk])
    return (
        signed_in(world.supporter),
        signed_in(world.coordinator),
        url,
        url,
        "statement",
        lambda: Goal.objects.get(pk=goal.pk).statement,
        lambda: AuditEvent.objects.filter(action="goal.updated", object_id=str(goal.pk)).count(),
    )


def note_case(world):
    # The same supporter on their phone and on a laptop: a draft is only its writer's.
    note = write(world, meeting=held_meeting(world), body="First draft.")
    url = reverse("notes:write", kwargs={"pk": note.meeting_id})
    return (
        signed_in(world.supporter),
        signed_in(world.supporter),
        url,
        url,
        "body",
        lambda: Note.objects.get(pk=note.pk).body,
        lambda: AuditEvent.objects.filter(action="note.updated", object_id=str(note.pk)).count(),
    )


def plan_case(world):
    # The participant in the portal and their supporter on the engagement's page.
    emergency_plan_give(world.participant, world.supporter)
    return (
        signed_in(world.participant_user),
        signed_in(world.supporter),
        reverse("portal:emergency_plan_edit"),
        reverse("emergencyplans:edit", args=[world.engagement.pk]),
        "helps",
        lambda: plan_for(world.participant.pk).current.helps,
        lambda: plan_for(world.participant.pk).version - 1,
    )


CASES = {"goal": goal_case, "note": note_case, "emergency plan": plan_case}


def _assert_one_won(responses, typed, stored, saves):
    codes = sorted(r.status_code for r in responses)
    assert codes == [302, 409], codes
    winner = typed[[r.status_code for r in responses].index(302)]
    loser_index = [r.status_code for r in responses].index(409)
    loser_page = responses[loser_index].content.decode()
    assert stored() == winner
    assert saves() == 1
    # Nothing silently lost: the refused person is told, and still has what they typed.
    assert "Someone else changed this" in loser_page or "meanwhile" in loser_page
    assert typed[loser_index] in loser_page


@pytest.mark.parametrize("case", CASES)
def test_of_two_saves_from_the_same_version_the_second_is_refused(case, world):
    first, second, first_url, second_url, field, stored, saves = CASES[case](world)
    forms = [opened(first, first_url, field), opened(second, second_url, field)]
    typed = ["Typed by the first person.", "Typed by the second person."]
    for form, text in zip(forms, typed, strict=True):
        form[field] = text

    responses = [first.post(first_url, forms[0]), second.post(second_url, forms[1])]

    assert [r.status_code for r in responses] == [302, 409]
    _assert_one_won(responses, typed, stored, saves)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("case", CASES)
def test_two_saves_at_the_same_instant_one_wins_one_is_told(case, world):
    if connection.vendor != "postgresql":
        pytest.skip(
            "two connections writing at once need PostgreSQL (the suite's SQLite "
            "test database is in memory, one connection)"
        )
    first, second, first_url, second_url, field, stored, saves = CASES[case](world)
    forms = [opened(first, first_url, field), opened(second, second_url, field)]
    typed = ["Typed by the first person.", "Typed by the second person."]
    for form, text in zip(forms, typed, strict=True):
        form[field] = text
    start = threading.Barrier(2, timeout=30)
    responses: list = [None, None]

    def save(i: int, client: Client, url: str) -> None:
        try:
            start.wait()
            responses[i] = client.post(url, forms[i])
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(0, first, first_url)),
        threading.Thread(target=save, args=(1, second, second_url)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert all(responses), "a save did not answer"
    _assert_one_won(responses, typed, stored, saves)
