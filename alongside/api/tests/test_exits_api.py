"""Exits through the API: start (to exiting) with a kind, the concluding checklist, complete
(closed, read-only, refused while steps remain); staff only."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from alongside.api.tests.conftest import post_json
from alongside.audit.models import AccessLog, AuditEvent
from alongside.engagements.models import Engagement, State
from alongside.exits.models import Exit, ExitReason
from alongside.exits.services import exit_start
from alongside.exits.testing import checklist_done
from alongside.meetings.models import Meeting, Note
from alongside.participants.models import Participant
from alongside.surveys.testing import installed
from conftest import open_engagement

URL = "/api/v1/exits"
PERSONAS = [
    "admin",
    "coordinator",
    "supervisor",
    "supporter",
    "other_supporter",
    "participant_user",
    "outsider",
]
# Who reads Pat's exit: as the engagement page; the portal does not show it.
READ = {
    "admin": 403,
    "coordinator": 200,
    "supervisor": 200,
    "supporter": 200,
    "other_supporter": 404,
    "participant_user": 403,
    "outsider": 404,
}
COMPLETE = {**READ, "supervisor": 403}
START = {**COMPLETE, "coordinator": 201, "supporter": 201}


def an_exit(world, engagement=None, reason: str = ExitReason.GOALS_MET) -> Exit:
    return exit_start(
        engagement=engagement or world.engagement,
        actor=world.supporter,
        reason=reason,
        note="Talked it through.",
    )


def body(world, **changes) -> dict:
    return {"engagement": world.engagement.pk, "reason": "goals_met", "note": "Ready.", **changes}


def _state(world) -> str:
    world.engagement.refresh_from_db()
    return world.engagement.state


# Who may do what


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_list_exits(world, api_as, persona):
    exit_ = an_exit(world)

    response = api_as(getattr(world, persona)).get(URL)

    expected = {**READ, "other_supporter": 200, "outsider": 200}[persona]
    assert response.status_code == expected
    if expected == 200:
        ids = [item["id"] for item in response.json()["items"]]
        assert ids == ([exit_.pk] if READ[persona] == 200 else [])


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_read_an_exit(world, api_as, persona):
    exit_ = an_exit(world)

    response = api_as(getattr(world, persona)).get(f"{URL}/{exit_.pk}")

    assert response.status_code == READ[persona], response.content
    if READ[persona] == 200:
        assert response.json()["reason"] == "goals_met"
        assert response.json()["engagement_state"] == State.EXITING
    else:
        assert response.json()["detail"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_start_an_exit(world, api_as, persona):
    response = post_json(api_as(getattr(world, persona)), URL, body(world))

    assert response.status_code == START[persona], response.content
    started = START[persona] == 201
    assert Exit.objects.exists() == started
    assert _state(world) == (State.EXITING if started else State.ACTIVE)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_complete_an_exit(world, api_as, persona):
    exit_ = an_exit(world)
    checklist_done(world.engagement, world.supporter)

    response = post_json(api_as(getattr(world, persona)), f"{URL}/{exit_.pk}/complete", {})

    assert response.status_code == COMPLETE[persona], response.content
    done = COMPLETE[persona] == 200
    assert _state(world) == (State.CLOSED if done else State.EXITING)
    exit_.refresh_from_db()
    assert (exit_.completed_at is not None) == done


@pytest.mark.parametrize(
    ("method", "path"), [("get", ""), ("get", "/1"), ("post", ""), ("post", "/1/complete")]
)
def test_anonymous_callers_are_asked_to_sign_in(world, method, path):
    response = getattr(Client(), method)(URL + path, {}, content_type="application/json")

    assert response.status_code == 401


# Starting and completing


def test_the_supporter_starts_then_completes_an_exit_and_the_record_closes(world, api_as):
    client = api_as(world.supporter)

    started = post_json(client, URL, body(world))

    assert started.status_code == 201, started.content
    data = started.json()
    assert data["engagement_state"] == State.EXITING and data["completed_at"] is None
    assert data["started_by"] == world.supporter.pk and data["note"] == "Ready."
    assert _state(world) == State.EXITING

    assert data["kind"] == "planned" and data["missing"][0] == "The ending discussed together"
    assert [step["status"] for step in data["checklist"]] == ["open"] * 6
    installed("exit-survey")
    for step in [s["step"] for s in data["checklist"]]:
        ticked = post_json(client, f"{URL}/{data['id']}/steps", {"step": step, "note": "Yes."})
        assert ticked.status_code == 200, ticked.content
    assert ticked.json()["missing"] == []
    assert {s["status"] for s in ticked.json()["checklist"]} == {"done"}

    completed = post_json(client, f"{URL}/{data['id']}/complete", {"note": "Went well."})

    assert completed.status_code == 200, completed.content
    done = completed.json()
    assert done["engagement_state"] == State.CLOSED
    assert done["completed_by"] == world.supporter.pk
    assert done["note"] == "Ready.\n\nWent well."
    assert _state(world) == State.CLOSED
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"exit.started", "exit.completed"} <= actions
    # Each answer logs the read: start, the six steps, complete.
    assert AccessLog.objects.filter(what="api exit").count() == 8


def test_a_closed_engagement_is_read_only_after_the_exit(world, api_as):
    exit_ = an_exit(world)
    checklist_done(world.engagement, world.supporter)
    client = api_as(world.coordinator)
    assert post_json(client, f"{URL}/{exit_.pk}/complete", {}).status_code == 200

    again = post_json(client, f"{URL}/{exit_.pk}/complete", {"note": "Once more"})

    assert again.status_code == 409
    assert again.json()["detail"]
    exit_.refresh_from_db()
    assert "Once more" not in exit_.note


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": "bored"}, "reason"),
        ({"reason": None}, "reason"),
        ({"engagement": "mine"}, "engagement"),
        ({"note": "x" * 4001}, "note"),
        ({"kind": "sideways"}, "kind"),
        ({"kind": "planned", "reason": "death"}, "reason"),
        ({"reason": "other"}, "reason_detail"),
        ({"kind": "step_down"}, "step_down"),
        ({"kind": "step_down", "step_down_per_month": 0}, "step_down_per_month"),
    ],
)
def test_malformed_input_answers_422_and_starts_nothing(world, api_as, changes, field):
    response = post_json(api_as(world.coordinator), URL, body(world, **changes))

    assert response.status_code == 422
    assert field in response.json()["detail"]
    assert not Exit.objects.exists()
    assert _state(world) == State.ACTIVE


def test_an_exit_cannot_be_started_twice(world, api_as):
    exit_ = an_exit(world)

    response = post_json(api_as(world.coordinator), URL, body(world, reason="moved"))

    assert response.status_code == 409
    assert "already" in response.json()["detail"]
    assert list(Exit.objects.values_list("pk", "reason")) == [(exit_.pk, "goals_met")]


def test_a_closed_engagement_cannot_start_an_exit(world, api_as):
    Engagement.objects.filter(pk=world.engagement.pk).update(state=State.CLOSED)

    response = post_json(api_as(world.coordinator), URL, body(world))

    assert response.status_code == 409
    assert not Exit.objects.exists()
    assert _state(world) == State.CLOSED


@pytest.mark.parametrize("engagement", ["other_engagement", "foreign_engagement"])
def test_an_engagement_outside_the_callers_scope_answers_404(world, api_as, engagement):
    target = getattr(world, engagement)

    response = post_json(api_as(world.supporter), URL, body(world, engagement=target.pk))

    assert response.status_code == 404
    assert not Exit.objects.exists()
    target.refresh_from_db()
    assert target.state == State.ACTIVE


def test_an_unknown_exit_answers_404_and_completing_it_changes_nothing(world, api_as):
    client = api_as(world.coordinator)

    assert client.get(f"{URL}/999999").status_code == 404
    assert post_json(client, f"{URL}/999999/complete", {}).status_code == 404
    assert _state(world) == State.ACTIVE


def test_a_malformed_completion_answers_422_and_leaves_the_engagement_exiting(world, api_as):
    exit_ = an_exit(world)

    response = post_json(api_as(world.coordinator), f"{URL}/{exit_.pk}/complete", {"note": 5})

    assert response.status_code == 422
    assert _state(world) == State.EXITING


# Lists


def test_the_list_is_newest_first_filters_by_engagement_and_logs_the_read(world, api_as):
    first = an_exit(world)
    second = exit_start(
        engagement=world.other_engagement,
        actor=world.other_supporter,
        reason=ExitReason.MOVED,
    )
    client = api_as(world.coordinator)

    everything = client.get(URL).json()
    pats = client.get(URL, {"engagement": world.engagement.pk}).json()

    assert [item["id"] for item in everything["items"]] == [second.pk, first.pk]
    assert [item["id"] for item in pats["items"]] == [first.pk]
    assert pats["count"] == 1
    logged = AccessLog.objects.filter(what="api exits").order_by("pk").last()
    assert logged.participant_ids == [world.participant.pk]


def test_bad_paging_answers_422(world, api_as):
    assert api_as(world.coordinator).get(URL, {"offset": -1}).status_code == 422


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(URL, {"limit": 50}).status_code == 200
    return len(context.captured_queries)


def test_the_list_costs_the_same_queries_for_one_exit_or_ten(world, api_as):
    def add_exits(n: int) -> None:
        for i in range(n):
            person = Participant.objects.create(organization=world.org, first_name=f"P{i}")
            engagement = open_engagement(person, world.program, world.supporter)
            an_exit(world, engagement)
            checklist_done(engagement, world.supporter)

    add_exits(1)
    client = api_as(world.coordinator)
    client.get(URL)  # the first use of a token records when it was used
    one = _list_queries(client)
    add_exits(9)

    assert _list_queries(client) == one
    assert client.get(URL).json()["count"] == 10


# Kinds, the checklist, refusals


def test_a_step_down_starts_with_its_plan_and_answers_it(world, api_as):
    until = datetime.date.today() + datetime.timedelta(days=40)

    response = post_json(
        api_as(world.supporter),
        URL,
        body(
            world,
            kind="step_down",
            step_down_per_month=2,
            step_down_until=until.isoformat(),
        ),
    )

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["kind"], data["step_down_per_month"]) == ("step_down", 2)
    assert data["step_down_until"] == until.isoformat()
    assert any("step-down runs until" in m for m in data["missing"])


def test_completion_is_refused_409_with_what_remains(world, api_as):
    exit_ = an_exit(world)

    response = post_json(api_as(world.supporter), f"{URL}/{exit_.pk}/complete", {})

    assert response.status_code == 409
    assert "Before closing" in response.json()["detail"]
    assert response.json()["missing"][:2] == [
        "The ending discussed together",
        "Growth reflected on",
    ]
    assert _state(world) == State.EXITING


def test_an_abrupt_ending_closes_with_steps_that_could_not_be_done(world, api_as):
    exit_ = an_exit(world, reason="hospitalized")
    steps = [
        {"step": step, "status": "not_possible", "note": "In hospital."}
        for step in [
            "ending_discussed",
            "growth_reflected",
            "supports_connected",
            "way_back_explained",
            "exit_survey_offered",
            "records_finalized",
        ]
    ]

    response = post_json(api_as(world.supporter), f"{URL}/{exit_.pk}/complete", {"steps": steps})

    assert response.status_code == 200, response.content
    data = response.json()
    assert data["kind"] == "abrupt" and data["engagement_state"] == State.CLOSED
    assert {s["status"] for s in data["checklist"]} == {"not_possible"}
    assert data["missing"] == []


def test_a_planned_exit_cannot_mark_a_step_not_possible(world, api_as):
    exit_ = an_exit(world)

    response = post_json(
        api_as(world.supporter),
        f"{URL}/{exit_.pk}/steps",
        {"step": "growth_reflected", "status": "not_possible", "note": "No time."},
    )

    assert response.status_code == 409
    assert "abrupt" in response.json()["detail"]


def test_records_finalized_is_refused_while_a_note_is_a_draft(world, api_as):
    exit_ = an_exit(world)
    meeting = Meeting.objects.create(
        engagement=world.engagement,
        created_by=world.supporter,
        starts_at=exit_.started_at - datetime.timedelta(days=1),
        mode="phone",
    )
    Note.objects.create(meeting=meeting, author=world.supporter, body="draft")

    response = post_json(
        api_as(world.supporter), f"{URL}/{exit_.pk}/steps", {"step": "records_finalized"}
    )

    assert response.status_code == 409
    assert response.json()["missing"][0].startswith("Draft note")


@pytest.mark.parametrize(
    "payload", [{"step": "party"}, {"step": "growth_reflected", "status": "maybe"}, {}]
)
def test_a_malformed_step_answers_422(world, api_as, payload):
    exit_ = an_exit(world)

    response = post_json(api_as(world.supporter), f"{URL}/{exit_.pk}/steps", payload)

    assert response.status_code == 422


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_record_a_step(world, api_as, persona):
    exit_ = an_exit(world)

    response = post_json(
        api_as(getattr(world, persona)), f"{URL}/{exit_.pk}/steps", {"step": "growth_reflected"}
    )

    assert response.status_code == COMPLETE[persona], response.content
