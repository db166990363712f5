"""Consents through the API: list, read, create, revoke, and bad input."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from alongside.api.tests.conftest import post_json
from alongside.audit.models import AccessLog
from alongside.consents.models import Consent
from alongside.consents.services import consent_create
from alongside.consents.tests.factories import elements, make_consent

URL = "/api/v1/consents"


def body(world, **changes) -> dict:
    values = {
        "participant": world.participant.pk,
        "engagement": world.engagement.pk,
        "signature_name": "Pat Rivera",
        "signed_on": timezone.localdate().isoformat(),
        "categories": ["attendance", "goals"],
        "amount": "Meeting dates and goals",
        "recipient_kind": "named",
        "recipient_name": "Eastside Clinic",
        "purposes": ["treatment"],
        "expires_on": (timezone.localdate() + datetime.timedelta(days=90)).isoformat(),
    }
    values.update(changes)
    return values


def test_the_supporter_lists_the_consents_of_her_participants_only(world, api_as):
    mine = make_consent(world)
    consent_create(participant=world.other_participant, actor=world.other_supporter, **elements())

    response = api_as(world.supporter).get(URL)

    assert response.status_code == 200
    assert response.json()["count"] == 1
    item = response.json()["items"][0]
    assert item["id"] == mine.pk
    assert item["status"] == "active"
    assert item["participant"] == world.participant.pk
    assert AccessLog.objects.get(what="api consents").participant_ids == [world.participant.pk]


def test_a_participant_token_sees_their_own(world, api_as):
    mine = make_consent(world)
    consent_create(participant=world.other_participant, actor=world.other_supporter, **elements())

    listing = api_as(world.participant_user).get(URL).json()

    assert [item["id"] for item in listing["items"]] == [mine.pk]
    assert api_as(world.participant_user).get(f"{URL}/{mine.pk}").status_code == 200


def test_read_is_scoped(world, api_as):
    consent = make_consent(world)

    assert api_as(world.coordinator).get(f"{URL}/{consent.pk}").json()["recipient_name"] == (
        "Eastside Clinic"
    )
    assert api_as(world.other_supporter).get(f"{URL}/{consent.pk}").status_code == 404
    assert api_as(world.outsider).get(f"{URL}/{consent.pk}").status_code == 404
    refused = api_as(world.admin).get(f"{URL}/{consent.pk}")
    assert refused.status_code == 403
    assert "detail" in refused.json()


def test_the_supporter_records_a_paper_consent(world, api_as):
    response = post_json(api_as(world.supporter), URL, body(world))

    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["signature_method"] == "paper"
    assert created["recorded_by"] == world.supporter.pk
    assert created["discloser"] == world.org.name
    assert "revoke" in created["revocation_statement"]
    assert Consent.objects.filter(pk=created["id"]).exists()


def test_the_participant_signs_their_own_in_the_portal_way(world, api_as):
    response = post_json(
        api_as(world.participant_user), URL, body(world, participant=None, signed_on=None)
    )

    assert response.status_code == 201, response.json()
    assert response.json()["signature_method"] == "portal"
    assert response.json()["participant"] == world.participant.pk


def test_a_participant_cannot_make_one_for_someone_else(world, api_as):
    response = post_json(
        api_as(world.participant_user), URL, body(world, participant=world.other_participant.pk)
    )

    assert response.status_code == 404
    assert Consent.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"amount": ""}, "amount"),
        ({"recipient_name": ""}, "recipient_name"),
        ({"purposes": []}, "purposes"),
        ({"expires_on": None}, "expires_on"),
        ({"signature_name": ""}, "signature_name"),
        ({"covers_tpo": True, "recipient_kind": "tpo", "signed_by_guardian": True}, "guardian"),
    ],
)
def test_a_missing_element_answers_422_naming_it(world, api_as, changes, named):
    response = post_json(api_as(world.supporter), URL, body(world, **changes))

    assert response.status_code == 422
    assert named in response.json()["detail"]
    assert Consent.objects.count() == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"categories": ["dreams"]},
        {"purposes": "treatment"},
        {"expires_on": "next tuesday"},
        {"recipient_kind": "anyone"},
        {"amount": "x" * 501},
        {"participant": None},
    ],
)
def test_bad_input_answers_422(world, api_as, changes):
    response = post_json(api_as(world.coordinator), URL, body(world, **changes))

    assert response.status_code == 422
    assert response.json()["detail"]


def test_other_scopes_and_roles_cannot_create(world, api_as):
    assert post_json(api_as(world.other_supporter), URL, body(world)).status_code == 404
    assert post_json(api_as(world.outsider), URL, body(world)).status_code == 404
    assert post_json(api_as(world.supervisor), URL, body(world)).status_code == 403
    assert post_json(api_as(world.admin), URL, body(world)).status_code == 403
    response = api_as(world.supporter).post(URL, "{nope", content_type="application/json")
    assert response.status_code == 400
    assert Consent.objects.count() == 0


def test_the_participant_revokes_through_the_api(world, api_as):
    consent = make_consent(world)

    response = post_json(api_as(world.participant_user), f"{URL}/{consent.pk}/revoke", {})

    assert response.status_code == 200
    assert response.json()["status"] == "revoked"
    assert response.json()["revocation_method"] == "portal"
    again = post_json(api_as(world.participant_user), f"{URL}/{consent.pk}/revoke", {})
    assert again.status_code == 409
    assert "already revoked" in again.json()["detail"]


def test_staff_record_a_written_revocation(world, api_as):
    consent = make_consent(world)

    response = post_json(
        api_as(world.coordinator),
        f"{URL}/{consent.pk}/revoke",
        {"method": "written", "note": "Letter of 3 March"},
    )

    assert response.status_code == 200
    consent.refresh_from_db()
    assert consent.revoked_by == world.coordinator
    assert consent.revocation_note == "Letter of 3 March"
    assert not consent.is_active()


def test_revoke_is_scoped_and_checks_its_input(world, api_as):
    consent = make_consent(world)
    url = f"{URL}/{consent.pk}/revoke"

    assert post_json(api_as(world.other_supporter), url, {}).status_code == 404
    assert post_json(api_as(world.supervisor), url, {}).status_code == 403
    assert post_json(api_as(world.supporter), url, {"method": "portal"}).status_code == 422
    assert post_json(api_as(world.supporter), f"{URL}/999999/revoke", {}).status_code == 404
    consent.refresh_from_db()
    assert consent.revoked_at is None
