"""Back up and restore the database and the uploaded files (docs/operations.md).

SQLite: an online, consistent copy through SQLite's backup API (safe while the server
runs; what sits in the WAL is included), saved as a self-contained file. PostgreSQL:
``pg_dump --format=custom`` and ``pg_restore``, connected through libpq's ``PG*``
environment variables so the password never appears on a command line or in output.

Uploaded files (``PRIVATE_FILES_DIR``: signature scans, report builds) go into a
``<backup>.files.tar.gz`` beside the database backup, taken after the database: a file
is written before the row that names it commits, so every file the backup's rows name
is in the archive. Backups are health records: every file is created with mode 0600,
written under a temporary name and renamed only once complete.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
SQLITE_HEADER = b"SQLite format 3\x00"
# pg_dump's custom format: "PGDMP", three version bytes, int size, offset size, format.
PGDUMP_MAGIC = b"PGDMP"
PGDUMP_CUSTOM = 1
SUFFIXES = {SQLITE: ".sqlite3", POSTGRESQL: ".dump"}
FILES_SUFFIX = ".files.tar.gz"
# A restore waits this long for a lock (a running server's transaction), then fails.
RESTORE_LOCK_TIMEOUT = "60s"
# Connection settings (Django's name → libpq's environment variable).
PG_SETTINGS = {
    "HOST": "PGHOST",
    "PORT": "PGPORT",
    "USER": "PGUSER",
    "NAME": "PGDATABASE",
    "PASSWORD": "PGPASSWORD",
}
PG_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
}


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message names the fix."""


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int
    files_archive: Path | None
    files: int
    seconds: float


@dataclass(frozen=True)
class Restore:
    path: Path
    files: int
    unapplied_migrations: int
    seconds: float


def backup_create(*, output: str | Path | None = None, using: str = DEFAULT_DB_ALIAS) -> Backup:
    """Copy the database (and the uploaded files, if any) to ``output`` or var/backups/.

    ``output`` is the file to write, or a folder for it (an existing one, or a path
    ending in "/").
    """
    started = time.monotonic()
    connection = connections[using]
    kind = _kind_of_database(connection)
    _refuse_inside_transaction(connection, "back up")
    path = _backup_path(output, kind)
    try:
        with _atomic_file(path) as tmp:
            if kind == SQLITE:
                _sqlite_backup(connection, tmp)
            else:
                _pg_backup(connection, tmp)
    except OSError as error:
        raise BackupError(
            f"Writing {path} failed ({error.strerror or error}); make room or give "
            "another --output, then back up again."
        ) from None
    try:
        archive, files = _files_backup(path)
    except OSError as error:
        raise BackupError(
            f"The database is backed up in {path}, but the uploaded files in "
            f"{settings.PRIVATE_FILES_DIR} could not be archived ({error.strerror or error}); "
            "fix that, then back up again."
        ) from None
    return Backup(
        path=path,
        size=path.stat().st_size,
        files_archive=archive,
        files=files,
        seconds=time.monotonic() - started,
    )


def backup_restore(*, path: Path, using: str = DEFAULT_DB_ALIAS) -> Restore:
    """Replace the database (and add back the uploaded files) from a backup."""
    started = time.monotonic()
    connection = connections[using]
    backup_check(path=path, using=using)
    _refuse_inside_transaction(connection, "restore")
    archive = files_archive_path(path)
    members = _files_members(archive) if archive.exists() else []
    if _kind_of_database(connection) == SQLITE:
        _sqlite_restore(connection, path)
    else:
        _pg_restore(connection, path)
    if members:
        try:
            _files_restore(archive, members)
        except (OSError, tarfile.TarError) as error:
            raise BackupError(
                f"The database is restored, but the uploaded files could not be written to "
                f"{settings.PRIVATE_FILES_DIR} ({error}); fix that, then restore again."
            ) from None
    return Restore(
        path=path,
        files=len(members),
        unapplied_migrations=_unapplied_migrations(connection),
        seconds=time.monotonic() - started,
    )


def backup_check(*, path: Path, using: str = DEFAULT_DB_ALIAS) -> None:
    """Refuse a path that is not a backup this database can be restored from."""
    connection = connections[using]
    wanted = _kind_of_database(connection)
    if not path.exists():
        raise BackupError(
            f"There is no file at {path}. Give the path of a file made by "
            f"`manage.py backup` (by default in {default_backup_dir()})."
        )
    if not path.is_file():
        raise BackupError(
            f"{path} is not a file. Give the path of a file made by `manage.py backup`."
        )
    found = backup_kind(path)
    if found is None:
        raise BackupError(
            f"{path} is not an Alongside backup (neither a SQLite database nor a "
            f"pg_dump custom-format archive). Give a {SUFFIXES[wanted]} file made by "
            "`manage.py backup`."
        )
    if found != wanted:
        where = (
            "where DATABASE_URL is unset (SQLite)"
            if found == SQLITE
            else "with DATABASE_URL set to a PostgreSQL server"
        )
        raise BackupError(
            f"{path} is a {_label(found)} backup but this Alongside uses {_label(wanted)}. "
            f"Restore it {where}, or give a {SUFFIXES[wanted]} file made by "
            f"`manage.py backup` here."
        )
    if found == SQLITE:
        _sqlite_check(path)
    else:
        _pg_check(connection, path)
    archive = files_archive_path(path)
    if archive.exists():
        _files_members(archive)


def backup_kind(path: Path) -> str | None:
    """Which kind of backup the file at ``path`` is, by its first bytes; None if neither."""
    with path.open("rb") as file:
        head = file.read(16)
    if head == SQLITE_HEADER:
        return SQLITE
    if head[:5] == PGDUMP_MAGIC and len(head) > 10 and head[10] == PGDUMP_CUSTOM:
        return POSTGRESQL
    return None


def default_backup_dir() -> Path:
    return Path(settings.VAR_DIR) / "backups"


def files_archive_path(path: Path) -> Path:
    """Where the uploaded files of the backup at ``path`` are."""
    return path.with_name(path.name + FILES_SUFFIX)


def human_size(size: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


# Where backups go, written safely.


def _kind_of_database(connection: BaseDatabaseWrapper) -> str:
    if connection.vendor in (SQLITE, POSTGRESQL):
        return connection.vendor
    raise BackupError(
        f"Backups support SQLite and PostgreSQL, not {connection.vendor}; "
        "use your database's own backup tool."
    )


def _label(kind: str) -> str:
    return "SQLite" if kind == SQLITE else "PostgreSQL"


def _refuse_inside_transaction(connection: BaseDatabaseWrapper, doing: str) -> None:
    if connection.in_atomic_block:
        raise BackupError(f"Cannot {doing} inside a transaction; run it on its own.")


def _backup_path(output: str | Path | None, kind: str) -> Path:
    name = f"alongside-{timezone.now():%Y%m%dT%H%M%SZ}{SUFFIXES[kind]}"
    if output is None:
        return default_backup_dir() / name
    if str(output).endswith(os.sep) or Path(output).is_dir():
        return Path(output) / name
    return Path(output)


@contextlib.contextmanager
def _atomic_file(path: Path) -> Iterator[Path]:
    """A temporary file (mode 0600) beside ``path``, renamed to it only if all went well."""
    if path.exists():
        raise BackupError(f"{path} already exists; give another --output.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as error:
        raise BackupError(
            f"Cannot write in {path.parent} ({error.strerror}); give a writable --output."
        ) from None
    os.close(descriptor)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o600)
        with tmp.open("rb") as file:
            os.fsync(file.fileno())
        os.replace(tmp, path)
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    finally:
        for leftover in (tmp, *(Path(f"{tmp}{end}") for end in ("-journal", "-wal", "-shm"))):
            leftover.unlink(missing_ok=True)


# SQLite.


def _sqlite_backup(connection: BaseDatabaseWrapper, tmp: Path) -> None:
    connection.ensure_connection()
    target = sqlite3.connect(tmp)
    try:
        connection.connection.backup(target)
        # The copy takes the live database's WAL mode; a backup is one self-contained file.
        target.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as error:
        raise BackupError(f"The SQLite backup failed ({error}); try again.") from None
    finally:
        target.close()


def _sqlite_open_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _sqlite_check(path: Path) -> None:
    try:
        source = _sqlite_open_read_only(path)
        try:
            (verdict,) = source.execute("PRAGMA quick_check").fetchone()
            ours = source.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
            ).fetchone()
        finally:
            source.close()
    except sqlite3.Error as error:
        raise BackupError(
            f"{path} cannot be read as a SQLite database ({error}); restore another backup."
        ) from None
    if verdict != "ok":
        raise BackupError(f"{path} is damaged ({verdict}); restore another backup.")
    if not ours:
        raise BackupError(
            f"{path} is a SQLite database but not an Alongside one; give a file made by "
            "`manage.py backup`."
        )


def _sqlite_restore(connection: BaseDatabaseWrapper, path: Path) -> None:
    connection.ensure_connection()
    source = _sqlite_open_read_only(path)
    try:
        source.backup(connection.connection)
    except sqlite3.OperationalError as error:
        raise BackupError(
            f"The database is in use ({error}); stop the web server and the worker, "
            "then restore again."
        ) from None
    finally:
        source.close()


# PostgreSQL.


def _pg_environment(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """libpq's environment for the configured database: no secret on any command line."""
    environment = dict(os.environ)
    for key, variable in PG_SETTINGS.items():
        if connection.settings_dict.get(key):
            environment[variable] = str(connection.settings_dict[key])
    for key, variable in PG_OPTIONS.items():
        if connection.settings_dict.get("OPTIONS", {}).get(key):
            environment[variable] = str(connection.settings_dict["OPTIONS"][key])
    environment["PGAPPNAME"] = "alongside-backup"
    return environment


def _pg_tool(connection: BaseDatabaseWrapper, name: str) -> str:
    """The path of ``name`` (pg_dump, pg_restore), refused if older than the server."""
    connection.ensure_connection()
    server = connection.pg_version // 10000
    install = (
        f"install PostgreSQL {server}'s client tools (Debian: apt-get install "
        f"postgresql-client-{server}) and put its {name} first on PATH "
        f"(Debian: /usr/lib/postgresql/{server}/bin)"
    )
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed: {install}.")
    answer = subprocess.run(
        [path, "--version"], capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    found = re.search(r"\(PostgreSQL\) (\d+)", answer.stdout)
    if found is None:
        raise BackupError(f"{path} --version did not say its version: {install}.")
    if int(found.group(1)) < server:
        raise BackupError(
            f"{name} is version {found.group(1)} but the server runs PostgreSQL {server}; "
            f"{install}."
        )
    return path


def _pg_failure(connection: BaseDatabaseWrapper, tool: str, stderr: str) -> BackupError:
    message = " ".join(stderr.strip().splitlines()[-3:]) or "no message"
    password = connection.settings_dict.get("PASSWORD")
    if password:
        message = message.replace(str(password), "********")
    return BackupError(f"{tool} failed: {message}")


def _pg_backup(connection: BaseDatabaseWrapper, tmp: Path) -> None:
    pg_dump = _pg_tool(connection, "pg_dump")
    done = subprocess.run(
        [pg_dump, "--format=custom", "--no-password", f"--file={tmp}"],
        env=_pg_environment(connection),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    if done.returncode != 0:
        raise _pg_failure(connection, "pg_dump", done.stderr)


def _pg_check(connection: BaseDatabaseWrapper, path: Path) -> None:
    pg_restore = _pg_tool(connection, "pg_restore")
    listing = subprocess.run(
        [pg_restore, "--list", str(path)], capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    if listing.returncode != 0:
        raise BackupError(
            f"{path} cannot be read by pg_restore ({listing.stderr.strip()}); "
            "restore another backup, or use a pg_restore at least as new as the pg_dump "
            "that made it."
        )
    if not re.search(r"\bTABLE\b.* django_migrations\b", listing.stdout):
        raise BackupError(
            f"{path} is a pg_dump archive but not of an Alongside database; give a file made "
            "by `manage.py backup`."
        )


def _pg_restore(connection: BaseDatabaseWrapper, path: Path) -> None:
    pg_restore = _pg_tool(connection, "pg_restore")
    environment = _pg_environment(connection)
    # Wait a bounded time for a running server's locks instead of hanging.
    environment["PGOPTIONS"] = (
        f"{environment.get('PGOPTIONS', '')} -c lock_timeout={RESTORE_LOCK_TIMEOUT}".strip()
    )
    connection.close()
    done = subprocess.run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={connection.settings_dict['NAME']}",
            str(path),
        ],
        env=environment,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    if done.returncode != 0:
        error = _pg_failure(connection, "pg_restore", done.stderr)
        if "lock timeout" in done.stderr:
            raise BackupError(
                f"{error} The database is in use: stop the web server and the worker, "
                "then restore again (nothing was changed)."
            )
        raise BackupError(f"{error} (nothing was changed)")


# Uploaded files.


def _files_backup(path: Path) -> tuple[Path | None, int]:
    root = Path(settings.PRIVATE_FILES_DIR)
    files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []
    if not files:
        return None, 0
    archive = files_archive_path(path)
    with _atomic_file(archive) as tmp, tarfile.open(tmp, "w:gz") as tar:
        for file in files:
            tar.add(file, arcname=file.relative_to(root).as_posix(), recursive=False)
    return archive, len(files)


def _files_members(archive: Path) -> list[tarfile.TarInfo]:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            return [member for member in tar.getmembers() if member.isfile()]
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(
            f"The uploaded files beside the backup, {archive}, cannot be read ({error}); "
            "move it away to restore the database alone, or restore another backup."
        ) from None


def _files_restore(archive: Path, members: list[tarfile.TarInfo]) -> None:
    """Put the archived files back; files uploaded since are left where they are."""
    root = Path(settings.PRIVATE_FILES_DIR)
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(root, members=members, filter="data")


def _unapplied_migrations(connection: BaseDatabaseWrapper) -> int:
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
