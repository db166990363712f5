"""The supervision log: who records, who reads what, versioned edits, follow-ups."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from alongside.audit.models import AuditEvent
from alongside.core.errors import RuleViolation, StaleEdit
from alongside.core.permissions import supervision_sessions_visible_to
from alongside.supervision.models import FollowUp, SupervisionSession
from alongside.supervision.services import (
    follow_up_add,
    follow_up_mark,
    session_record,
    session_update,
)


def _record(world, **overrides) -> SupervisionSession:
    arguments = {
        "supervisor": world.supervisor,
        "supporter": world.supporter,
        "organization": world.org,
        "held_on": timezone.localdate(),
        "duration_minutes": 45,
        "topics": "Boundaries with late-night texts; self-care",
        "engagements": [world.engagement],
        "notes": "Sunny will talk the texting hours over with Pat.",
        "follow_up": "Revisit the team plan hours",
        "follow_up_due": timezone.localdate() + datetime.timedelta(days=14),
    }
    arguments.update(overrides)
    return session_record(**arguments)


def test_a_supervisor_records_a_session_with_a_supporter_they_supervise(world):
    session = _record(world)

    assert list(session.engagements.all()) == [world.engagement]
    assert session.follow_ups.get().text == "Revisit the team plan hours"
    assert session.history.get().history_user == world.supervisor
    event = AuditEvent.objects.get(action="supervision.recorded")
    assert event.data == {"supporter": world.supporter.pk}  # nothing clinical in the log


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"supporter": "other"}, "supervisor records"),
        ({"engagements": "other"}, "this supporter's caseload"),
        ({"held_on": timezone.localdate() + datetime.timedelta(days=1)}, "future"),
        ({"duration_minutes": 0}, "length"),
        ({"topics": "  "}, "topic"),
        ({"follow_up": "", "follow_up_due": timezone.localdate()}, "follow-up"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(world, overrides, message):
    if overrides.get("supporter") == "other":
        overrides["supporter"] = world.other_supporter
        overrides["engagements"] = []
    if overrides.get("engagements") == "other":
        overrides["engagements"] = [world.other_engagement]

    with pytest.raises(RuleViolation, match=message):
        _record(world, **overrides)

    assert not SupervisionSession.objects.exists()
    assert not FollowUp.objects.exists()


def test_an_edit_makes_a_new_version_and_a_stale_edit_is_refused(world):
    session = _record(world)

    edited = session_update(
        session=session, actor=world.supervisor, expected_version=1, topics="Self-care"
    )
    assert (edited.version, edited.topics) == (2, "Self-care")
    assert list(edited.engagements.all()) == [world.engagement]

    with pytest.raises(StaleEdit):
        session_update(
            session=session,
            actor=world.supervisor,
            expected_version=1,
            topics="Something else",
            engagements=[],
        )
    session.refresh_from_db()
    assert (session.version, session.topics) == (2, "Self-care")
    assert session.engagements.count() == 1
    assert session.history.count() == 2


def test_only_the_supervisor_who_recorded_it_edits_it(world):
    session = _record(world)

    with pytest.raises(RuleViolation):
        session_update(session=session, actor=world.supporter, expected_version=1, topics="x")
    with pytest.raises(RuleViolation):
        follow_up_add(session=session, actor=world.supporter, text="x")


def test_follow_ups_are_added_and_marked_done(world):
    session = _record(world, follow_up="", follow_up_due=None)

    follow_up = follow_up_add(session=session, actor=world.supervisor, text="Read the guide")
    done = follow_up_mark(follow_up=follow_up, actor=world.supervisor)
    assert done.done_at is not None
    reopened = follow_up_mark(follow_up=follow_up, actor=world.supervisor, done=False)
    assert reopened.done_at is None


def test_each_persona_sees_only_the_sessions_that_concern_them(world):
    session = _record(world)

    def visible(persona):
        return list(supervision_sessions_visible_to(getattr(world, persona), world.org))

    assert visible("supervisor") == [session]
    assert visible("supporter") == [session]
    assert visible("admin") == [session]  # metadata only: see the page tests
    assert visible("other_supporter") == []
    assert visible("coordinator") == []
    assert visible("participant_user") == []
    assert list(supervision_sessions_visible_to(world.outsider, world.other_org)) == []


# Pages


@pytest.mark.parametrize(
    ("persona", "status", "clinical"),
    [
        ("supervisor", 200, True),
        ("supporter", 200, True),
        ("admin", 200, False),
        ("other_supporter", 404, False),
        ("coordinator", 403, False),
        ("participant_user", 403, False),
        ("outsider", 403, False),  # a coordinator elsewhere: no capability
    ],
)
def test_who_reads_a_session_and_what_they_see(client, world, persona, status, clinical):
    session = _record(world)
    client.force_login(getattr(world, persona))

    response = client.get(reverse("supervision:detail", args=[session.pk]))

    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "Boundaries with late-night texts" in page  # the topics: metadata
        assert ("Pat Rivera" in page) is clinical
        assert ("texting hours over with Pat" in page) is clinical
        assert ("Revisit the team plan hours" in page) is clinical


@pytest.mark.parametrize(
    ("persona", "list_status", "record_status"),
    [
        ("supervisor", 200, 200),
        ("supporter", 200, 403),
        ("admin", 200, 403),
        ("other_supporter", 200, 403),
        ("coordinator", 403, 403),
        ("participant_user", 403, 403),
        ("outsider", 403, 403),
    ],
)
def test_who_reaches_the_log_and_the_supervisor_pages(
    client, world, persona, list_status, record_status
):
    client.force_login(getattr(world, persona))

    assert client.get(reverse("supervision:list")).status_code == list_status
    for name in ("supervision:supporter", "supervision:create"):
        url = reverse(name, args=[world.supporter.pk])
        assert client.get(url).status_code == record_status


def test_a_supervisor_gets_404_for_a_supporter_they_do_not_supervise(client, world):
    client.force_login(world.supervisor)

    for name in ("supervision:supporter", "supervision:create"):
        url = reverse(name, args=[world.other_supporter.pk])
        assert client.get(url).status_code == 404


def test_the_supervisor_records_and_edits_a_session_through_the_pages(client, world):
    client.force_login(world.supervisor)
    response = client.post(
        reverse("supervision:create", args=[world.supporter.pk]),
        {
            "held_on": timezone.localdate().isoformat(),
            "duration_minutes": "50",
            "topics": "Caseload and rest",
            "engagements": [world.engagement.pk],
            "notes": "",
            "follow_up": "Take Friday off",
        },
    )
    assert response.status_code == 302
    session = SupervisionSession.objects.get()

    edit = reverse("supervision:edit", args=[session.pk])
    form = {
        "version": "1",
        "held_on": session.held_on.isoformat(),
        "duration_minutes": "60",
        "topics": "Caseload",
        "engagements": [],
    }
    assert client.post(edit, form).status_code == 302
    stale = client.post(edit, {**form, "topics": "Old copy"})
    assert stale.status_code == 409
    assert "Someone else changed" in stale.content.decode()
    session.refresh_from_db()
    assert (session.topics, session.duration_minutes, session.version) == ("Caseload", 60, 2)
    assert session.engagements.count() == 0


def test_an_engagement_of_another_supporter_cannot_be_chosen_on_the_page(client, world):
    client.force_login(world.supervisor)

    response = client.post(
        reverse("supervision:create", args=[world.supporter.pk]),
        {
            "held_on": timezone.localdate().isoformat(),
            "duration_minutes": "50",
            "topics": "Caseload",
            "engagements": [world.other_engagement.pk],
        },
    )

    assert response.status_code == 400
    assert not SupervisionSession.objects.exists()


def test_a_follow_up_without_text_is_refused_with_a_400(client, world):
    session = _record(world, follow_up="", follow_up_due=None)
    client.force_login(world.supervisor)

    response = client.post(reverse("supervision:follow_up_add", args=[session.pk]), {"text": ""})

    assert response.status_code == 400
    assert not FollowUp.objects.exists()
    ok = client.post(
        reverse("supervision:follow_up_add", args=[session.pk]), {"text": "Call the trainer"}
    )
    assert ok.status_code == 302
    follow_up = FollowUp.objects.get()
    done = client.post(reverse("supervision:follow_up_done", args=[follow_up.pk]))
    assert done.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.done_at is not None


def test_the_supporter_cannot_edit_or_add_follow_ups(client, world):
    session = _record(world)
    follow_up = session.follow_ups.get()
    client.force_login(world.supporter)

    assert client.get(reverse("supervision:edit", args=[session.pk])).status_code == 403
    url = reverse("supervision:follow_up_done", args=[follow_up.pk])
    assert client.post(url).status_code == 403


def test_the_log_asks_the_same_queries_for_one_session_or_ten(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.supervisor)
    url = reverse("supervision:list")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    _record(world)
    one = queries()
    for _ in range(9):
        _record(world)
    assert queries() == one
