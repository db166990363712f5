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


def test_env_secret_reads_the_variable_then_the_file_then_the_default(monkeypatch, tmp_path):
    secret = tmp_path / "password"
    secret.write_text("from-the-file\n")
    monkeypatch.delenv("ALONGSIDE_X", raising=False)
    monkeypatch.delenv("ALONGSIDE_X_FILE", raising=False)
    assert configured.env_secret("ALONGSIDE_X", "fallback") == "fallback"
    monkeypatch.setenv("ALONGSIDE_X_FILE", str(secret))
    assert configured.env_secret("ALONGSIDE_X") == "from-the-file"
    monkeypatch.setenv("ALONGSIDE_X", "from-the-variable")
    assert configured.env_secret("ALONGSIDE_X") == "from-the-variable"


def test_an_unreadable_secret_file_stops_the_start(monkeypatch, tmp_path):
    monkeypatch.delenv("ALONGSIDE_X", raising=False)
    monkeypatch.setenv("ALONGSIDE_X_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="ALONGSIDE_X_FILE names"):
        configured.env_secret("ALONGSIDE_X")


def test_database_url_and_email_password_come_from_files(tmp_path):
    """In a fresh process, as a server reads them (Docker or systemd credentials)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    url = tmp_path / "database_url"
    url.write_text("postgres://alongside:s3cret@db.internal:5433/records\n")
    password = tmp_path / "email_password"
    password.write_text("mail-pass\n")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "EMAIL_HOST_PASSWORD"}
    }
    env.update(
        DATABASE_URL_FILE=str(url),
        EMAIL_HOST_PASSWORD_FILE=str(password),
        DJANGO_SETTINGS_MODULE="alongside.settings",
    )
    code = (
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['ENGINE'], d['HOST'], d['PORT'], d['NAME'], d['PASSWORD'], "
        "settings.EMAIL_HOST_PASSWORD)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(configured.BASE_DIR),
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == [
        "django.db.backends.postgresql",
        "db.internal",
        "5433",
        "records",
        "s3cret",
        "mail-pass",
    ]
