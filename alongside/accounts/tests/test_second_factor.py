"""Two-step sign-in: staff need a code after their password; the rule holds in the
permission layer, not only on the sign-in pages."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from alongside.accounts import second_factor
from alongside.accounts.lockout import sign_in_unlock
from alongside.accounts.models import SignInEvent, User
from alongside.accounts.testing import give_app, next_code
from alongside.audit.models import AuditEvent
from alongside.core.permissions import Cap, has_capability, roles_of
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _password(client: Client, user: User, password: str = PASSWORD):
    return client.post(
        reverse("accounts:login"), {"username": user.username, "password": password}
    )


def _code(client: Client, code: str, next_url: str = "/dashboard/"):
    return client.post(reverse("accounts:second_factor_verify"), {"code": code, "next": next_url})


def _kinds(user: User) -> list[str]:
    return list(user.sign_in_events.values_list("kind", flat=True))


def test_a_password_alone_opens_no_staff_page(client, world):
    give_app(world.coordinator)
    _password(client, world.coordinator)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:second_factor_verify"))


def test_the_domain_withholds_staff_roles_from_an_unverified_session(world):
    coordinator = User.objects.get(pk=world.coordinator.pk)
    coordinator.second_factor_verified = False
    assert roles_of(coordinator, world.org) == frozenset()
    assert not has_capability(coordinator, world.org, Cap.PARTICIPANTS_VIEW)
    coordinator = User.objects.get(pk=world.coordinator.pk)
    coordinator.second_factor_verified = True
    assert has_capability(coordinator, world.org, Cap.PARTICIPANTS_VIEW)


def test_the_api_refuses_an_unverified_browser_session(client, world):
    give_app(world.coordinator)
    _password(client, world.coordinator)
    response = client.get("/api/v1/participants")
    assert response.status_code == 403


def test_staff_with_an_app_pass_with_its_code(client, world):
    give_app(world.coordinator)
    _password(client, world.coordinator)
    response = _code(client, next_code(world.coordinator))
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert client.get(reverse("dashboard")).status_code == 200
    assert _kinds(world.coordinator)[:2] == [
        SignInEvent.Kind.SECOND_STEP,
        SignInEvent.Kind.SIGNED_IN,
    ]


def test_a_code_works_once(client, world):
    give_app(world.coordinator)
    code = next_code(world.coordinator)
    _password(client, world.coordinator)
    assert _code(client, code).status_code == 302
    other = Client()
    _password(other, world.coordinator)
    response = _code(other, code)
    assert response.status_code == 400
    assert "did not match" in response.content.decode()


def test_a_wrong_code_is_refused_and_recorded(client, world):
    give_app(world.coordinator)
    _password(client, world.coordinator)
    response = _code(client, "000000" if next_code(world.coordinator) != "000000" else "111111")
    assert response.status_code == 400
    assert client.get(reverse("dashboard")).status_code == 302
    assert _kinds(world.coordinator)[0] == SignInEvent.Kind.WRONG_CODE


def test_an_unsafe_next_goes_home(client, world):
    give_app(world.coordinator)
    _password(client, world.coordinator)
    response = _code(client, next_code(world.coordinator), next_url="https://example.net/")
    assert response["Location"] == reverse("home")


def test_a_recovery_code_works_once(client, world):
    give_app(world.coordinator)
    codes = second_factor._recovery_codes_replace(world.coordinator)
    _password(client, world.coordinator)
    assert _code(client, codes[0].upper()).status_code == 302
    assert SignInEvent.Kind.RECOVERY_CODE_USED in _kinds(world.coordinator)
    assert second_factor.recovery_codes_left(world.coordinator) == len(codes) - 1
    other = Client()
    _password(other, world.coordinator)
    assert _code(other, codes[0]).status_code == 400


def test_repeated_wrong_codes_pause_sign_in_until_an_admin_unlocks(client, world):
    give_app(world.coordinator)
    _password(client, world.coordinator)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _code(client, "12345x").status_code == 400
    response = _code(client, "12345x")
    assert response.status_code == 429
    assert "Sign-in paused" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert _password(Client(), world.coordinator).status_code == 429  # the password too
    assert SignInEvent.Kind.LOCKED_OUT in _kinds(world.coordinator)

    sign_in_unlock(world.coordinator, actor=world.admin)
    again = Client()
    assert _password(again, world.coordinator).status_code == 302
    assert _code(again, next_code(world.coordinator)).status_code == 302
    assert AuditEvent.objects.filter(action="accounts.sign_in_unlocked").exists()


def test_staff_without_an_app_set_one_up_and_get_recovery_codes(client, world):
    _password(client, world.supporter)
    response = client.get(reverse("dashboard"))
    assert response["Location"].startswith(reverse("accounts:second_factor_setup"))
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=world.supporter, confirmed=False)
    assert second_factor.secret_text(device).replace(" ", "") in page.content.decode().replace(
        " ", ""
    )

    wrong = client.post(reverse("accounts:second_factor_setup"), {"code": "abc"})
    assert wrong.status_code == 400
    device.refresh_from_db()
    assert not device.confirmed

    code = second_factor.current_code(device)
    done = client.post(
        reverse("accounts:second_factor_setup"), {"code": code, "next": "/dashboard/"}
    )
    assert done.status_code == 200
    codes = StaticToken.objects.filter(device__user=world.supporter).values_list(
        "token", flat=True
    )
    assert len(codes) == second_factor.RECOVERY_CODE_COUNT
    assert all(token in done.content.decode() for token in codes)
    assert client.get(reverse("dashboard")).status_code == 200
    assert AuditEvent.objects.filter(action="accounts.second_factor_on").exists()


def test_a_password_alone_cannot_enrol_a_new_phone(client, world):
    give_app(world.coordinator)
    _password(client, world.coordinator)
    response = client.get(reverse("accounts:second_factor_setup"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:second_factor_verify"))
    assert not TOTPDevice.objects.filter(user=world.coordinator, confirmed=False).exists()


def test_participants_choose_and_may_turn_it_off_but_staff_may_not(client, world):
    pat = world.participant_user
    _password(client, pat)
    assert client.get(reverse("portal:home")).status_code == 200  # no second step owed
    client.get(reverse("accounts:second_factor_setup"))
    device = TOTPDevice.objects.get(user=pat)
    client.post(
        reverse("accounts:second_factor_setup"), {"code": second_factor.current_code(device)}
    )
    assert second_factor.requires_second_factor(pat)

    later = Client()
    _password(later, pat)
    assert later.get(reverse("portal:home"))["Location"].startswith(
        reverse("accounts:second_factor_verify")
    )
    page = client.get(reverse("accounts:security")).content.decode()
    assert 'for="off-password">Your password, to turn two-step sign-in off' in page
    assert "10 unused recovery codes" in page
    client.post(reverse("accounts:second_factor_off"), {"password": "wrong"})
    assert second_factor.requires_second_factor(pat)
    client.post(reverse("accounts:second_factor_off"), {"password": PASSWORD})
    assert not second_factor.requires_second_factor(pat)

    with pytest.raises(second_factor.PermissionDenied):
        second_factor.second_factor_turn_off(world.coordinator, PASSWORD)


def test_a_password_change_ends_every_other_session(world):
    here, there = Client(), Client()
    here.force_login(world.supporter)
    there.force_login(world.supporter)
    response = here.post(
        reverse("accounts:password"),
        {
            "old_password": PASSWORD,
            "new_password1": "a new long phrase 42",
            "new_password2": "a new long phrase 42",
        },
    )
    assert response.status_code == 302
    assert here.get(reverse("dashboard")).status_code == 200
    assert there.get(reverse("dashboard"))["Location"].startswith(reverse("accounts:login"))
    assert SignInEvent.Kind.PASSWORD_CHANGED in _kinds(world.supporter)


def test_signing_out_everywhere_else_keeps_this_session(world):
    here, there = Client(), Client()
    here.force_login(world.supporter)
    there.force_login(world.supporter)
    refused = here.post(reverse("accounts:sessions_end"), {"password": "wrong"})
    assert refused.status_code == 302
    assert there.get(reverse("dashboard")).status_code == 200
    here.post(reverse("accounts:sessions_end"), {"password": PASSWORD})
    assert here.get(reverse("dashboard")).status_code == 200
    assert there.get(reverse("dashboard"))["Location"].startswith(reverse("accounts:login"))


def test_an_admin_reset_removes_the_app_and_ends_sessions(world):
    give_app(world.supporter)
    second_factor._recovery_codes_replace(world.supporter)
    session = Client()
    session.force_login(world.supporter)
    second_factor.second_factor_reset(User.objects.get(pk=world.supporter.pk), actor=world.admin)
    assert second_factor.app_device(world.supporter) is None
    assert second_factor.recovery_codes_left(world.supporter) == 0
    assert session.get(reverse("dashboard"))["Location"].startswith(reverse("accounts:login"))
    event = AuditEvent.objects.get(action="accounts.second_factor_reset")
    assert event.actor == world.admin


def test_the_history_page_shows_the_persons_own_sign_ins_only(client, world):
    give_app(world.coordinator)
    _password(Client(), world.coordinator, "wrong")
    client.force_login(world.supporter)
    second_factor.record_sign_in_event(world.supporter, SignInEvent.Kind.SIGNED_IN)
    page = client.get(reverse("accounts:security")).content.decode()
    assert "Signed in with password" in page
    assert "Wrong password" not in page
    assert "Turn off two-step sign-in" not in page  # staff keep it


def test_staff_sessions_idle_out_sooner_than_participants(world):
    staff, participant = Client(), Client()
    _password(staff, world.supporter)
    _password(participant, world.participant_user)
    assert staff.session.get_expiry_age() == 60 * settings.SESSION_IDLE_MINUTES
    assert participant.session.get_expiry_age() == 60 * settings.PARTICIPANT_SESSION_IDLE_MINUTES
    assert settings.SESSION_IDLE_MINUTES == 15


def test_keep_alive_answers_signed_in_people_only(client, world):
    assert client.post(reverse("accounts:keep_alive")).status_code == 401
    client.force_login(world.supporter)
    assert client.post(reverse("accounts:keep_alive")).status_code == 204
    assert client.get(reverse("accounts:keep_alive")).status_code == 405


def test_the_admin_site_needs_the_second_step_too(world):
    admin = User.objects.get(pk=world.admin.pk)
    admin.is_staff = True
    admin.save()
    give_app(admin)
    client = Client()
    _password(client, admin)
    response = client.get("/admin/", follow=False)
    assert response.status_code == 302
    assert "/admin/" not in response["Location"].split("?")[0]
    assert client.get("/admin/login/")["Location"].startswith(reverse("accounts:login"))
