"""Goals through the API: scope, stages and steps, ETag / If-Match, the readiness prompt."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alongside.api import goals as goals_api
from alongside.api.tests.conftest import post_json
from alongside.audit.models import AccessLog
from alongside.meetings.notes import note_save
from alongside.meetings.services import meeting_log
from alongside.plans.models import Goal, GoalStage
from alongside.plans.services import goal_update, step_create
from alongside.plans.testing import a_goal

URL = "/api/v1/goals"
PERSONAS = [
    "admin",
    "coordinator",
    "supervisor",
    "supporter",
    "other_supporter",
    "participant_user",
    "outsider",
]


def body(world, **changes) -> dict:
    values = {
        "engagement": world.engagement.pk,
        "statement": "Get back to the choir",
        "wellness_dimension": "social",
        "approach": "not_applicable",
        "why_it_matters": "Singing is where I feel like me.",
        "strengths": "My sister drives me.",
        "measure": "Two rehearsals a month",
    }
    values.update(changes)
    return values


def patch(client: Client, path: str, data: dict, if_match: str | None = None):
    headers = {"If-Match": if_match} if if_match is not None else {}
    return client.patch(path, data, content_type="application/json", headers=headers)


def tag(goal: Goal) -> str:
    goal.refresh_from_db()
    return f'"{goal.version}"'


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


def readiness_noted(world) -> None:
    meeting = meeting_log(
        engagement=world.engagement,
        actor=world.supporter,
        starts_at=timezone.now() - datetime.timedelta(days=1),
        duration_minutes=30,
        mode="phone",
    )
    note_save(
        meeting=meeting,
        actor=world.supporter,
        expected_version=0,
        body="Pat talked about wanting a plan.",
        readiness_signals=["wants_plan"],
    )


# Listing and reading


def test_the_supporter_lists_the_goals_of_her_participants_only(world, api_as):
    mine = a_goal(world.engagement, world.supporter, stage="contemplation")
    a_goal(world.other_engagement, world.other_supporter)

    response = api_as(world.supporter).get(URL)

    assert response.status_code == 200
    assert ids(response) == [mine.pk]
    item = response.json()["items"][0]
    assert item["statement"] == "Walk to the park twice a week"
    assert item["participant"] == world.participant.pk
    assert item["stage"] == "contemplation"
    assert [s["stage"] for s in item["stages"]] == ["contemplation"]
    assert AccessLog.objects.get(what="api goals").participant_ids == [world.participant.pk]


def test_the_list_filters_by_engagement(world, api_as):
    mine = a_goal(world.engagement, world.supporter)
    others = a_goal(world.other_engagement, world.other_supporter)
    client = api_as(world.coordinator)

    assert sorted(ids(client.get(URL))) == sorted([mine.pk, others.pk])
    assert ids(client.get(URL, {"engagement": world.other_engagement.pk})) == [others.pk]
    assert ids(api_as(world.supervisor).get(URL)) == [mine.pk]


def test_a_read_answers_the_stage_history_and_steps_with_an_etag(world, api_as):
    goal = a_goal(world.engagement, world.supporter, stage="precontemplation")
    goal = goal_update(
        goal=goal,
        actor=world.supporter,
        expected_version=goal.version,
        stage="contemplation",
        stage_note="Asked what a good week would look like",
    )
    step = step_create(goal=goal, actor=world.supporter, text="Call the choir", owner="both")

    response = api_as(world.supporter).get(f"{URL}/{goal.pk}")

    assert response.status_code == 200
    assert response["ETag"] == f'"{goal.version}"'
    data = response.json()
    assert data["version"] == goal.version
    assert data["stage"] == "contemplation"
    assert [(s["stage"], s["note"]) for s in data["stages"]] == [
        ("precontemplation", ""),
        ("contemplation", "Asked what a good week would look like"),
    ]
    assert data["stages"][0]["recorded_by"] == world.supporter.pk
    assert data["steps"] == [
        {
            "id": step.pk,
            "text": "Call the choir",
            "owner": "both",
            "due_on": None,
            "done": False,
            "done_at": None,
            "notes": "",
            "version": 1,
        }
    ]
    assert "prompt" not in data
    assert AccessLog.objects.get(what="api goal").participant_ids == [world.participant.pk]


def test_a_participant_token_reads_their_own_goals_without_the_stage_notes(world, api_as):
    goal = a_goal(
        world.engagement, world.supporter, stage="contemplation", stage_note="Seems unsure"
    )
    others = a_goal(world.other_engagement, world.other_supporter)
    client = api_as(world.participant_user)

    assert ids(client.get(URL)) == [goal.pk]
    read = client.get(f"{URL}/{goal.pk}").json()
    assert read["stages"][0]["stage"] == "contemplation"
    assert read["stages"][0]["note"] is None
    assert "Seems unsure" not in client.get(URL).content.decode()
    assert client.get(f"{URL}/{others.pk}").status_code == 404


# Who may do what


READ = {
    "admin": 403,
    "coordinator": 200,
    "supervisor": 200,
    "supporter": 200,
    "other_supporter": 404,
    "participant_user": 200,
    "outsider": 404,
}
LIST = {**READ, "other_supporter": 200, "outsider": 200}
WRITE = {**READ, "supervisor": 403, "participant_user": 403}
CREATE = {**WRITE, "coordinator": 201, "supporter": 201}


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_list(world, api_as, persona):
    a_goal(world.engagement, world.supporter)

    assert api_as(getattr(world, persona)).get(URL).status_code == LIST[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_read(world, api_as, persona):
    goal = a_goal(world.engagement, world.supporter)

    assert api_as(getattr(world, persona)).get(f"{URL}/{goal.pk}").status_code == READ[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_write_a_goal(world, api_as, persona):
    response = post_json(api_as(getattr(world, persona)), URL, body(world))

    assert response.status_code == CREATE[persona]
    assert Goal.objects.count() == (1 if CREATE[persona] == 201 else 0)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_change_a_goal(world, api_as, persona):
    goal = a_goal(world.engagement, world.supporter)

    response = patch(
        api_as(getattr(world, persona)), f"{URL}/{goal.pk}", {"measure": "Weekly"}, tag(goal)
    )

    assert response.status_code == WRITE[persona]
    goal.refresh_from_db()
    assert (goal.measure == "Weekly") == (WRITE[persona] == 200)


@pytest.mark.parametrize(
    ("method", "path"), [("get", ""), ("get", "/{pk}"), ("post", ""), ("patch", "/{pk}")]
)
def test_anonymous_callers_are_asked_to_sign_in(world, method, path):
    goal = a_goal(world.engagement, world.supporter)

    response = getattr(Client(), method)(
        URL + path.format(pk=goal.pk), {}, content_type="application/json"
    )

    assert response.status_code == 401


# Writing


def test_the_supporter_writes_down_a_goal(world, api_as):
    response = post_json(
        api_as(world.supporter), URL, body(world, stage="contemplation", stage_note="Curious")
    )

    assert response.status_code == 201, response.json()
    data = response.json()
    goal = Goal.objects.get(pk=data["id"])
    assert response["ETag"] == f'"{goal.version}"'
    assert goal.statement == "Get back to the choir"
    assert goal.created_by == world.supporter
    assert [(s["stage"], s["note"]) for s in data["stages"]] == [("contemplation", "Curious")]
    assert data["prompt"] == ""


def test_a_new_goal_in_planning_without_readiness_gets_the_gentle_prompt(world, api_as):
    response = post_json(api_as(world.supporter), URL, body(world, stage="preparation"))

    assert response.status_code == 201
    assert "Ask-Share-Ask" in response.json()["prompt"]
    assert Goal.objects.get().stage == "preparation"


def test_a_move_to_planning_without_readiness_is_saved_with_the_prompt(world, api_as):
    goal = a_goal(world.engagement, world.supporter, stage="contemplation")

    response = patch(
        api_as(world.supporter),
        f"{URL}/{goal.pk}",
        {"stage": "preparation", "stage_note": "Wants to start"},
        tag(goal),
    )

    assert response.status_code == 200, response.json()
    assert "Ask-Share-Ask" in response.json()["prompt"]
    goal.refresh_from_db()
    assert goal.stage == "preparation"
    assert list(goal.stages.values_list("stage", "note")) == [
        ("contemplation", ""),
        ("preparation", "Wants to start"),
    ]
    assert response["ETag"] == f'"{goal.version}"'


def test_with_a_readiness_signal_recorded_there_is_no_prompt(world, api_as):
    readiness_noted(world)
    goal = a_goal(world.engagement, world.supporter, stage="contemplation")

    response = patch(api_as(world.supporter), f"{URL}/{goal.pk}", {"stage": "action"}, tag(goal))

    assert response.status_code == 200
    assert response.json()["prompt"] == ""


def test_a_patch_changes_only_what_it_sends(world, api_as):
    goal = a_goal(world.engagement, world.supporter, measure="Twice a week", stage="action")

    response = patch(
        api_as(world.coordinator),
        f"{URL}/{goal.pk}",
        {
            "statement": "  Walk to the river  ",
            "wellness_dimension": "emotional",
            "approach": "harm_reduction",
            "why_it_matters": "Clears my head",
            "strengths": "A dog",
            "status": "achieved",
        },
        tag(goal),
    )

    assert response.status_code == 200, response.json()
    goal.refresh_from_db()
    assert goal.statement == "Walk to the river"
    assert (goal.wellness_dimension, goal.approach, goal.status) == (
        "emotional",
        "harm_reduction",
        "achieved",
    )
    assert goal.measure == "Twice a week"
    assert goal.stage == "action"
    assert goal.stages.count() == 1
    assert response.json()["prompt"] == ""


def test_a_patch_without_if_match_answers_428_and_changes_nothing(world, api_as):
    goal = a_goal(world.engagement, world.supporter)
    version = goal.version

    response = patch(api_as(world.supporter), f"{URL}/{goal.pk}", {"measure": "Weekly"})

    assert response.status_code == 428
    assert f'"{version}"' in response.json()["detail"]
    goal.refresh_from_db()
    assert (goal.version, goal.measure) == (version, "")


def test_a_stale_patch_answers_412_and_changes_nothing(world, api_as):
    goal = a_goal(world.engagement, world.supporter)
    client = api_as(world.supporter)
    etag = client.get(f"{URL}/{goal.pk}")["ETag"]
    assert patch(client, f"{URL}/{goal.pk}", {"measure": "Mine"}, etag).status_code == 200

    response = patch(client, f"{URL}/{goal.pk}", {"measure": "Theirs", "stage": "action"}, etag)

    assert response.status_code == 412
    assert "changed this goal" in response.json()["detail"]
    goal.refresh_from_db()
    assert response["ETag"] == f'"{goal.version}"'  # what to read now
    assert goal.measure == "Mine"
    assert not GoalStage.objects.filter(goal=goal).exists()


def test_a_stale_edit_found_inside_the_service_answers_412(world, api_as, monkeypatch):
    """Someone saves between our If-Match check and the service's locked re-check."""
    goal = a_goal(world.engagement, world.supporter)
    etag = tag(goal)
    real = goals_api.goal_update

    def racing(**kwargs):
        Goal.objects.filter(pk=goal.pk).update(version=F("version") + 1)
        return real(**kwargs)

    monkeypatch.setattr(goals_api, "goal_update", racing)

    response = patch(api_as(world.supporter), f"{URL}/{goal.pk}", {"stage": "action"}, etag)

    assert response.status_code == 412
    assert f'"{goal.version + 1}"' in response.json()["detail"]
    assert response["ETag"] == f'"{goal.version + 1}"'
    goal.refresh_from_db()
    assert goal.stage == ""
    assert not goal.stages.exists()


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"statement": ""}, "statement"),
        ({"statement": 42}, "statement"),
        ({"statement": "x" * 2001}, "statement"),
        ({"wellness_dimension": "cosmic"}, "wellness_dimension"),
        ({"approach": "cold turkey"}, "approach"),
        ({"stage": "denial"}, "stage"),
        ({"engagement": None}, "engagement"),
        ({"measure": "bad\x00byte"}, "NUL"),
    ],
)
def test_bad_input_to_create_answers_422_and_saves_nothing(world, api_as, changes, says):
    response = post_json(api_as(world.supporter), URL, body(world, **changes))

    assert response.status_code == 422
    assert says in response.json()["detail"]
    assert Goal.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"statement": None}, "statement"),
        ({"statement": " "}, "statement"),
        ({"status": "abandoned"}, "status"),
        ({"stage": ""}, "stage"),
        ({"stage_note": "A note without a stage"}, "stage"),
        ({"wellness_dimension": ["social"]}, "wellness_dimension"),
    ],
)
def test_bad_input_to_a_patch_answers_422_and_changes_nothing(world, api_as, changes, says):
    goal = a_goal(world.engagement, world.supporter)
    version = goal.version

    response = patch(api_as(world.supporter), f"{URL}/{goal.pk}", changes, tag(goal))

    assert response.status_code == 422
    assert says in response.json()["detail"]
    goal.refresh_from_db()
    assert goal.version == version


@pytest.mark.parametrize("engagement", ["unknown", "other", "foreign"])
def test_an_engagement_one_may_not_see_answers_404(world, api_as, engagement):
    pk = {
        "unknown": 10**9,
        "other": world.other_engagement.pk,
        "foreign": world.foreign_engagement.pk,
    }[engagement]

    response = post_json(api_as(world.supporter), URL, body(world, engagement=pk))

    assert response.status_code == 404
    assert Goal.objects.count() == 0


def test_a_closed_engagement_is_read_only(world, api_as):
    goal = a_goal(world.engagement, world.supporter)
    world.engagement.state = "closed"
    world.engagement.closed_on = timezone.localdate()
    world.engagement.save()
    client = api_as(world.supporter)

    created = post_json(client, URL, body(world))
    changed = patch(client, f"{URL}/{goal.pk}", {"measure": "Weekly"}, tag(goal))

    assert (created.status_code, changed.status_code) == (409, 409)
    assert "closed" in changed.json()["detail"]
    assert Goal.objects.count() == 1
    goal.refresh_from_db()
    assert goal.measure == ""


# Cost


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return len(context)


@pytest.mark.parametrize("persona", ["coordinator", "participant_user"])
def test_list_queries_do_not_grow_with_rows(world, api_as, persona):
    def a_full_goal(n: int) -> None:
        goal = a_goal(world.engagement, world.supporter, f"Goal {n}", stage="contemplation")
        step_create(goal=goal, actor=world.supporter, text="A step", owner="participant")

    a_full_goal(0)
    client = api_as(getattr(world, persona))
    client.get(URL)  # the first use of a token records when it was used
    one = _queries(client, URL)

    for n in range(1, 10):
        a_full_goal(n)

    ten = _queries(client, URL)
    assert ten == one
    assert client.get(URL).json()["count"] == 10


# The OpenAPI document


def test_the_openapi_document_describes_etags_and_preconditions(db):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]

    for path, method in [
        ("/api/v1/goals/{goal_id}", "patch"),
        ("/api/v1/meetings/{meeting_id}", "patch"),
        ("/api/v1/meetings/{meeting_id}/cancel", "post"),
        ("/api/v1/meetings/{meeting_id}/outcome", "post"),
    ]:
        operation = paths[path][method]
        headers = [p for p in operation["parameters"] if p["in"] == "header"]
        assert [(h["name"], h["required"]) for h in headers] == [("If-Match", True)]
        assert {"200", "412", "428"} <= set(operation["responses"])
        assert "ETag" in operation["responses"]["200"]["headers"]
        assert "content" in operation["responses"]["200"]
    for path in ("/api/v1/goals/{goal_id}", "/api/v1/meetings/{meeting_id}"):
        assert "ETag" in paths[path]["get"]["responses"]["200"]["headers"]
    assert {"get", "post"} <= set(paths["/api/v1/goals"])
    assert {"get", "post"} <= set(paths["/api/v1/meetings"])
