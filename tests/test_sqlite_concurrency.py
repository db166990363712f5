"""Concurrent writers on the embedded SQLite database queue instead of failing.

Runs real processes against a real database file (the suite's own test database
is in memory), whatever database the rest of the suite uses.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WRITERS = 4
WRITES_EACH = 60

WRITER = f"""
import django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "alongside.settings"
django.setup()
from django.db import transaction
from alongside.organizations.models import Organization
name = os.environ["WRITER"]
for i in range({WRITES_EACH}):
    # Read, then write, in one transaction: a deferred SQLite transaction would fail
    # here with "database is locked" when another writer got in between.
    with transaction.atomic():
        n = Organization.objects.count()
        Organization.objects.create(name=f"{{name}}-{{i}}-{{n}}", slug=f"{{name}}-{{i}}")
"""


def test_concurrent_writers_never_see_database_is_locked(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        ALONGSIDE_SQLITE_PATH=str(tmp_path / "concurrency.sqlite3"),
        ALONGSIDE_VAR_DIR=str(tmp_path),
        ALONGSIDE_DEBUG="0",
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER],
            cwd=ROOT,
            env={**env, "WRITER": f"w{n}"},
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(WRITERS)
    ]
    failures = []
    for writer in writers:
        _, stderr = writer.communicate(timeout=120)
        if writer.returncode != 0:
            failures.append(stderr[-2000:])
    assert not failures, failures
    count = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'alongside.settings'; "
            "django.setup(); from alongside.organizations.models import Organization; "
            "print(Organization.objects.count())",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(count.stdout.strip()) == WRITERS * WRITES_EACH
