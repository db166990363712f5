"""The log capture plugin (tests/logcapture.py) really finds a secret in the logs."""

from __future__ import annotations

import logging

from conftest import PASSWORD
from tests.logcapture import KEY


def _capture(request):
    return request.config.stash[KEY]


def test_it_finds_a_planted_secret_and_names_the_logger(request):
    capture = _capture(request)
    start = len(capture.records)
    logging.getLogger("alongside.planted").debug("signed in with %s", PASSWORD)
    try:
        leaks = [leak for leak in capture.leaks() if "alongside.planted" in leak]
        assert leaks and "the test password" in leaks[0]
    finally:
        del capture.records[start:]  # the planted record must not fail the run
    assert not [leak for leak in capture.leaks() if "alongside.planted" in leak]


def test_it_learns_passwords_session_keys_and_note_text(request, client, world):
    from alongside.meetings.models import Meeting
    from alongside.meetings.notes import note_save

    capture = _capture(request)
    world.supporter.set_password("a brand new passphrase")
    client.force_login(world.supporter)
    meeting = Meeting.objects.create(
        engagement=world.engagement,
        created_by=world.supporter,
        starts_at=world.engagement.state_changed_at,
        duration_minutes=30,
        mode="phone",
    )
    note_save(meeting=meeting, actor=world.supporter, expected_version=0, body="Planted words")
    kinds = {
        capture.secrets.get("a brand new passphrase"),
        capture.secrets.get(client.session.session_key),
        capture.secrets.get("Planted words"),
    }
    assert kinds == {"a password", "a session key", "note text"}


def test_it_watches_warnings_of_other_libraries(request):
    capture = _capture(request)
    start = len(capture.records)
    logging.getLogger("django.request").warning("a warning")
    logging.getLogger("some.library").info("production does not log INFO of others")
    names = [name for name, _ in capture.records[start:]]
    del capture.records[start:]
    assert names == ["django.request"]
