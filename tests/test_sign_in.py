"""Signing in: Argon2 hashes, throttling after repeated failures, session expiry."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher, make_password
from django.test import override_settings
from django.urls import reverse

from alongside.accounts import second_factor
from alongside.accounts.models import User
from alongside.accounts.testing import give_app, next_code
from conftest import PASSWORD


def _sign_in(client, username: str, password: str):
    """Both steps, as a person does them: the password, then the app's code if one is owed."""
    response = client.post(reverse("accounts:login"), {"username": username, "password": password})
    user = User.objects.get(username=username)
    if response.status_code == 302 and second_factor.requires_second_factor(user):
        give_app(user)
        response = client.post(
            reverse("accounts:second_factor_verify"), {"code": next_code(user), "next": "/"}
        )
    return response


def test_passwords_are_hashed_with_argon2():
    # The suite swaps in a fast hasher (conftest); the settings module itself is unchanged.
    import alongside.settings as configured

    assert configured.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_argon2_is_what_the_production_list_produces():
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"]):
        assert identify_hasher(make_password("a long passphrase")).algorithm == "argon2"


def test_a_person_signs_in_and_lands_on_their_work(client, world):
    response = _sign_in(client, world.supporter.username, PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("home"))["Location"] == reverse("dashboard")
    client.post(reverse("accounts:logout"))
    _sign_in(client, world.participant_user.username, PASSWORD)
    assert client.get(reverse("home"))["Location"] == reverse("portal:home")


def test_a_wrong_password_says_so_without_saying_which_part(client, world):
    response = _sign_in(client, world.supporter.username, "nope")
    assert response.status_code == 200
    assert "did not match" in response.content.decode()


def test_sign_in_is_paused_after_repeated_failures(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, world.supporter.username, "wrong password")
    response = _sign_in(client, world.supporter.username, PASSWORD)
    assert response.status_code == 429
    assert "Sign-in paused" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "setting", ["SESSION_SAVE_EVERY_REQUEST", "SESSION_EXPIRE_AT_BROWSER_CLOSE"]
)
def test_sessions_expire(setting):
    assert getattr(settings, setting) is True
    assert settings.SESSION_COOKIE_AGE <= 60 * 60


def test_forms_are_protected_against_cross_site_requests(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.supporter)
    response = client.post(
        reverse("plans:goal_create", args=[world.engagement.pk]),
        {"statement": "x", "wellness_dimension": "social"},
    )
    assert response.status_code == 403
    assert not world.engagement.goals.exists()
