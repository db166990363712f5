"""The API's rate limit: per token, per signed-in user, per address; 429 with Retry-After."""

from __future__ import annotations

import pytest
from django.test import Client

from alongside.api import throttle
from alongside.api.services import api_token_issue
from alongside.api.tests.conftest import post_json
from conftest import PASSWORD

LIST = "/api/v1/engagements"
START = 1_000_040.0  # 20 s into a minute window (16_667 * 60 = 1_000_020)


@pytest.fixture
def limit(settings, monkeypatch):
    """A limit of 3 a minute, and a clock the test moves."""
    settings.ALONGSIDE_API_RATE_LIMIT = 3
    clock = {"now": START}
    monkeypatch.setattr(throttle, "_now", lambda: clock["now"])
    return clock


def bearer(raw: str, **extra) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"}, **extra)


def test_every_api_answer_carries_the_limit_and_what_remains(world, limit, api_as):
    client = api_as(world.supporter)

    answers = [client.get(LIST) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a["X-RateLimit-Limit"] for a in answers] == ["3", "3", "3"]
    assert [a["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
    assert answers[0]["X-RateLimit-Reset"] == "40"


def test_errors_count_and_carry_the_headers_too(world, limit):
    response = Client().get(LIST)

    assert response.status_code == 401
    assert response["X-RateLimit-Remaining"] == "2"


def test_past_the_limit_it_answers_429_with_retry_after(world, limit, api_as):
    client = api_as(world.supporter)
    for _ in range(3):
        client.get(LIST)

    response = client.get(LIST)

    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "Too many requests: at most 3 a minute. Try again in 40 seconds."
    }
    assert response["Retry-After"] == "40"
    assert response["X-RateLimit-Limit"] == "3"
    assert response["X-RateLimit-Remaining"] == "0"


def test_a_refused_write_changes_nothing(world, limit, api_as):
    client = api_as(world.supporter)
    for _ in range(3):
        client.get(LIST)

    response = post_json(
        client,
        f"/api/v1/engagements/{world.engagement.pk}/transitions",
        {"to": "exiting", "reason": "Goals met"},
    )

    assert response.status_code == 429
    world.engagement.refresh_from_db()
    assert world.engagement.state == "active"


def test_the_window_resets_after_the_minute(world, limit, api_as):
    client = api_as(world.supporter)
    for _ in range(4):
        client.get(LIST)
    limit["now"] = START + 39
    assert client.get(LIST).status_code == 429

    limit["now"] = START + 40  # the next minute

    response = client.get(LIST)
    assert response.status_code == 200
    assert response["X-RateLimit-Remaining"] == "2"


def test_each_token_has_its_own_count(world, limit):
    first = bearer(api_token_issue(user=world.supporter))
    second = bearer(api_token_issue(user=world.supporter))
    other = bearer(api_token_issue(user=world.other_supporter))
    for _ in range(3):
        first.get(LIST)

    assert first.get(LIST).status_code == 429
    assert second.get(LIST).status_code == 200
    assert other.get(LIST).status_code == 200


def test_a_session_counts_per_user_apart_from_tokens(world, limit, api_as):
    session = Client()
    session.force_login(world.supporter)
    for _ in range(3):
        session.get(LIST)
    assert session.get(LIST).status_code == 429

    other = Client()
    other.force_login(world.other_supporter)
    assert other.get(LIST).status_code == 200
    assert api_as(world.supporter).get(LIST).status_code == 200


def test_the_token_endpoint_counts_per_address(world, limit):
    here = Client(REMOTE_ADDR="203.0.113.5")
    # A participant's account: no second-step code to send, so only the count differs.
    body = {"username": world.participant_user.username, "password": PASSWORD}
    answers = [post_json(here, "/api/v1/auth/token", body).status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
    there = Client(REMOTE_ADDR="198.51.100.7")
    assert post_json(there, "/api/v1/auth/token", body).status_code == 200


def test_guessing_tokens_is_counted_against_the_address(world, limit):
    answers = [
        bearer(f"guess-{n}", REMOTE_ADDR="203.0.113.5").get(LIST).status_code for n in range(4)
    ]

    assert answers == [401, 401, 401, 429]
    elsewhere = bearer(api_token_issue(user=world.supporter), REMOTE_ADDR="198.51.100.7")
    assert elsewhere.get(LIST).status_code == 200


def test_pages_outside_the_api_are_not_counted(world, limit):
    client = Client()
    client.force_login(world.supporter)

    answers = [client.get("/notifications/") for _ in range(5)]

    assert {a.status_code for a in answers} == {200}
    assert "X-RateLimit-Limit" not in answers[0]


def test_a_limit_of_zero_turns_it_off(world, settings, api_as):
    settings.ALONGSIDE_API_RATE_LIMIT = 0
    client = api_as(world.supporter)

    response = client.get(LIST)

    assert response.status_code == 200
    assert "X-RateLimit-Limit" not in response


def test_the_default_is_600_a_minute(world, api_as):
    response = api_as(world.supporter).get(LIST)

    assert response["X-RateLimit-Limit"] == "600"
    assert response["X-RateLimit-Remaining"] == "599"


def test_the_cache_holds_no_token_or_address(world, limit):
    raw = api_token_issue(user=world.supporter)
    bearer(raw, REMOTE_ADDR="203.0.113.5").get(LIST)

    from django.core.cache import cache

    keys = list(cache._cache.keys())  # the local-memory cache of the tests
    assert keys
    assert not any(raw in key or "203.0.113.5" in key for key in keys)
