"""What the fuzzer (test_fuzz.py) found, each pinned down: query parameters the operation
does not take, or give twice, are refused by every read; values of the wrong JSON type are
refused, never coerced; numbers beyond the database's integers and days outside 1900 to 2999
are refused before they reach the database; the document states all of it."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.utils import timezone
from ninja import Schema

from alongside.api.tests.test_input_refusal import fingerprint, records, send  # noqa: F401
from alongside.api.urls import api
from alongside.meetings.models import Meeting

HUGE = 2**70


def reads(world) -> list[str]:
    """A list or read of every kind, including the reports and a FHIR export."""
    return [
        "/api/v1/participants",
        f"/api/v1/participants/{world.participant.pk}",
        "/api/v1/referrals",
        "/api/v1/engagements",
        f"/api/v1/engagements/{world.engagement.pk}",
        "/api/v1/consents",
        "/api/v1/agreements",
        f"/api/v1/agreements/{world.signed[0].pk}",
        "/api/v1/meetings",
        "/api/v1/goals",
        "/api/v1/responses",
        "/api/v1/instruments",
        "/api/v1/assessments",
        "/api/v1/exits",
        "/api/v1/concerns",
        "/api/v1/reports",
        "/api/v1/reports/volume",
        f"/api/v1/engagements/{world.engagement.pk}/fhir",
    ]


def test_every_read_refuses_an_unknown_query_parameter_naming_it(world, api_as):
    client = api_as(world.coordinator)
    for url in reads(world):
        assert client.get(url).status_code == 200, url

        response = client.get(url, {"colour": "red"})

        assert response.status_code == 422, url
        assert response.json()["detail"].startswith("colour: Unknown query parameter"), url
        assert response.json()["errors"][0]["loc"] == ["query", "colour"]


def test_every_unknown_parameter_is_named(world, api_as):
    response = api_as(world.coordinator).get(
        "/api/v1/engagements", {"state": "active", "stat": "x", "progam": "1"}
    )

    assert response.status_code == 422
    assert [e["loc"][-1] for e in response.json()["errors"]] == ["progam", "stat"]


def test_a_filter_given_twice_is_refused_rather_than_one_value_kept(world, api_as):
    response = api_as(world.coordinator).get("/api/v1/referrals?status=new&status=declined")

    assert response.status_code == 422
    assert response.json()["detail"] == "status: Given more than once: give it once."


def test_a_write_with_an_unknown_query_parameter_changes_nothing(world, api_as):
    client = api_as(world.coordinator)
    before = fingerprint()

    response = send(
        client,
        "post",
        f"/api/v1/engagements/{world.engagement.pk}/transitions?force=1",
        {"to": "exiting", "reason": "Moving away"},
    )

    assert response.status_code == 422
    assert response.json()["detail"].startswith("force: Unknown query parameter")
    assert fingerprint() == before


@pytest.mark.parametrize(
    "query",
    [{"until": "0"}, {"since": "1700000000"}, {"until": "1737-10-30"}, {"since": "3000-01-01"}],
)
def test_a_day_must_be_written_as_one(world, api_as, query):
    # pydantic read "0" as the Unix time 0 (1970-01-01) and listed as if asked for it.
    response = api_as(world.coordinator).get("/api/v1/engagements", query)

    assert response.status_code == 422
    assert "YYYY-MM-DD" in response.json()["detail"]


@pytest.mark.parametrize("url", ["/api/v1/referrals", "/api/v1/goals", "/api/v1/exits"])
def test_an_id_filter_beyond_the_databases_integers_is_refused_not_a_server_error(
    world, api_as, url
):
    response = api_as(world.coordinator).get(url, {"participant": -HUGE})

    assert response.status_code == 422
    assert response.json()["detail"].startswith("participant: Input should be greater")


def test_a_path_id_beyond_the_databases_integers_is_not_found(world, api_as):
    client = api_as(world.coordinator)

    assert client.get(f"/api/v1/engagements/{HUGE}").status_code == 404
    assert client.get(f"/api/v1/meetings/-{HUGE}").json() == {"detail": "Not found."}


@pytest.mark.parametrize(
    ("path", "field", "wrong"),
    [
        ("/api/v1/concerns", "wants_different_supporter", 0),
        ("/api/v1/concerns", "wants_different_supporter", "yes"),
        ("/api/v1/agreements", "engagement", "1"),
        ("/api/v1/agreements", "engagement", True),
        ("/api/v1/agreements", "engagement", HUGE),
        ("/api/v1/agreements", "signed_on", 0),
        ("/api/v1/agreements", "signed_on", "1737-10-30"),
    ],
)
def test_a_value_of_another_type_is_refused_never_coerced(world, api_as, path, field, wrong):
    valid = {
        "/api/v1/concerns": {
            "category": "other",
            "description": "Something felt off.",
            "engagement": world.engagement.pk,
        },
        "/api/v1/agreements": {
            "engagement": world.engagement.pk,
            "template": world.release.pk,
            "signed_on": str(world.engagement.started_on),
            "signer_name": "Pat Rivera",
            "role": "participant",
        },
    }[path]
    client = api_as(world.coordinator)
    before = fingerprint()

    response = send(client, "post", path, {**valid, field: wrong})

    assert response.status_code == 422, response.content
    assert response.json()["detail"].startswith(f"{field}: "), response.json()
    assert fingerprint() == before


def test_the_token_request_refuses_unknown_fields_and_wrong_types(world, client):
    from conftest import PASSWORD

    for extra in ({"colour": "red"}, {"expires_in_days": "30"}):
        response = client.post(
            "/api/v1/auth/token",
            {"username": "cora", "password": PASSWORD, **extra},
            content_type="application/json",
        )
        assert response.status_code == 422, extra


def test_revoking_with_a_revoked_token_answers_401_as_documented(world, api_as):
    client = api_as(world.coordinator)
    assert client.delete("/api/v1/auth/token").status_code == 204

    assert client.delete("/api/v1/auth/token").status_code == 401
    responses = api.get_openapi_schema()["paths"]["/api/v1/auth/token"]["delete"]["responses"]
    assert 401 in responses


def test_every_operation_taking_a_body_documents_its_400():
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if "requestBody" in operation:
                assert 400 in operation["responses"], (method, path)


def test_no_two_schemas_share_a_name():
    """ninja names a component after its class: two classes of one name in the API would
    leave one operation documented with the other's body (goal and exit steps did)."""

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    names = Counter(
        cls.__name__ for cls in set(subclasses(Schema)) if cls.__module__.startswith("alongside.")
    )
    assert [name for name, count in names.items() if count > 1] == []
    schema = api.get_openapi_schema()
    body = schema["paths"]["/api/v1/goals/{goal_id}/steps"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "text" in schema["components"]["schemas"][ref]["properties"]


def test_the_document_states_the_range_of_days_and_numbers():
    schema = api.get_openapi_schema()
    since = next(
        p
        for p in schema["paths"]["/api/v1/referrals"]["get"]["parameters"]
        if p["name"] == "since"
    )
    assert since["schema"]["pattern"].startswith("^(19")
    engagement = schema["components"]["schemas"]["MeetingIn"]["properties"]["engagement"]
    assert engagement["maximum"] == 2**63 - 1


def test_an_offset_postgresql_cannot_store_is_taken_as_the_same_moment_in_utc(world, api_as):
    # Python allows offsets up to ±23:59, PostgreSQL only ±15:59: it answered 500.
    offset = datetime.timezone(-datetime.timedelta(hours=22, minutes=49))
    moment = (timezone.now() + datetime.timedelta(days=5)).replace(microsecond=0)
    moment = moment.astimezone(offset)
    client = api_as(world.coordinator)

    response = send(
        client,
        "post",
        "/api/v1/meetings",
        {
            "engagement": world.engagement.pk,
            "starts_at": moment.isoformat(),
            "mode": "phone",
            "place_type": "virtual",
        },
    )

    assert response.status_code == 201, response.content
    assert Meeting.objects.get(pk=response.json()["id"]).starts_at == moment
    listed = client.get("/api/v1/meetings", {"from": moment.isoformat()})
    assert listed.status_code == 200
    assert [m["id"] for m in listed.json()["items"]] == [response.json()["id"]]


def test_a_username_with_nul_is_refused_not_a_server_error(world, client):
    # Axes records the failed sign-in by username; PostgreSQL text cannot hold NUL (500).
    response = client.post(
        "/api/v1/auth/token",
        {"username": "co\x00ra", "password": "x"},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["detail"].startswith("username: ")
