"""Tokens, sessions and their refusals."""

from __future__ import annotations

import hashlib

from django.test import Client

from alongside.accounts.models import Role, SignInEvent
from alongside.accounts.testing import give_app, next_code
from alongside.api.models import ApiToken
from alongside.api.tests.conftest import post_json
from alongside.core.middleware import SESSION_ORGANIZATION_KEY
from alongside.engagements.models import State
from conftest import PASSWORD, grant

TOKEN_URL = "/api/v1/auth/token"


def test_it_issues_a_token_that_opens_the_api(world):
    give_app(world.supporter)
    response = post_json(
        Client(),
        TOKEN_URL,
        {"username": "sunny", "password": PASSWORD, "otp": next_code(world.supporter)},
    )

    assert response.status_code == 200
    token = response.json()["token"]
    stored = ApiToken.objects.get(user=world.supporter)
    assert stored.hashed_key == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored.hashed_key
    listed = Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/engagements")
    assert listed.status_code == 200
    stored.refresh_from_db()
    assert stored.last_used_at is not None


def test_it_refuses_a_wrong_password_with_401(world):
    response = post_json(Client(), TOKEN_URL, {"username": "sunny", "password": "nope"})

    assert response.status_code == 401
    assert response.json() == {"detail": "Wrong username or password."}
    assert not ApiToken.objects.exists()


def test_it_locks_the_account_after_five_failures(world):
    client = Client()
    for _ in range(5):
        post_json(client, TOKEN_URL, {"username": "sunny", "password": "wrong guess"})

    response = post_json(client, TOKEN_URL, {"username": "sunny", "password": PASSWORD})

    assert response.status_code == 429
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "locked for 15 minutes" in response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_it_answers_422_for_credentials_of_the_wrong_type(world):
    response = post_json(Client(), TOKEN_URL, {"username": ["sunny"], "password": 3})

    assert response.status_code == 422
    assert "username" in response.json()["detail"]


def test_it_refuses_requests_without_credentials(world):
    response = Client().get("/api/v1/engagements")

    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_refuses_an_unknown_token(world):
    client = Client(headers={"Authorization": "Bearer not-a-token"})

    response = client.get("/api/v1/engagements")

    assert response.status_code == 401
    assert response.json() == {"detail": "The token is not valid. Ask for a new one."}


def test_tokens_of_inactive_users_do_not_work(world, api_as):
    client = api_as(world.supporter)
    world.supporter.is_active = False
    world.supporter.save()

    assert client.get("/api/v1/engagements").status_code == 401


def test_a_revoked_token_stops_working(world, api_as):
    client = api_as(world.supporter)

    assert client.delete(TOKEN_URL).status_code == 204
    assert client.get("/api/v1/engagements").status_code == 401
    assert not ApiToken.objects.exists()


def test_a_session_has_no_token_to_revoke(world):
    client = Client()
    client.force_login(world.supporter)
    client.cookies["csrftoken"] = "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6"

    response = client.delete(TOKEN_URL, headers={"X-CSRFToken": client.cookies["csrftoken"].value})

    assert response.status_code == 400
    assert "not made with a token" in response.json()["detail"]


def test_a_signed_in_browser_reads_with_its_session(world):
    client = Client()
    client.force_login(world.supporter)

    response = client.get("/api/v1/engagements")

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [world.engagement.pk]


def test_a_session_post_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.supporter)

    response = post_json(
        client,
        f"/api/v1/engagements/{world.engagement.pk}/transitions",
        {"to": "exiting", "reason": "Goals met"},
    )

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    world.engagement.refresh_from_db()
    assert world.engagement.state == State.ACTIVE


def test_a_session_post_with_csrf_token_is_accepted(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.supporter)
    secret = "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6"
    client.cookies["csrftoken"] = secret

    response = client.post(
        f"/api/v1/engagements/{world.engagement.pk}/transitions",
        {"to": "exiting", "reason": "Goals met"},
        content_type="application/json",
        headers={"X-CSRFToken": secret},
    )

    assert response.status_code == 200
    assert response.json()["state"] == State.EXITING


def test_a_session_works_in_the_organization_chosen_in_it(world):
    grant(world.coordinator, world.other_org, Role.COORDINATOR, programs=[world.other_program])
    client = Client()
    client.force_login(world.coordinator)

    first = client.get("/api/v1/engagements").json()["items"]
    session = client.session
    session[SESSION_ORGANIZATION_KEY] = world.org.pk
    session.save()
    chosen = client.get("/api/v1/engagements").json()["items"]

    # Without a choice, the first organization by name: Elsewhere Recovery.
    assert [item["id"] for item in first] == [world.foreign_engagement.pk]
    assert {item["id"] for item in chosen} == {world.engagement.pk, world.other_engagement.pk}


def test_staff_send_their_second_step_code_as_otp(world):
    give_app(world.supporter)
    body = {"username": "sunny", "password": PASSWORD}
    missing = post_json(Client(), TOKEN_URL, body)
    assert missing.status_code == 401
    assert "otp" in missing.json()["detail"]
    wrong = post_json(Client(), TOKEN_URL, {**body, "otp": "12345x"})
    assert wrong.status_code == 401
    assert not ApiToken.objects.exists()
    assert SignInEvent.Kind.WRONG_CODE in world.supporter.sign_in_events.values_list(
        "kind", flat=True
    )


def test_staff_without_an_app_are_sent_to_the_website_first(world):
    response = post_json(Client(), TOKEN_URL, {"username": "sunny", "password": PASSWORD})
    assert response.status_code == 403
    assert "two-step" in response.json()["detail"]


def test_participants_without_an_app_need_no_code(world):
    response = post_json(
        Client(), TOKEN_URL, {"username": world.participant_user.username, "password": PASSWORD}
    )
    assert response.status_code == 200
