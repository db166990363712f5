"""Configuration fails loudly on bad values, and deployment mistakes are system checks."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from alongside import settings as configured
from alongside.core.checks import check_deployment


@pytest.mark.parametrize("value", ["maybe", "2", "yes please"])
def test_a_malformed_boolean_stops_the_start(monkeypatch, value):
    monkeypatch.setenv("ALONGSIDE_X", value)
    with pytest.raises(ImproperlyConfigured, match="ALONGSIDE_X must be a boolean"):
        configured.env_bool("ALONGSIDE_X", False)


def test_a_malformed_number_stops_the_start(monkeypatch):
    monkeypatch.setenv("ALONGSIDE_X", "ten")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        configured.env_int("ALONGSIDE_X", 5)


def test_booleans_and_numbers_read_as_written(monkeypatch):
    monkeypatch.setenv("ALONGSIDE_X", "off")
    assert configured.env_bool("ALONGSIDE_X", True) is False
    monkeypatch.setenv("ALONGSIDE_X", "15")
    assert configured.env_int("ALONGSIDE_X", 5) == 15


def test_a_secret_can_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "key"
    secret.write_text("s" * 10 + "0123456789abcdefghijklmnopqrstuvwxyz\n")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("SECRET_KEY_FILE", str(secret))
    assert configured.secret_from_env_or_file("SECRET_KEY") == secret.read_text().strip()


def test_debug_is_off_unless_asked_for():
    assert configured.env_bool("ALONGSIDE_DEBUG_UNSET_IN_TESTS", False) is False
    from django.conf import settings

    assert settings.DEBUG is False


def test_a_weak_secret_key_is_a_deployment_error(settings):
    settings.SECRET_KEY = "changeme"
    assert [e.id for e in check_deployment(None)] == ["alongside.E001"]
    settings.SECRET_KEY = "x" * 60
    assert [e.id for e in check_deployment(None)] == ["alongside.E001"]


def test_demo_mode_outside_development_is_flagged(settings):
    settings.SECRET_KEY = "a-Long-and-random-secret-key-0123456789-abcdefghijklmnop"
    settings.DEBUG = False
    settings.DEMO_MODE = True
    assert [e.id for e in check_deployment(None)] == ["alongside.W001"]
    settings.DEMO_MODE = False
    assert check_deployment(None) == []
