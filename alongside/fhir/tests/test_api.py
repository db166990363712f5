"""GET /api/v1/{participants,engagements}/{id}/fhir: access per persona, disclosure."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from alongside.api.services import api_token_issue
from alongside.audit.models import AccessLog, AuditEvent
from alongside.consents.models import Disclosure
from alongside.consents.services import consent_create
from alongside.fhir import codes
from alongside.fhir.testing import consent_elements, full_record, meetings_add

FHIR = "application/fhir+json"


def as_user(user, scopes=("export",)) -> Client:
    """A client with a token of that user; exports need the "export" scope."""
    token = api_token_issue(user=user, scopes=list(scopes))
    return Client(headers={"Authorization": f"Bearer {token}"})


def participant_url(participant, query: str = "") -> str:
    return f"/api/v1/participants/{participant.pk}/fhir{query}"


def engagement_url(engagement, query: str = "") -> str:
    return f"/api/v1/engagements/{engagement.pk}/fhir{query}"


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("participant_user", 200),
        ("supporter", 200),
        ("supervisor", 200),
        ("coordinator", 200),
        ("other_supporter", 404),
        ("outsider", 404),
        ("admin", 403),
    ],
)
def test_access_to_pats_record(world, persona, status):
    user = getattr(world, persona)
    for url in (participant_url(world.participant), engagement_url(world.engagement)):
        response = as_user(user).get(url)

        assert response.status_code == status, (url, response.content)
        if status == 200:
            assert response["Content-Type"] == FHIR
            assert json.loads(response.content)["resourceType"] == "Bundle"
        else:
            assert "detail" in response.json()


def test_anonymous_is_asked_to_sign_in(world):
    for url in (participant_url(world.participant), engagement_url(world.engagement)):
        response = Client().get(url)
        assert response.status_code == 401
        assert "detail" in response.json()


def test_a_participant_sees_only_their_own(world):
    client = as_user(world.participant_user)

    assert client.get(participant_url(world.other_participant)).status_code == 404
    assert client.get(engagement_url(world.other_engagement)).status_code == 404
    assert client.get(engagement_url(world.foreign_engagement)).status_code == 404


def test_other_supporter_sees_her_own_not_sunnys(world):
    client = as_user(world.other_supporter)

    assert client.get(engagement_url(world.other_engagement)).status_code == 200
    assert client.get(participant_url(world.other_participant)).status_code == 200
    assert client.get(engagement_url(world.engagement)).status_code == 404


def test_a_token_without_the_export_scope_is_refused(world):
    response = as_user(world.supporter, scopes=("read", "write")).get(
        engagement_url(world.engagement)
    )

    assert response.status_code == 403
    assert "export" in response.json()["detail"]


def test_the_session_works_too(world):
    client = Client()
    client.force_login(world.participant_user)

    assert client.get(participant_url(world.participant)).status_code == 200


def test_an_export_is_logged_as_a_read_and_an_event(world):
    response = as_user(world.supporter).get(engagement_url(world.engagement))

    assert response.status_code == 200
    log = AccessLog.objects.get(what="api fhir engagement")
    assert log.participant_ids == [world.participant.pk]
    event = AuditEvent.objects.get(action="fhir.exported")
    assert event.object_type == "engagement"
    assert event.data["for"] == "internal"
    assert not Disclosure.objects.exists()


def test_the_participants_own_export_says_so(world):
    as_user(world.participant_user).get(participant_url(world.participant))

    assert AuditEvent.objects.get(action="fhir.exported").data["for"] == "participant"


def test_a_covered_disclosure_releases_the_bundle_with_the_notice(world):
    full_record(world)
    query = "?recipient=Eastside%20Clinic&purpose=treatment"

    response = as_user(world.supporter).get(engagement_url(world.engagement, query))

    assert response.status_code == 200, response.content
    disclosure = Disclosure.objects.get()
    assert disclosure.recipient_name == "Eastside Clinic"
    assert disclosure.purpose == "treatment"
    assert set(disclosure.categories) == {"attendance", "goals", "surveys", "referral"}
    assert disclosure.engagement == world.engagement
    bundle = json.loads(response.content)
    assert {c["code"] for c in bundle["meta"]["security"]} == {"R", "NORDSCLCD"}
    notice = {e["url"]: e for e in bundle["meta"]["extension"]}
    assert notice[codes.EXTENSION["redisclosure-notice"]]["valueString"] == disclosure.notice
    assert notice[codes.EXTENSION["consent-scope"]]["valueString"] == disclosure.scope
    assert bundle["identifier"]["value"] in disclosure.content
    event = AuditEvent.objects.get(action="fhir.exported")
    assert event.data["for"] == "disclosure"
    assert event.data["disclosure"] == disclosure.pk


def test_an_uncovered_disclosure_is_refused_and_nothing_is_kept(world):
    full_record(world)  # the active consent names Eastside Clinic for treatment
    client = as_user(world.supporter)

    for query, missing in (
        ("?recipient=Westside%20Clinic&purpose=treatment", "recipient: Westside Clinic"),
        ("?recipient=Eastside%20Clinic&purpose=legal", "purpose"),
    ):
        response = client.get(participant_url(world.participant, query))

        assert response.status_code == 409, response.content
        assert response.json()["detail"]
        assert any(m.startswith(missing.split(":")[0]) for m in response.json()["missing"])
    assert not Disclosure.objects.exists()
    assert not AuditEvent.objects.filter(action="fhir.exported").exists()
    assert not AuditEvent.objects.filter(action="disclosure.made").exists()


def test_a_consent_missing_a_category_the_bundle_holds_is_refused(world):
    consent_create(
        participant=world.participant,
        actor=world.supporter,
        **consent_elements(categories=["attendance"], recipient_name="Dr. Lee"),
    )
    full_record(world)  # adds goals, surveys and a referral to the record

    response = as_user(world.supporter).get(
        engagement_url(world.engagement, "?recipient=Dr.%20Lee&purpose=treatment")
    )

    assert response.status_code == 409
    assert set(response.json()["missing"]) == {
        "Goals and plans",
        "Survey results",
        "Referral information",
    }
    assert not Disclosure.objects.exists()


@pytest.mark.parametrize("persona", ["supervisor", "participant_user"])
def test_only_hands_on_staff_may_disclose(world, persona):
    full_record(world)
    query = "?recipient=Eastside%20Clinic&purpose=treatment"

    response = as_user(getattr(world, persona)).get(engagement_url(world.engagement, query))

    assert response.status_code == 403
    assert not Disclosure.objects.exists()


@pytest.mark.parametrize(
    "query",
    ["?recipient=Eastside%20Clinic", "?recipient=Eastside%20Clinic&purpose=gossip"],
)
def test_bad_disclosure_input_is_a_clear_422(world, query):
    response = as_user(world.supporter).get(engagement_url(world.engagement, query))

    assert response.status_code == 422
    assert "purpose" in response.json()["detail"]
    assert not AuditEvent.objects.filter(action="fhir.exported").exists()


def test_queries_stay_bounded_for_many_meetings(world, django_assert_max_num_queries):
    full_record(world)
    meetings_add(world.engagement, world.supporter, 500)
    client = as_user(world.supporter)

    with django_assert_max_num_queries(32):
        response = client.get(engagement_url(world.engagement))
    assert response.status_code == 200
    assert len(json.loads(response.content)["entry"]) > 500


def test_the_openapi_document_names_both_operations(world):
    document = Client().get("/api/v1/openapi.json").json()

    for path in (
        "/api/v1/participants/{participant_id}/fhir",
        "/api/v1/engagements/{engagement_id}/fhir",
    ):
        operation = document["paths"][path]["get"]
        assert FHIR in operation["responses"]["200"]["content"]
        assert "409" in operation["responses"]
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))
    assert "FhirBundle" in document["components"]["schemas"]
