"""Creating and reading referrals through the API."""

from __future__ import annotations

import datetime

import pytest

from alongside.accounts.models import Role
from alongside.api.tests.conftest import post_json
from alongside.audit.models import AccessLog, AuditEvent
from alongside.participants.models import Participant
from alongside.referrals.models import Referral, Status
from conftest import grant, make_user

URL = "/api/v1/referrals"


def valid_body(world, **changes) -> dict:
    body = {
        "participant": {
            "first_name": "Nova",
            "last_name": "Diaz",
            "preferred_language": "es",
            "date_of_birth": "1990-04-01",
        },
        "program": world.program.pk,
        "source": "clinic",
        "source_detail": "Eastside Clinic",
        "needs": "Someone who has been through early recovery.",
        "lived_experience_wanted": ["substance_use", "parenting"],
        "urgency": "soon",
        "contact_channel": "text",
    }
    body.update(changes)
    return body


def test_a_coordinator_creates_a_referral(world, api_as):
    response = post_json(api_as(world.coordinator), URL, valid_body(world))

    assert response.status_code == 201
    body = response.json()
    referral = Referral.objects.get(pk=body["id"])
    assert referral.participant.first_name == "Nova"
    assert referral.participant.date_of_birth == datetime.date(1990, 4, 1)
    assert referral.received_by == world.coordinator
    assert body["program"] == world.program.pk
    assert body["participant"] == referral.participant_id
    assert body["status"] == Status.NEW
    assert body["preferred_language"] == "es"
    assert body["lived_experience_wanted"] == ["substance_use", "parenting"]
    assert AuditEvent.objects.filter(action="referral.received").count() == 1
    assert AccessLog.objects.get().participant_ids == [referral.participant_id]


def test_the_new_referral_is_listed_and_readable(world, api_as):
    client = api_as(world.coordinator)
    created = post_json(client, URL, valid_body(world)).json()

    listed = client.get(URL).json()
    read = client.get(f"{URL}/{created['id']}")

    assert [item["id"] for item in listed["items"]] == [created["id"]]
    assert read.status_code == 200
    assert read.json() == created


@pytest.mark.parametrize(
    "changes",
    [
        {"needs": ""},
        {"needs": "   "},
        {"needs": "x" * 4001},
        {"needs": "null\x00byte"},
        {"source": "telepathy"},
        {"urgency": 3},
        {"program": "community"},
        {"lived_experience_wanted": ["astrology"]},
        {"lived_experience_wanted": "substance_use"},
        {"preferred_language": "klingon"},
        {"participant": {"first_name": ""}},
        {"participant": {"first_name": "Nova", "date_of_birth": "yesterday"}},
        {"participant": {"first_name": "Nova", "email": "not an email"}},
        {"participant": "Nova"},
    ],
)
def test_invalid_bodies_answer_422_and_save_nothing(world, api_as, changes):
    response = post_json(api_as(world.coordinator), URL, valid_body(world, **changes))

    assert response.status_code == 422, response.content
    assert isinstance(response.json()["detail"], str)
    assert not Referral.objects.exists()
    assert not Participant.objects.filter(first_name="Nova").exists()


def test_missing_fields_are_named(world, api_as):
    body = valid_body(world)
    del body["needs"]

    response = post_json(api_as(world.coordinator), URL, body)

    assert response.status_code == 422
    assert "needs" in response.json()["detail"]


def test_a_program_of_another_organization_is_not_found(world, api_as):
    body = valid_body(world, program=world.other_program.pk)

    response = post_json(api_as(world.coordinator), URL, body)

    assert response.status_code == 404
    assert not Referral.objects.exists()


def test_a_program_the_caller_does_not_coordinate_is_not_found(world, api_as):
    narrow = make_user("nell", "Nell")
    grant(narrow, world.org, Role.COORDINATOR, programs=[world.respite])

    response = post_json(api_as(narrow), URL, valid_body(world))

    assert response.status_code == 404
    assert not Referral.objects.exists()


def test_a_program_not_taking_referrals_is_refused_with_409(world, api_as):
    world.program.is_active = False
    world.program.save()

    response = post_json(api_as(world.coordinator), URL, valid_body(world))

    assert response.status_code == 409
    assert "not taking referrals" in response.json()["detail"]
    assert not Participant.objects.filter(first_name="Nova").exists()


def test_a_supporter_may_not_create_referrals(world, api_as):
    response = post_json(api_as(world.supporter), URL, valid_body(world))

    assert response.status_code == 403
    assert not Referral.objects.exists()
