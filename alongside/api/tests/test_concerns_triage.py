"""Triaging concerns through the API: acknowledge, assign, record an action, set the
status, record that the raiser was told; scoped and conflict-aware as on the pages."""

from __future__ import annotations

import pytest
from django.test import Client

from alongside.accounts.models import Role
from alongside.api.tests.conftest import post_json
from alongside.audit.models import AuditEvent
from alongside.concerns.models import Category, Concern, ConcernAction
from alongside.concerns.services import concern_raise
from conftest import grant, make_user

URL = "/api/v1/concerns"


def a_concern(world, **fields) -> Concern:
    values = {
        "organization": world.org,
        "actor": world.participant_user,
        "engagement": world.engagement,
        "category": Category.SERVICE,
        "description": "Meetings keep moving.",
    }
    values.update(fields)
    return concern_raise(**values)


def state(concern: Concern) -> tuple:
    concern.refresh_from_db()
    return (
        concern.status,
        concern.acknowledged_at,
        concern.handled_by_id,
        concern.resolution,
        concern.informed_at,
        ConcernAction.objects.filter(concern=concern).count(),
    )


def test_a_coordinator_acknowledges_and_the_answer_shows_the_log(world, api_as):
    concern = a_concern(world)

    response = post_json(api_as(world.coordinator), f"{URL}/{concern.pk}/acknowledge", {})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "in_review" and body["acknowledged_at"]
    assert body["acknowledged_by"] == world.coordinator.pk
    assert [a["kind"] for a in body["actions"]] == ["acknowledged"]
    assert AuditEvent.objects.filter(action="concern.acknowledged").count() == 1


def test_acknowledging_twice_is_refused(world, api_as):
    concern = a_concern(world)
    client = api_as(world.coordinator)
    post_json(client, f"{URL}/{concern.pk}/acknowledge", {})
    before = state(concern)

    response = post_json(client, f"{URL}/{concern.pk}/acknowledge", {})

    assert response.status_code == 409
    assert state(concern) == before


def test_assign_record_an_action_resolve_and_inform(world, api_as):
    concern = a_concern(world)
    client = api_as(world.coordinator)

    assigned = post_json(client, f"{URL}/{concern.pk}/assign", {"handler": world.coordinator.pk})
    action = post_json(client, f"{URL}/{concern.pk}/actions", {"text": "Called Pat."})
    resolved = post_json(
        client,
        f"{URL}/{concern.pk}/status",
        {"status": "resolved", "resolution": "A fixed weekly slot."},
    )
    informed = post_json(client, f"{URL}/{concern.pk}/inform", {"how": "phone"})

    assert assigned.status_code == 200, assigned.content
    assert assigned.json()["handled_by"] == world.coordinator.pk
    assert action.status_code == 201, action.content
    assert action.json()["actions"][-1] == {
        "kind": "action",
        "text": "Called Pat.",
        "actor": world.coordinator.pk,
        "at": action.json()["actions"][-1]["at"],
    }
    assert resolved.status_code == 200, resolved.content
    assert resolved.json()["status"] == "resolved" and resolved.json()["resolved_at"]
    assert resolved.json()["resolution"] == "A fixed weekly slot."
    assert informed.status_code == 200, informed.content
    assert informed.json()["informed_how"] == "phone" and informed.json()["informed_at"]
    kinds = [a["kind"] for a in informed.json()["actions"]]
    assert kinds == ["acknowledged", "assigned", "action", "resolved", "informed"]


def test_the_raiser_still_reads_only_the_status(world, api_as):
    concern = a_concern(world)
    post_json(
        api_as(world.coordinator),
        f"{URL}/{concern.pk}/status",
        {"status": "resolved", "resolution": "A fixed weekly slot."},
    )

    mine = api_as(world.participant_user).get(f"{URL}/{concern.pk}").json()

    assert mine["status"] == "resolved"
    assert mine["resolution"] is None and mine["actions"] is None and mine["handled_by"] is None


@pytest.mark.parametrize(
    "path, body, message",
    [
        ("status", {"status": "resolved"}, "Say what was done"),
        ("assign", {"handler": 999999}, "Choose a coordinator"),
    ],
)
def test_rule_refusals_answer_409_and_change_nothing(world, api_as, path, body, message):
    concern = a_concern(world)
    before = state(concern)

    response = post_json(api_as(world.coordinator), f"{URL}/{concern.pk}/{path}", body)

    assert response.status_code == 409
    assert message in response.json()["detail"]
    assert state(concern) == before


def test_a_handler_outside_the_program_is_refused(world, api_as):
    elsewhere = make_user("cleo", "Cleo")
    grant(elsewhere, world.org, Role.COORDINATOR, programs=[world.respite])
    concern = a_concern(world)
    before = state(concern)

    response = post_json(
        api_as(world.coordinator), f"{URL}/{concern.pk}/assign", {"handler": elsewhere.pk}
    )

    assert response.status_code == 409
    assert state(concern) == before


def test_informing_someone_unreachable_is_refused(world, api_as):
    concern = concern_raise(
        organization=world.org, actor=None, category=Category.OTHER, description="Anonymous."
    )
    before = state(concern)

    response = post_json(api_as(world.coordinator), f"{URL}/{concern.pk}/inform", {"how": "email"})

    assert response.status_code == 409
    assert state(concern) == before


@pytest.mark.parametrize(
    "path, body, named",
    [
        ("status", {"status": "closed"}, "status"),
        ("status", {"status": "resolved", "resolution": 5}, "resolution"),
        ("status", {"status": "open", "handled_by": 1}, "handled_by"),
        ("actions", {"text": "  "}, "text"),
        ("actions", {"text": "x", "kind": "note"}, "kind"),
        ("assign", {"handler": "cora"}, "handler"),
        ("inform", {"how": "pigeon"}, "how"),
        ("inform", {"how": "phone", "when": "yesterday"}, "when"),
        ("acknowledge", {"note": "seen"}, ""),
    ],
)
def test_bad_input_answers_422_and_changes_nothing(world, api_as, path, body, named):
    concern = a_concern(world)
    before = state(concern)

    response = post_json(api_as(world.coordinator), f"{URL}/{concern.pk}/{path}", body)

    if path == "acknowledge":
        # It takes no body: whatever is sent is ignored, as for any body-less POST.
        assert response.status_code == 200
        return
    assert response.status_code == 422, response.content
    assert named in response.json()["detail"]
    assert state(concern) == before


TRIAGE = [
    ("acknowledge", {}),
    ("assign", {"handler": 0}),
    ("actions", {"text": "Called."}),
    ("status", {"status": "in_review"}),
    ("inform", {"how": "phone"}),
]


@pytest.mark.parametrize("path, body", TRIAGE)
@pytest.mark.parametrize(
    "persona, status",
    [
        ("admin", 403),
        ("supervisor", 403),
        ("supporter", 403),
        ("other_supporter", 403),
        ("participant_user", 403),
        ("outsider", 404),
    ],
)
def test_only_triagers_in_scope_may_triage(world, api_as, path, body, persona, status):
    concern = a_concern(world)
    before = state(concern)

    response = post_json(api_as(getattr(world, persona)), f"{URL}/{concern.pk}/{path}", body)

    assert response.status_code == status
    assert state(concern) == before


@pytest.mark.parametrize("path, body", TRIAGE)
def test_anonymous_may_not_triage(world, path, body):
    concern = a_concern(world)

    response = post_json(Client(), f"{URL}/{concern.pk}/{path}", body)

    assert response.status_code == 401


def test_a_coordinator_a_concern_is_about_cannot_reach_it(world, api_as):
    """Conflict-aware: the coordinator it is about gets 404 for every triage step."""
    concern = a_concern(world, actor=world.supporter, subject=world.coordinator)
    second = make_user("cleo", "Cleo")
    grant(second, world.org, Role.COORDINATOR, programs=[world.program])
    before = state(concern)

    for path, body in TRIAGE:
        response = post_json(api_as(world.coordinator), f"{URL}/{concern.pk}/{path}", body)
        assert response.status_code == 404, path
    assert state(concern) == before
    assert post_json(api_as(second), f"{URL}/{concern.pk}/acknowledge", {}).status_code == 200


def test_a_concern_of_another_program_is_404(world, api_as):
    from alongside.engagements.models import Engagement
    from alongside.organizations.models import Program
    from conftest import open_engagement

    warmline = Program.objects.create(organization=world.org, name="Warmline")
    engagement = open_engagement(world.other_participant, warmline, world.other_supporter)
    concern = a_concern(world, actor=world.other_supporter, engagement=engagement)
    assert Engagement.objects.filter(pk=engagement.pk).exists()

    response = post_json(api_as(world.coordinator), f"{URL}/{concern.pk}/acknowledge", {})

    assert response.status_code == 404


def test_the_list_filters(world, api_as):
    first = a_concern(world, urgency="urgent")
    general = a_concern(world, actor=world.supporter, engagement=None, category=Category.OTHER)
    client = api_as(world.coordinator)
    post_json(client, f"{URL}/{first.pk}/acknowledge", {})

    def ids(query) -> list[int]:
        response = client.get(URL, query)
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["items"]]

    assert ids({"status": "in_review"}) == [first.pk]
    assert ids({"status": "open"}) == [general.pk]
    assert ids({"urgency": "urgent"}) == [first.pk]
    assert ids({"category": "other"}) == [general.pk]
    assert ids({"engagement": world.engagement.pk}) == [first.pk]
    assert client.get(URL, {"status": "done"}).status_code == 422
