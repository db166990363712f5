"""A pytest plugin: the logs of the whole run must never hold a secret.

For the whole session a handler on the root logger (and on the loggers that do not
propagate to it) keeps every formatted record, at the production levels (LOGGING in
settings: WARNING) plus DEBUG of our own ``alongside`` loggers. Meanwhile it notes the
secrets the run creates: the test password and every password set, session keys,
second-factor secrets (TOTP keys, recovery codes) and note text. At the end of the session
(of each xdist worker, reported to the controller) any secret found in a record fails the
run, naming the logger and the record. Loaded from the root conftest.py.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import logging

import pytest

# Shorter strings (a note saying "ok") would match by chance.
MIN_SECRET_LENGTH = 8
# Loggers with propagate=False (or that may be configured so) get the handler too.
EXTRA_LOGGERS = ("django.server", "django.security", "axes", "gunicorn.error", "gunicorn.access")
KEY = pytest.StashKey["LogCapture"]()


class LogCapture(logging.Handler):
    """Keeps (logger, formatted text) for every record and the secrets seen."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.records: list[tuple[str, str]] = []
        self.secrets: dict[str, str] = {}  # secret -> what it is

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.records.append((record.name, self.format(record)))
        except Exception:  # a record that cannot be formatted is kept as its raw message
            self.records.append((record.name, str(record.msg)))

    def secret(self, value, kind: str) -> None:
        if isinstance(value, str) and len(value) >= MIN_SECRET_LENGTH:
            self.secrets.setdefault(value, kind)

    def leaks(self) -> list[str]:
        """One line per (secret, record) found: the kind of secret, the logger, the record."""
        found = []
        for name, text in self.records:
            for value, kind in self.secrets.items():
                if value in text:
                    found.append(f"{kind} in a record of logger {name!r}: {text[:300]!r}")
        return found


def _watch_secrets(capture: LogCapture) -> list:
    """Connect the signals and wrappers that report secrets; answer how to undo them."""
    from django.apps import apps
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.db.models.signals import post_save

    undo = []
    original_set_password = AbstractBaseUser.set_password

    def set_password(self, raw_password):
        capture.secret(raw_password, "a password")
        return original_set_password(self, raw_password)

    AbstractBaseUser.set_password = set_password
    undo.append(lambda: setattr(AbstractBaseUser, "set_password", original_set_password))

    def watch(label: str, receiver) -> None:
        app_label = label.split(".")[0]
        if not any(config.label == app_label for config in apps.get_app_configs()):
            return
        model = apps.get_model(label)
        post_save.connect(receiver, sender=model, weak=False)
        undo.append(lambda: post_save.disconnect(receiver, sender=model))

    def session_saved(sender, instance, **kwargs):
        capture.secret(instance.session_key, "a session key")

    def totp_saved(sender, instance, **kwargs):
        capture.secret(instance.key, "a TOTP secret")
        with contextlib.suppress(binascii.Error, TypeError, ValueError):
            capture.secret(
                base64.b32encode(binascii.unhexlify(instance.key)).decode().rstrip("="),
                "a TOTP secret (base32)",
            )

    def static_token_saved(sender, instance, **kwargs):
        capture.secret(instance.token, "a recovery code")

    def note_saved(sender, instance, **kwargs):
        capture.secret((instance.body or "").strip(), "note text")

    watch("sessions.Session", session_saved)
    watch("otp_totp.TOTPDevice", totp_saved)
    watch("otp_static.StaticToken", static_token_saved)
    watch("meetings.Note", note_saved)
    return undo


def pytest_sessionstart(session) -> None:
    """After Django's setup (its LOGGING applied), so the handler is not configured away."""
    capture = LogCapture()
    session.config.stash[KEY] = capture
    for name in ("", *EXTRA_LOGGERS):
        logging.getLogger(name).addHandler(capture)
    ours = logging.getLogger("alongside")
    capture.previous_level = ours.level
    ours.setLevel(logging.DEBUG)
    from conftest import PASSWORD

    capture.secret(PASSWORD, "the test password")
    capture.undo = _watch_secrets(capture)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session) -> None:
    capture = session.config.stash.get(KEY, None)
    if capture is None:
        return
    for undo in capture.undo:
        undo()
    for name in ("", *EXTRA_LOGGERS):
        logging.getLogger(name).removeHandler(capture)
    logging.getLogger("alongside").setLevel(capture.previous_level)
    leaks = capture.leaks()
    worker_output = getattr(session.config, "workeroutput", None)
    if worker_output is not None:  # an xdist worker: the controller reports
        worker_output["secret_leaks"] = leaks
        return
    leaks += getattr(session.config, "_secret_leaks_of_workers", [])
    _report(session, leaks)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    """xdist controller: gather what each worker found."""
    leaks = getattr(node, "workeroutput", {}).get("secret_leaks", [])
    node.config.__dict__.setdefault("_secret_leaks_of_workers", []).extend(leaks)


def _report(session, leaks: list[str]) -> None:
    if not leaks:
        return
    writer = session.config.pluginmanager.get_plugin("terminalreporter")
    lines = [
        f"SECRETS IN THE LOGS: {len(leaks)} record(s) hold a password, session key, "
        "second-factor secret or note text (tests/logcapture.py):",
        *(f"  {leak}" for leak in leaks[:50]),
    ]
    if writer is not None:
        writer.line("")
    for line in lines:
        if writer is not None:
            writer.write_line(line, red=True, bold=True)
        else:
            print(line)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
