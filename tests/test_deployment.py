"""Production settings pass Django's deployment checks, and no model change lacks its
migration: run as an operator would, in a fresh process with production environment."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """``manage.py`` in a new process with only production settings in its environment."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ALONGSIDE_", "DJANGO_")) and key not in ("DATABASE_URL",)
    }
    environment.update(
        ALONGSIDE_VAR_DIR=str(tmp_path),
        ALONGSIDE_SQLITE_PATH=str(tmp_path / "deploy.sqlite3"),
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="alongside.example.org",
        **env,
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checks(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deployment_checks_catch_debug_left_on(tmp_path):
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path, ALONGSIDE_DEBUG="1"
    )

    assert result.returncode != 0
    assert "security.W018" in result.stderr


def test_every_model_change_has_its_migration(tmp_path):
    result = manage("makemigrations", "--check", "--dry-run", tmp_path=tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
