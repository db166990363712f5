"""`manage.py backup` and `manage.py restore`, on whichever database the suite runs on.

The tests are transactional: pg_dump and pg_restore run in other processes, which would
not see (or would wait on) the rows of a test's open transaction.
"""

from __future__ import annotations

import io
import re
import sqlite3
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from alongside.core import backups
from alongside.engagements.models import Engagement
from alongside.organizations.models import Organization
from alongside.participants.models import Participant

pytestmark = pytest.mark.django_db(transaction=True)

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_dump and pg_restore: PostgreSQL only"
)
on_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's backup API: SQLite only"
)
SUFFIX = backups.SUFFIXES[connection.vendor]


def snapshot() -> dict[str, list[dict]]:
    """Every row of every table, in primary-key order."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def _backups_in_tmp(settings, tmp_path):
    """The safety backup a restore makes first goes to the test's folder, not var/."""
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture
def scan(settings) -> Path:
    """An uploaded file: a scan of a signature on paper."""
    path = Path(settings.PRIVATE_FILES_DIR) / "scans" / "contract.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF- the signed contract")
    return path


def change_everything(world) -> None:
    Participant.objects.filter(pk=world.participant.pk).update(first_name="Changed")
    Engagement.objects.filter(pk=world.foreign_engagement.pk).delete()
    Organization.objects.create(name="Made after the backup", slug="after")


def test_a_restore_brings_back_exactly_what_was_backed_up(world, scan, tmp_path):
    before = snapshot()
    path = tmp_path / f"nightly{SUFFIX}"

    said = run("backup", "--output", str(path))

    assert re.fullmatch(
        rf"Backed up the database to {re.escape(str(path))} \(\d+(\.\d)? (bytes|KB|MB)\) "
        r"in \d+\.\d s; .*\.\n",
        said,
    )
    change_everything(world)
    assert snapshot() != before

    changed = snapshot()
    said = run("restore", str(path), "--yes")

    assert said.startswith(f"Restored the database and 1 uploaded file(s) from {path} in ")
    assert said.count("\n") == 1
    assert snapshot() == before
    assert Participant.objects.get(pk=world.participant.pk).first_name == "Pat"
    assert Engagement.objects.filter(pk=world.foreign_engagement.pk).exists()
    assert not Organization.objects.filter(slug="after").exists()
    # What was there before the restore was kept, and restores in turn.
    safety = Path(re.search(r"the database as it was is in (\S+)\)", said).group(1))
    assert safety.parent == backups.default_backup_dir()
    run("restore", str(safety), "--yes", "--no-safety-backup")
    assert snapshot() == changed


def test_it_says_when_the_restored_database_needs_migrating(world, tmp_path):
    recorder = MigrationRecorder(connection)
    last = recorder.migration_qs.order_by("-id").first()
    path = tmp_path / f"older{SUFFIX}"
    try:
        # A backup made before the newest migration ran.
        last.delete()
        run("backup", "--output", str(path))
        recorder.record_applied(last.app, last.name)

        said = run("restore", str(path), "--yes")

        assert said.endswith("; 1 migration(s) not applied: run `manage.py migrate`.\n")
    finally:
        if not recorder.migration_qs.filter(app=last.app, name=last.name).exists():
            recorder.record_applied(last.app, last.name)


def test_the_uploaded_files_come_back_with_the_database(world, scan, tmp_path, settings):
    private = Path(settings.PRIVATE_FILES_DIR)
    (private / "reports" / "2026-11.csv").parent.mkdir(parents=True)
    (private / "reports" / "2026-11.csv").write_text("month,meetings\n2026-11,12\n")
    path = tmp_path / f"b{SUFFIX}"
    uploaded = sorted(p.relative_to(private) for p in private.rglob("*") if p.is_file())
    assert uploaded == [Path("reports/2026-11.csv"), Path("scans/contract.pdf")]

    said = run("backup", "--output", str(path))

    archive = backups.files_archive_path(path)
    assert f"; {len(uploaded)} uploaded file(s) in {archive}." in said
    scan.write_bytes(b"overwritten")
    (private / "reports" / "2026-11.csv").unlink()

    run("restore", str(path), "--yes")

    assert scan.read_bytes() == b"%PDF- the signed contract"
    assert sorted(p.relative_to(private) for p in private.rglob("*") if p.is_file()) == uploaded


def test_backups_are_readable_by_their_owner_only(world, scan, tmp_path):
    path = tmp_path / "backups" / f"b{SUFFIX}"

    run("backup", "--output", str(path))

    assert path.stat().st_mode & 0o777 == 0o600
    assert backups.files_archive_path(path).stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert sorted(p.name for p in path.parent.iterdir()) == [
        path.name,
        backups.files_archive_path(path).name,
    ]


def test_backups_go_to_var_backups_with_the_time_in_their_name(world, tmp_path, settings):
    settings.VAR_DIR = tmp_path

    run("backup")

    (made,) = (tmp_path / "backups").glob(f"*{SUFFIX}")
    assert re.fullmatch(rf"alongside-\d{{8}}T\d{{6}}Z{re.escape(SUFFIX)}", made.name)
    assert backups.backup_kind(made) == connection.vendor


def test_a_backup_never_overwrites_a_file(world, tmp_path):
    path = tmp_path / f"b{SUFFIX}"
    path.write_text("keep me")

    with pytest.raises(CommandError, match="already exists; give another --output"):
        run("backup", "--output", str(path))

    assert path.read_text() == "keep me"


def test_a_failed_backup_leaves_no_file_behind(world, tmp_path, monkeypatch):
    def half_written(connection, tmp):
        tmp.write_bytes(b"half")
        raise backups.BackupError("The disk is full.")

    monkeypatch.setattr(backups, "_sqlite_backup", half_written)
    monkeypatch.setattr(backups, "_pg_backup", half_written)

    with pytest.raises(CommandError, match="The disk is full"):
        run("backup", "--output", str(tmp_path / f"b{SUFFIX}"))

    assert list(tmp_path.iterdir()) == []


def test_it_refuses_to_restore_a_file_that_is_not_a_backup(world, tmp_path):
    before = snapshot()
    path = tmp_path / f"notes{SUFFIX}"
    path.write_text("Not a database.")

    with pytest.raises(CommandError, match=r"is not an Alongside backup .* made by `manage.py"):
        run("restore", str(path), "--yes")

    assert snapshot() == before


def test_it_refuses_a_backup_whose_files_archive_is_damaged(world, scan, tmp_path):
    path = tmp_path / f"b{SUFFIX}"
    run("backup", "--output", str(path))
    backups.files_archive_path(path).write_bytes(b"\x1f\x8b truncated")
    change_everything(world)
    changed = snapshot()

    with pytest.raises(CommandError, match=r"cannot be read .*move it away to restore"):
        run("restore", str(path), "--yes")

    assert snapshot() == changed


def test_it_refuses_a_path_with_no_file_and_says_where_backups_are(world, tmp_path):
    with pytest.raises(CommandError, match=r"There is no file at .*by default in .*backups"):
        run("restore", str(tmp_path / "missing"), "--yes")


def test_it_refuses_a_backup_made_on_the_other_kind_of_database(world, tmp_path):
    path = tmp_path / "other"
    if connection.vendor == "sqlite":
        path.write_bytes(b"PGDMP\x01\x0e\x00\x04\x08\x01" + bytes(100))
        expected = "is a PostgreSQL backup but this Alongside uses SQLite"
    else:
        sqlite3.connect(path).execute("CREATE TABLE django_migrations (id integer)")
        expected = "is a SQLite backup but this Alongside uses PostgreSQL"

    with pytest.raises(CommandError, match=expected):
        run("restore", str(path), "--yes")


@on_sqlite
def test_it_refuses_a_sqlite_database_that_is_not_alongsides(world, tmp_path):
    path = tmp_path / "other.sqlite3"
    database = sqlite3.connect(path)
    database.execute("CREATE TABLE something (id integer)")
    database.commit()
    database.close()

    with pytest.raises(CommandError, match="a SQLite database but not an Alongside one"):
        run("restore", str(path), "--yes")


def test_it_refuses_without_yes_where_nobody_can_answer(world, tmp_path, monkeypatch):
    path = tmp_path / f"b{SUFFIX}"
    run("backup", "--output", str(path))
    change_everything(world)
    changed = snapshot()
    monkeypatch.setattr("sys.stdin", io.StringIO(""))

    with pytest.raises(CommandError, match="Run again with --yes to confirm"):
        run("restore", str(path))

    assert snapshot() == changed


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("answer, restored", [("no", False), ("", False), ("yes", True)])
def test_at_a_terminal_it_asks_first(world, tmp_path, monkeypatch, answer, restored):
    path = tmp_path / f"b{SUFFIX}"
    before = snapshot()
    run("backup", "--output", str(path))
    change_everything(world)
    changed = snapshot()
    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("builtins.input", lambda prompt: answer)

    if restored:
        run("restore", str(path))
        assert snapshot() == before
    else:
        with pytest.raises(CommandError, match="Nothing restored"):
            run("restore", str(path))
        assert snapshot() == changed


@on_postgresql
def test_the_password_is_on_no_command_line_and_in_no_output(world, tmp_path, monkeypatch):
    # Trust authentication ignores a password it is given, so a made-up one still signs in.
    password = connection.settings_dict["PASSWORD"] or "made-up-secret-7f3a"
    monkeypatch.setitem(connection.settings_dict, "PASSWORD", password)
    calls = []
    real_run = subprocess.run

    def spy(args, **kwargs):
        calls.append((args, kwargs.get("env") or {}))
        return real_run(args, **kwargs)

    monkeypatch.setattr(backups.subprocess, "run", spy)
    path = tmp_path / "b.dump"

    said = run("backup", "--output", str(path)) + run("restore", str(path), "--yes")

    assert password not in said
    assert {Path(args[0]).name for args, env in calls} >= {"pg_dump", "pg_restore"}
    for args, env in calls:
        assert not any(password in arg for arg in args)
        if args[1] not in ("--version", "--list"):  # the two that connect to no server
            assert env["PGPASSWORD"] == password


@on_postgresql
def test_a_failed_pg_dump_says_why_without_the_password(world, tmp_path, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "PASSWORD", "made-up-secret-7f3a")
    monkeypatch.setitem(connection.settings_dict, "NAME", "no_such_database_for_backups")

    with pytest.raises(CommandError, match=r"pg_dump failed: .*no_such_database_for_backups") as e:
        run("backup", "--output", str(tmp_path / "b.dump"))

    assert "made-up-secret-7f3a" not in str(e.value)
    assert list(tmp_path.iterdir()) == []


def test_a_tool_message_never_repeats_the_password():
    class Connection:
        settings_dict = {"PASSWORD": "made-up-secret-7f3a"}

    error = backups._pg_failure(
        Connection(), "pg_dump", "connecting\nFATAL: password made-up-secret-7f3a refused\n"
    )

    assert str(error) == "pg_dump failed: connecting FATAL: password ******** refused"


@on_postgresql
def test_it_names_the_package_when_pg_dump_is_older_than_the_server(world, tmp_path, monkeypatch):
    real_run = subprocess.run

    def old_client(args, **kwargs):
        if "--version" in args:
            return subprocess.CompletedProcess(args, 0, "pg_dump (PostgreSQL) 9.6.24\n", "")
        return real_run(args, **kwargs)

    monkeypatch.setattr(backups.subprocess, "run", old_client)
    server = connection.pg_version // 10000

    with pytest.raises(
        CommandError,
        match=rf"pg_dump is version 9 but the server runs PostgreSQL {server}; "
        rf"install .*postgresql-client-{server}",
    ):
        run("backup", "--output", str(tmp_path / "b.dump"))


@on_postgresql
def test_it_names_the_package_when_pg_restore_is_missing(world, tmp_path, monkeypatch):
    path = tmp_path / "b.dump"
    run("backup", "--output", str(path))
    monkeypatch.setattr(backups.shutil, "which", lambda name: None)

    with pytest.raises(CommandError, match=r"pg_restore is not installed: install .*apt-get"):
        run("restore", str(path), "--yes")


@on_postgresql
def test_it_refuses_a_pg_dump_of_another_database(world, tmp_path):
    path = tmp_path / "other.dump"
    env = backups._pg_environment(connection)
    env["PGDATABASE"] = "template1"
    subprocess.run(["pg_dump", "--format=custom", f"--file={path}"], env=env, check=True)

    with pytest.raises(CommandError, match="a pg_dump archive but not of an Alongside database"):
        run("restore", str(path), "--yes")
