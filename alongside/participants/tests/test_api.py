"""PATCH /api/v1/participants/{id}: the Edit details page's rules, with ETag and If-Match.

(Kept beside the participants app; the API's own tests live in alongside/api/tests.)
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone

from alongside.api.services import api_token_issue
from alongside.audit.models import AccessLog, AuditEvent
from alongside.participants.models import Participant


@pytest.fixture
def api_as(world):
    def make(user) -> Client:
        token = api_token_issue(user=user, scopes=["read", "write", "export"])
        return Client(headers={"Authorization": f"Bearer {token}"})

    return make


def url(participant) -> str:
    return f"/api/v1/participants/{participant.pk}"


def patch(client: Client, participant, body, if_match: str | None = '"1"'):
    headers = {"If-Match": if_match} if if_match is not None else {}
    data = body if isinstance(body, str) else json.dumps(body)
    return client.patch(url(participant), data, content_type="application/json", headers=headers)


def stored(world) -> Participant:
    return Participant.objects.get(pk=world.participant.pk)


def updates() -> int:
    return AuditEvent.objects.filter(action="participant.updated").count()


def test_a_read_answers_the_details_and_the_etag(world, api_as):
    world.participant.phone = "555-201-3344"
    world.participant.race_ethnicity = ["black"]
    world.participant.save()

    response = api_as(world.supporter).get(url(world.participant))

    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    assert response.json() == {
        "id": world.participant.pk,
        "first_name": "Pat",
        "last_name": "Rivera",
        "preferred_name": "",
        "pronouns": "",
        "preferred_language": "en",
        "date_of_birth": None,
        "phone": "555-201-3344",
        "email": "",
        "gender": "",
        "race_ethnicity": ["black"],
        "veteran_status": "",
        "version": 1,
    }


def test_the_supporter_changes_the_details_with_the_etag_read(world, api_as):
    client = api_as(world.supporter)
    etag = client.get(url(world.participant))["ETag"]

    response = patch(
        client,
        world.participant,
        {
            "phone": "555-201-3344",
            "pronouns": "they/them",
            "preferred_language": "es",
            "date_of_birth": "1990-04-02",
            "gender": "nonbinary",
            "race_ethnicity": ["white", "hispanic"],
            "veteran_status": "no",
        },
        if_match=etag,
    )

    assert response.status_code == 200, response.content
    assert response["ETag"] == '"2"'
    body = response.json()
    assert body["phone"] == "555-201-3344"
    assert body["race_ethnicity"] == ["hispanic", "white"]
    assert body["date_of_birth"] == "1990-04-02"
    assert body["version"] == 2
    assert stored(world).pronouns == "they/them"
    event = AuditEvent.objects.get(action="participant.updated")
    assert event.actor == world.supporter
    assert set(event.data["fields"]) == {
        "phone",
        "pronouns",
        "preferred_language",
        "date_of_birth",
        "gender",
        "race_ethnicity",
        "veteran_status",
    }
    assert AccessLog.objects.filter(what__contains="api participant").exists()


def test_an_empty_value_clears_an_optional_detail(world, api_as):
    world.participant.phone = "555-201-3344"
    world.participant.date_of_birth = timezone.localdate().replace(year=1990)
    world.participant.save()

    response = patch(
        api_as(world.coordinator), world.participant, {"phone": "", "date_of_birth": None}
    )

    assert response.status_code == 200
    assert (stored(world).phone, stored(world).date_of_birth) == ("", None)


def test_without_if_match_it_answers_428_and_changes_nothing(world, api_as):
    response = patch(api_as(world.supporter), world.participant, {"phone": "555-201-3344"}, None)

    assert response.status_code == 428
    assert '"1"' in response.json()["detail"]
    assert stored(world).phone == ""


def test_a_stale_etag_answers_412_with_the_current_one(world, api_as):
    client = api_as(world.supporter)
    assert patch(client, world.participant, {"phone": "555-201-3344"}).status_code == 200

    response = patch(client, world.participant, {"phone": "555-999-0000"}, '"1"')

    assert response.status_code == 412
    assert response["ETag"] == '"2"'
    assert "Someone changed this participant since you read it" in response.json()["detail"]
    assert stored(world).phone == "555-201-3344"
    assert updates() == 1


def test_the_loser_of_a_race_gets_412_too(world, api_as, monkeypatch):
    """Both read version 1; the other write lands between the If-Match check and the lock."""
    from alongside.api import participants as endpoint
    from alongside.participants.services import participant_update

    def racing(**kwargs):
        Participant.objects.filter(pk=world.participant.pk).update(version=2, phone="555-0001")
        return participant_update(**kwargs)

    monkeypatch.setattr(endpoint, "participant_update", racing)

    response = patch(api_as(world.supporter), world.participant, {"phone": "555-201-3344"})

    assert response.status_code == 412
    assert response["ETag"] == '"2"'
    assert updates() == 0


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"colour": "blue"}, "colour"),
        ({"phone": 5552013344}, "phone"),
        ({"race_ethnicity": "white"}, "race_ethnicity"),
        ({"race_ethnicity": ["martian"]}, "race_ethnicity"),
        ({"gender": "robot"}, "gender"),
        ({"preferred_language": "xx"}, "preferred_language"),
        ({"date_of_birth": "next tuesday"}, "date_of_birth"),
        ({"first_name": ""}, "first_name"),
        ({"first_name": None}, "first_name"),
        ({"organization": 2}, "organization"),
        ({"version": 7}, "version"),
        ({}, "Send at least one field"),
        # Right types, bad values: refused by the record's own rules.
        ({"phone": "call me"}, "phone"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"email": "pat at home"}, "email"),
    ],
)
def test_bad_input_answers_422_naming_it_and_changes_nothing(world, api_as, body, where):
    # With a good change beside it: the whole body is refused, the good part too.
    payload = {"pronouns": "x", **body} if body else {}
    response = patch(api_as(world.supporter), world.participant, payload)

    assert response.status_code == 422, response.content
    assert where in response.json()["detail"]
    assert (stored(world).pronouns, stored(world).version) == ("", 1)
    assert updates() == 0


def test_a_body_that_is_not_json_answers_400(world, api_as):
    response = patch(api_as(world.supporter), world.participant, '{"phone": ')

    assert response.status_code == 400
    assert stored(world).version == 1


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator", 200),
        ("supporter", 200),
        ("supervisor", 403),
        ("admin", 403),
        ("participant_user", 403),
        ("other_supporter", 404),
        ("outsider", 404),
    ],
)
def test_who_may_change_the_details(world, api_as, persona, status):
    response = patch(api_as(getattr(world, persona)), world.participant, {"pronouns": "she/her"})

    assert response.status_code == status
    assert set(response.json()) >= ({"id"} if status == 200 else {"detail"})
    assert (stored(world).pronouns == "she/her") is (status == 200)


def test_once_support_closed_the_supporter_is_refused_with_who_can(world, api_as):
    world.engagement.state = "closed"
    world.engagement.closed_on = timezone.localdate()
    world.engagement.save()

    response = patch(api_as(world.supporter), world.participant, {"pronouns": "she/her"})

    assert response.status_code == 403
    assert "Only a coordinator of their program" in response.json()["detail"]
    coordinator = patch(api_as(world.coordinator), world.participant, {"pronouns": "she/her"})
    assert coordinator.status_code == 200


def test_a_read_only_token_may_not_change_them(world):
    token = api_token_issue(user=world.supporter, scopes=["read"])
    client = Client(headers={"Authorization": f"Bearer {token}"})

    assert patch(client, world.participant, {"pronouns": "she/her"}).status_code == 403
    assert stored(world).version == 1


def test_there_is_no_way_to_create_a_participant_on_its_own(world, api_as):
    response = api_as(world.coordinator).post(
        "/api/v1/participants", {"first_name": "Nova"}, content_type="application/json"
    )

    assert response.status_code == 405
    assert Participant.objects.filter(first_name="Nova").count() == 0


def test_the_openapi_document_describes_the_change(world):
    document = Client().get("/api/v1/openapi.json").json()
    path = "/api/v1/participants/{participant_id}"

    operation = document["paths"][path]["patch"]
    names = {p["name"]: p for p in operation["parameters"]}
    assert names["If-Match"]["required"] is True
    assert {"200", "401", "403", "404", "409", "412", "422", "428"} <= set(operation["responses"])
    assert "POST /api/v1/referrals" in operation["description"]
    assert "ETag" in document["paths"][path]["get"]["responses"]["200"]["headers"]
    assert "post" not in document["paths"]["/api/v1/participants"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert document["components"]["schemas"][body.rsplit("/", 1)[-1]]["additionalProperties"] is (
        False
    )
