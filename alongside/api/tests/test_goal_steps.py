"""Action steps and check-ins through the API, as on the goal's page."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from alongside.api.tests.conftest import post_json
from alongside.audit.models import AuditEvent
from alongside.engagements.models import Engagement, State
from alongside.plans.models import ActionStep, CheckIn
from alongside.plans.services import step_create
from alongside.plans.testing import a_goal

URL = "/api/v1/goals"


def patch(client: Client, path: str, data: dict, if_match: str | None = None):
    headers = {"If-Match": if_match} if if_match is not None else {}
    return client.patch(path, data, content_type="application/json", headers=headers)


def a_step(world, goal) -> ActionStep:
    return step_create(goal=goal, actor=world.supporter, text="Call the choir", owner="both")


def stored(step: ActionStep) -> tuple:
    step.refresh_from_db()
    return (step.version, step.text, step.notes, step.done_at)


def test_a_supporter_adds_a_step_and_the_goal_lists_it(world, api_as):
    goal = a_goal(world.engagement, world.supporter)
    client = api_as(world.supporter)

    response = post_json(
        client,
        f"{URL}/{goal.pk}/steps",
        {"text": "Call the choir", "owner": "participant", "due_on": "2030-01-10"},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["text"] == "Call the choir" and body["due_on"] == "2030-01-10"
    assert response["ETag"] == f'"{body["version"]}"'
    assert [s["id"] for s in client.get(f"{URL}/{goal.pk}").json()["steps"]] == [body["id"]]
    assert AuditEvent.objects.filter(action="goal.step_added").count() == 1


def test_a_step_is_changed_and_marked_done_together(world, api_as):
    step = a_step(world, a_goal(world.engagement, world.supporter))
    before = f'"{step.version}"'

    response = patch(
        api_as(world.supporter),
        f"{URL}/{step.goal_id}/steps/{step.pk}",
        {"notes": "Left a message.", "done": True},
        before,
    )

    assert response.status_code == 200, response.content
    assert response.json()["done"] is True and response.json()["notes"] == "Left a message."
    assert response["ETag"] == f'"{stored(step)[0]}"' != before


def test_a_step_change_needs_the_current_etag(world, api_as):
    step = a_step(world, a_goal(world.engagement, world.supporter))
    client = api_as(world.supporter)
    path = f"{URL}/{step.goal_id}/steps/{step.pk}"
    old = f'"{step.version}"'
    patch(client, path, {"notes": "First."}, old)
    before = stored(step)

    missing = patch(client, path, {"notes": "Second."})
    stale = patch(client, path, {"notes": "Second.", "done": True}, old)

    assert missing.status_code == 428
    assert stale.status_code == 412 and stale["ETag"] == f'"{before[0]}"'
    assert stored(step) == before


@pytest.mark.parametrize(
    "data",
    [{}, {"text": ""}, {"owner": "team"}, {"done": "nearly"}, {"text": None}, {"due": "x"}],
)
def test_bad_step_input_answers_422_and_changes_nothing(world, api_as, data):
    step = a_step(world, a_goal(world.engagement, world.supporter))
    before = stored(step)

    response = patch(
        api_as(world.supporter),
        f"{URL}/{step.goal_id}/steps/{step.pk}",
        data,
        f'"{before[0]}"',
    )

    assert response.status_code == 422, response.content
    assert stored(step) == before


def test_a_step_of_another_goal_is_404(world, api_as):
    goal = a_goal(world.engagement, world.supporter)
    other = a_goal(world.engagement, world.supporter, "Walk")
    step = a_step(world, other)

    response = patch(
        api_as(world.supporter), f"{URL}/{goal.pk}/steps/{step.pk}", {"notes": "x"}, '"1"'
    )

    assert response.status_code == 404


def test_a_closed_engagement_takes_no_steps_or_check_ins(world, api_as):
    goal = a_goal(world.engagement, world.supporter)
    Engagement.objects.filter(pk=world.engagement.pk).update(state=State.CLOSED)
    client = api_as(world.supporter)

    step = post_json(client, f"{URL}/{goal.pk}/steps", {"text": "x"})
    check_in = post_json(client, f"{URL}/{goal.pk}/check-ins", {"rating": 3})

    assert step.status_code == 409 and check_in.status_code == 409
    assert not ActionStep.objects.exists() and not CheckIn.objects.exists()


def test_a_check_in_is_recorded(world, api_as):
    goal = a_goal(world.engagement, world.supporter)

    response = post_json(
        api_as(world.supporter), f"{URL}/{goal.pk}/check-ins", {"rating": 4, "note": "Better."}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["rating"] == 4 and body["goal"] == goal.pk
    assert body["checked_on"] == timezone.localdate().isoformat()


@pytest.mark.parametrize(
    "data, status",
    [
        ({"rating": 6}, 422),
        ({"rating": "good"}, 422),
        ({"rating": 3, "mood": "ok"}, 422),
        (
            {
                "rating": 3,
                "checked_on": (timezone.localdate() + datetime.timedelta(days=2)).isoformat(),
            },
            409,
        ),
    ],
)
def test_a_bad_check_in_is_refused(world, api_as, data, status):
    goal = a_goal(world.engagement, world.supporter)

    response = post_json(api_as(world.supporter), f"{URL}/{goal.pk}/check-ins", data)

    assert response.status_code == status, response.content
    assert not CheckIn.objects.exists()


ACCESS = [
    ("coordinator", True),
    ("supporter", True),
    ("admin", 403),
    ("supervisor", 403),
    ("other_supporter", 404),
    ("participant_user", 403),
    ("outsider", 404),
]


@pytest.mark.parametrize("persona, status", ACCESS)
def test_who_may_write_steps_and_check_ins(world, api_as, persona, status):
    goal = a_goal(world.engagement, world.supporter)
    step = a_step(world, goal)
    client = api_as(getattr(world, persona))

    added = post_json(client, f"{URL}/{goal.pk}/steps", {"text": "x"})
    changed = patch(
        client, f"{URL}/{goal.pk}/steps/{step.pk}", {"notes": "x"}, f'"{step.version}"'
    )
    checked = post_json(client, f"{URL}/{goal.pk}/check-ins", {"rating": 3})

    if status is True:
        assert (added.status_code, changed.status_code, checked.status_code) == (201, 200, 201)
    else:
        assert {added.status_code, changed.status_code, checked.status_code} == {status}
        assert ActionStep.objects.count() == 1 and not CheckIn.objects.exists()


def test_anonymous_may_not_write_steps(world):
    goal = a_goal(world.engagement, world.supporter)

    assert post_json(Client(), f"{URL}/{goal.pk}/steps", {"text": "x"}).status_code == 401
