"""Engagements through the API: the ETag, If-Match on transitions, guideline extensions,
and the list's filters."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from alongside.api.tests.conftest import post_json
from alongside.audit.models import AuditEvent
from alongside.engagements.models import Engagement, GuidelineExtension, State
from alongside.organizations.models import Program
from conftest import open_engagement

URL = "/api/v1/engagements"


def tag(engagement: Engagement) -> str:
    engagement.refresh_from_db()
    return f'"{engagement.version}"'


def post(client: Client, path: str, body: dict, if_match: str | None = None):
    headers = {"If-Match": if_match} if if_match is not None else {}
    return client.post(path, body, content_type="application/json", headers=headers)


def days_ahead(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def stored(engagement: Engagement) -> tuple:
    engagement.refresh_from_db()
    return (
        engagement.version,
        engagement.state,
        engagement.guideline_ends_on,
        GuidelineExtension.objects.filter(engagement=engagement).count(),
    )


def test_the_read_answers_the_etag(world, api_as):
    response = api_as(world.supporter).get(f"{URL}/{world.engagement.pk}")

    assert response.status_code == 200
    assert response["ETag"] == tag(world.engagement)
    assert response.json()["guideline_ends_on"] is None


# Transitions may send If-Match


def test_a_transition_with_the_current_etag_moves_and_answers_the_new_one(world, api_as):
    url = f"{URL}/{world.engagement.pk}/transitions"
    before = tag(world.engagement)

    response = post(api_as(world.supporter), url, {"to": "exiting", "reason": "Goals met"}, before)

    assert response.status_code == 200, response.content
    assert response["ETag"] == tag(world.engagement) != before


def test_a_transition_with_a_stale_etag_answers_412_and_changes_nothing(world, api_as):
    url = f"{URL}/{world.engagement.pk}/transitions"
    Engagement.objects.filter(pk=world.engagement.pk).update(version=5)
    before = stored(world.engagement)

    response = post(api_as(world.supporter), url, {"to": "exiting", "reason": "x"}, '"4"')

    assert response.status_code == 412
    assert response["ETag"] == '"5"'
    assert stored(world.engagement) == before


def test_a_transition_with_an_unknown_field_answers_422(world, api_as):
    url = f"{URL}/{world.engagement.pk}/transitions"
    before = stored(world.engagement)

    response = post_json(
        api_as(world.supporter), url, {"to": "exiting", "reason": "x", "when": "now"}
    )

    assert response.status_code == 422
    assert response.json()["detail"].startswith("when: Unknown field")
    assert stored(world.engagement) == before


# Extending the duration guideline


def extend(client: Client, engagement: Engagement, body: dict, if_match: str | None = None):
    return post(client, f"{URL}/{engagement.pk}/extensions", body, if_match)


def test_a_coordinator_extends_the_guideline(world, api_as):
    before = tag(world.engagement)

    response = extend(
        api_as(world.coordinator),
        world.engagement,
        {"until": days_ahead(400), "reason": "Housing move in spring."},
        before,
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["new_ends_on"] == days_ahead(400)
    assert body["engagement"] == world.engagement.pk
    assert body["actor"] == world.coordinator.pk
    assert response["ETag"] == tag(world.engagement) != before
    assert world.engagement.guideline_ends_on.isoformat() == days_ahead(400)
    assert AuditEvent.objects.filter(action="engagement.guideline_extended").count() == 1
    read = api_as(world.coordinator).get(f"{URL}/{world.engagement.pk}").json()
    assert read["guideline_ends_on"] == days_ahead(400)


def test_an_extension_needs_the_current_etag(world, api_as):
    client = api_as(world.coordinator)
    body = {"until": days_ahead(400), "reason": "Housing move."}
    Engagement.objects.filter(pk=world.engagement.pk).update(version=3)
    before = stored(world.engagement)

    missing = extend(client, world.engagement, body)
    stale = extend(client, world.engagement, body, '"2"')

    assert missing.status_code == 428
    assert stale.status_code == 412 and stale["ETag"] == '"3"'
    assert stored(world.engagement) == before


@pytest.mark.parametrize(
    "body, status",
    [
        ({"until": 10, "reason": "x"}, 409),  # before the current end
        ({"until": 800, "reason": "x"}, 409),  # too far ahead
        ({"until": "soon", "reason": "x"}, 422),
        ({"until": 400, "reason": "  "}, 422),
        ({"until": 400}, 422),
        ({"until": 400, "reason": "x", "previous_ends_on": "2020-01-01"}, 422),
    ],
)
def test_refused_extensions_change_nothing(world, api_as, body, status):
    if isinstance(body.get("until"), int):
        body = {**body, "until": days_ahead(body["until"])}
    before = stored(world.engagement)

    response = extend(api_as(world.coordinator), world.engagement, body, tag(world.engagement))

    assert response.status_code == status, response.content
    assert response.json()["detail"]
    assert stored(world.engagement) == before


def test_a_program_without_a_guideline_is_not_extended(world, api_as):
    open_ended = Program.objects.create(organization=world.org, name="Open")
    world.coordinator.memberships.get(organization=world.org).programs.add(open_ended)
    engagement = open_engagement(world.other_participant, open_ended, world.supporter)

    response = extend(
        api_as(world.coordinator),
        engagement,
        {"until": days_ahead(100), "reason": "x"},
        tag(engagement),
    )

    assert response.status_code == 409
    assert "open-ended" in response.json()["detail"]


@pytest.mark.parametrize(
    "persona, status",
    [
        ("coordinator", 201),
        ("admin", 403),
        ("supervisor", 403),
        ("supporter", 403),
        ("other_supporter", 403),
        ("participant_user", 403),
        ("outsider", 404),
    ],
)
def test_who_may_extend(world, api_as, persona, status):
    before = stored(world.engagement)

    response = extend(
        api_as(getattr(world, persona)),
        world.engagement,
        {"until": days_ahead(400), "reason": "Housing move."},
        tag(world.engagement),
    )

    assert response.status_code == status
    assert (stored(world.engagement) != before) == (status == 201)


def test_anonymous_may_not_extend(world):
    response = extend(Client(), world.engagement, {"until": days_ahead(400), "reason": "x"}, '"1"')

    assert response.status_code == 401


# The list's filters


def test_the_list_filters(world, api_as):
    closed = open_engagement(world.participant, world.respite, world.other_supporter)
    Engagement.objects.filter(pk=closed.pk).update(
        state=State.CLOSED, started_on=timezone.localdate() - datetime.timedelta(days=400)
    )
    client = api_as(world.coordinator)

    def ids(query) -> set[int]:
        response = client.get(URL, query)
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["items"]}

    assert ids({"program": world.respite.pk}) == {closed.pk}
    assert ids({"participant": world.participant.pk}) == {world.engagement.pk, closed.pk}
    assert ids({"supporter": world.supporter.pk}) == {world.engagement.pk}
    assert ids({"state": "closed"}) == {closed.pk}
    assert ids({"until": days_ahead(-100)}) == {closed.pk}
    assert ids({"since": days_ahead(-100)}) == {world.engagement.pk, world.other_engagement.pk}
    assert client.get(URL, {"state": "paused"}).status_code == 422
    # Another organization's engagement is not reached by naming it.
    assert ids({"participant": world.foreign_participant.pk}) == set()
