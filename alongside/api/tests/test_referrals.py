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


# what intake added: the participant's wishes, the referrer, the channel, duplicates ----


def test_the_new_fields_are_accepted_and_answered(world, api_as):
    body = valid_body(
        world,
        language_required=True,
        supporter_gender_preference="woman",
        gender_required=True,
        meeting_place="Eastside",
        remote_ok=False,
        referrer_name="Dana Case",
        referrer_organization="Eastside Clinic",
        referrer_email="dana@clinic.example",
        referrer_phone="555-010-9999",
    )

    response = post_json(api_as(world.coordinator), URL, body)

    assert response.status_code == 201, response.content
    answer = response.json()
    referral = Referral.objects.get(pk=answer["id"])
    assert referral.channel == "api" and answer["channel"] == "api"
    for field in (
        "language_required",
        "gender_required",
        "meeting_place",
        "remote_ok",
        "referrer_name",
        "referrer_organization",
        "referrer_email",
        "referrer_phone",
    ):
        assert answer[field] == body[field] == getattr(referral, field), field
    assert answer["duplicate_of_referral"] is None
    assert answer["duplicate_of_engagement"] is None


def test_the_new_fields_are_optional_with_safe_defaults(world, api_as):
    answer = post_json(api_as(world.coordinator), URL, valid_body(world)).json()

    assert answer["language_required"] is False
    assert answer["gender_required"] is False
    assert answer["remote_ok"] is True
    assert answer["meeting_place"] == answer["referrer_email"] == ""
    assert answer["preferred_times"] == []


def test_duplicates_are_flagged_with_ids_and_never_merged(world, api_as):
    world.participant.email = "pat@example.org"
    world.participant.save()
    client = api_as(world.coordinator)
    first = post_json(
        client, URL, valid_body(world, participant={"first_name": "Nova", "phone": "5550102233"})
    ).json()

    second = post_json(
        client,
        URL,
        valid_body(
            world,
            participant={
                "first_name": "Nova",
                "phone": "+1 (555) 010-2233",
                "email": "PAT@example.org",
            },
        ),
    ).json()

    assert second["duplicate_of_referral"] == first["id"]
    assert second["duplicate_of_engagement"] == world.engagement.pk
    assert second["participant"] not in (first["participant"], world.participant.pk)
    assert client.get(f"{URL}/{second['id']}").json()["duplicate_of_referral"] == first["id"]


def test_good_times_to_meet_are_accepted_once_each_and_answered(world, api_as):
    body = valid_body(world, preferred_times=["weekend", "weekday_evening", "weekend"])

    response = post_json(api_as(world.coordinator), URL, body)

    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["preferred_times"] == ["weekend", "weekday_evening"]
    assert Referral.objects.get().preferred_times == ["weekend", "weekday_evening"]


def test_an_unknown_time_is_refused_with_the_codes_it_takes(world, api_as):
    response = post_json(
        api_as(world.coordinator), URL, valid_body(world, preferred_times=["brunch"])
    )

    assert response.status_code == 422
    assert "weekday_morning" in response.json()["detail"]
    assert not Referral.objects.exists()


def test_the_organizations_own_experience_areas_are_accepted(world, api_as):
    from alongside.accounts.models import ExperienceArea

    ExperienceArea.objects.create(organization=world.org, code="farming", label="Farm life")
    ExperienceArea.objects.create(organization=world.other_org, code="sailing", label="Sailing")
    client = api_as(world.coordinator)

    ok = post_json(client, URL, valid_body(world, lived_experience_wanted=["farming"]))
    refused = post_json(client, URL, valid_body(world, lived_experience_wanted=["sailing"]))

    assert ok.status_code == 201
    assert ok.json()["lived_experience_wanted"] == ["farming"]
    assert refused.status_code == 422
    assert "sailing" in refused.json()["detail"]
    assert Referral.objects.count() == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"gender_required": True},
        {"language_required": "maybe"},
        {"remote_ok": "perhaps"},
        {"meeting_place": "x" * 201},
        {"referrer_email": "not an email"},
        {"referrer_name": "x" * 201},
        {"referrer_phone": "5" * 41},
        {"lived_experience_wanted": [""]},
        {"lived_experience_wanted": ["x" * 41]},
        {"preferred_times": ["brunch"]},
        {"preferred_times": ["weekend", "Weekend"]},
        {"preferred_times": "weekend"},
        {"preferred_times": [None]},
        {"preferred_times": ["weekend"] * 5},
    ],
)
def test_invalid_new_fields_answer_422_and_save_nothing(world, api_as, changes):
    response = post_json(api_as(world.coordinator), URL, valid_body(world, **changes))

    assert response.status_code == 422, response.content
    assert isinstance(response.json()["detail"], str)
    assert not Referral.objects.exists()
    assert not Participant.objects.filter(first_name="Nova").exists()


def test_the_list_answers_the_flags_in_constant_queries(world, api_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_as(world.coordinator)
    for _ in range(2):
        post_json(client, URL, valid_body(world))
    with CaptureQueriesContext(connection) as small:
        client.get(URL)
    for _ in range(5):
        post_json(client, URL, valid_body(world))
    with CaptureQueriesContext(connection) as large:
        items = client.get(URL).json()["items"]

    assert len(large) == len(small)
    assert sum(1 for item in items if item["duplicate_of_referral"]) == 6


def test_a_required_gender_without_a_preference_is_refused_by_the_api_too(world, api_as):
    from alongside.referrals.models import Referral

    before = Referral.objects.count()
    response = api_as(world.coordinator).post(
        "/api/v1/referrals",
        {
            "program": world.program.pk,
            "participant": {"first_name": "Ana", "preferred_language": "en"},
            "source": "self",
            "needs": "Someone who has been there.",
            "gender_required": True,
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "gender" in response.json()["detail"]
    assert Referral.objects.count() == before
