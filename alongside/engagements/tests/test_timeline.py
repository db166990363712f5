"""The engagement's timeline: every kind of entry, newest first, filtered and paged with a
fixed number of queries."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alongside.assessments.models import Assessment
from alongside.audit.models import AccessLog
from alongside.engagements.models import StateChange
from alongside.engagements.timeline import SOURCES, sources_for, timeline_page
from alongside.meetings.models import Meeting, Note
from alongside.plans.models import Goal

ALL = {"engagements.view", "notes.read"}


def _meeting(world, days_ago: float, note: str = "") -> Meeting:
    meeting = Meeting.objects.create(
        engagement=world.engagement,
        starts_at=timezone.now() - datetime.timedelta(days=days_ago),
        duration_minutes=45,
        mode="phone",
        created_by=world.supporter,
    )
    if note:
        Note.objects.create(meeting=meeting, author=world.supporter, body=note)
    return meeting


def _grow(world, meetings: int) -> None:
    now = timezone.now()
    Meeting.objects.bulk_create(
        Meeting(
            engagement=world.engagement,
            starts_at=now - datetime.timedelta(hours=i + 1),
            duration_minutes=30,
            mode="text",
            created_by=world.supporter,
        )
        for i in range(meetings)
    )


def test_every_kind_shows_newest_first(world):
    _meeting(world, 3, "Talked about work.")
    Goal.objects.create(
        engagement=world.engagement,
        statement="Find a running group",
        wellness_dimension="physical",
        created_by=world.supporter,
    )
    Assessment.objects.create(
        engagement=world.engagement,
        tier=2,
        rationale="Steady.",
        assessed_on=timezone.localdate() - datetime.timedelta(days=1),
        assessed_by=world.supporter,
    )
    StateChange.objects.create(
        engagement=world.engagement, to_state="active", at=timezone.now(), reason="Started."
    )
    page, entries = timeline_page(world.engagement, list(SOURCES))
    kinds = [e.kind for e in entries]
    assert set(kinds) == {"meeting", "goal", "document", "assessment", "state"}
    moments = [e.at for e in entries]
    assert moments == sorted(moments, reverse=True)
    assert page.paginator.count == len(entries)


def test_a_filter_shows_one_kind_and_unknown_kinds_are_ignored(world):
    _meeting(world, 1)
    sources = sources_for(ALL, ["meeting", "nonsense"])
    assert [s.kind for s in sources] == ["meeting"]
    _page, entries = timeline_page(world.engagement, sources)
    assert {e.kind for e in entries} == {"meeting"}
    assert len(sources_for(ALL, ["nonsense"])) == len(SOURCES)


def test_five_hundred_entries_page_with_the_same_queries_as_five(world):
    def queries(page_number) -> int:
        with CaptureQueriesContext(connection) as captured:
            _page, entries = timeline_page(world.engagement, list(SOURCES), page_number)
            [str(e.obj) for e in entries]
        return len(captured)

    _grow(world, 5)
    small = queries(1)
    _grow(world, 495)
    assert queries(1) <= small
    assert queries(10) <= small
    page, entries = timeline_page(world.engagement, list(SOURCES), 3)
    assert page.paginator.count > 500 and len(entries) == 25


def test_the_page_filters_pages_and_logs_the_read(client, world):
    _grow(world, 60)
    _meeting(world, 0.5, "Private words.")
    client.force_login(world.supporter)
    url = reverse("engagements:timeline", args=[world.engagement.pk])
    first = client.get(url).content.decode()
    assert "Private words." in first
    assert f"{url}?kind=meeting" in first
    second = client.get(url, {"kind": "state", "page": "2"})
    assert second.status_code == 200
    filtered = client.get(url, {"kind": "meeting", "page": "2"}).content.decode()
    assert "kind=meeting&amp;page=3" in filtered
    assert client.get(url, {"page": "999"}).status_code == 200  # the last page
    assert AccessLog.objects.filter(what="engagement timeline").count() == 4


def test_notes_show_only_to_those_who_read_notes(client, world):
    _meeting(world, 1, "Private words.")
    client.force_login(world.admin)
    url = reverse("engagements:timeline", args=[world.engagement.pk])
    assert client.get(url).status_code == 403
    client.force_login(world.supervisor)
    page = client.get(url).content.decode()
    assert "Private words." in page  # supervisors read notes of their supervisees


def test_the_engagement_page_shows_the_latest_entries_and_links_to_the_rest(client, world):
    _grow(world, 30)
    StateChange.objects.create(
        engagement=world.engagement, to_state="active", at=timezone.now(), reason="Back."
    )
    client.force_login(world.supporter)
    page = client.get(reverse("engagements:detail", args=[world.engagement.pk])).content.decode()
    assert "Back." in page
    assert reverse("engagements:timeline", args=[world.engagement.pk]) + "?page=2" in page


def test_a_notes_next_steps_show_in_the_timeline(client, world):
    meeting = _meeting(world, 1, "Talked about the interview.")
    meeting.note.steps.create(text="Print the CV", owner="participant")
    client.force_login(world.supporter)
    page = client.get(reverse("engagements:timeline", args=[world.engagement.pk]))
    assert "Print the CV · Participant" in page.content.decode()
