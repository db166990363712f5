"""Errors answer JSON with a 4xx status; the OpenAPI document is served, the docs page is not."""

from __future__ import annotations

import pytest
from django.test import Client

from alongside.engagements.models import State


def test_the_openapi_document_lists_the_resources(db):
    response = Client().get("/api/v1/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/auth/token",
        "/api/v1/participants",
        "/api/v1/participants/{participant_id}",
        "/api/v1/referrals",
        "/api/v1/referrals/{referral_id}",
        "/api/v1/engagements",
        "/api/v1/engagements/{engagement_id}",
        "/api/v1/engagements/{engagement_id}/transitions",
    ):
        assert path in paths


def test_there_is_no_interactive_docs_page(db):
    # It would load Swagger UI from a third-party CDN.
    assert Client().get("/api/v1/docs").status_code == 404


def test_malformed_json_answers_4xx_in_json(world, api_as):
    response = api_as(world.supporter).post(
        f"/api/v1/engagements/{world.engagement.pk}/transitions",
        '{"to": "exiting", "reason": ',
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "not valid JSON" in response.json()["detail"]
    world.engagement.refresh_from_db()
    assert world.engagement.state == State.ACTIVE


@pytest.mark.parametrize("body", ["[]", '"exiting"', "null", "42"])
def test_json_that_is_not_an_object_answers_422(world, api_as, body):
    response = api_as(world.supporter).post(
        f"/api/v1/engagements/{world.engagement.pk}/transitions",
        body,
        content_type="application/json",
    )

    assert response.status_code == 422
    assert isinstance(response.json()["detail"], str)


@pytest.mark.parametrize("pk", ["abc", "1.5", "99999999999999999999999"])
def test_ids_that_are_not_ids_answer_4xx_in_json(world, api_as, pk):
    response = api_as(world.coordinator).get(f"/api/v1/engagements/{pk}")

    assert response.status_code in (404, 422)
    assert response.json()["detail"]


def test_a_huge_but_valid_id_is_simply_not_found(world, api_as):
    response = api_as(world.coordinator).get(f"/api/v1/participants/{2**63 - 1}")

    assert response.status_code == 404


def test_api_answers_are_not_cached(world, api_as):
    response = api_as(world.supporter).get("/api/v1/participants")

    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/nothing", "/api/v1/participants/"])
def test_unknown_api_paths_answer_404_in_json(world, api_as, path):
    response = api_as(world.coordinator).get(path)

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_post_to_an_unknown_path_answers_404_in_json(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.coordinator)

    response = client.post("/api/v1/nothing", {}, content_type="application/json")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_wrong_method_answers_405_in_json(world, api_as):
    response = api_as(world.coordinator).put("/api/v1/referrals")

    assert response.status_code == 405
    assert "POST" in response["Allow"]
    assert "GET" in response.json()["detail"]
