"""Support for supporters: the dashboard panel for a supporter and for their supervisor."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alongside.contacts.models import Contact
from alongside.core.support import (
    MANY_CONTACTS,
    outside_agreed_hours,
    supporter_panel,
)
from alongside.engagements.models import State
from alongside.matching.services import supporter_pool
from alongside.meetings.models import Meeting, MeetingStatus, Note, NoteStatus
from alongside.participants.models import Participant
from alongside.teamplans.models import TeamPlanWorksheet
from conftest import open_engagement


def _local(days_ago: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _worksheet(engagement, days=(), start=None, end=None) -> TeamPlanWorksheet:
    today = timezone.localdate()
    return TeamPlanWorksheet.objects.create(
        engagement=engagement,
        channels=["phone"],
        contact_days=list(days),
        contact_from=start,
        contact_until=end,
        reviewed_on=today,
        review_due_on=today + datetime.timedelta(days=365),
        created_by=engagement.supporter,
    )


def _contact(world, engagement, when, **extra) -> Contact:
    return Contact.objects.create(
        engagement=engagement,
        occurred_at=when,
        channel="phone",
        initiated_by="supporter",
        created_by=world.supporter,
        **extra,
    )


def _meeting(world, engagement, when, minutes=60, planned=60, status=MeetingStatus.HELD):
    return Meeting.objects.create(
        engagement=engagement,
        starts_at=when,
        duration_minutes=minutes,
        planned_minutes=planned,
        mode="in_person",
        status=status,
        created_by=world.supporter,
    )


def _panel(world, viewer=None):
    return supporter_panel(
        viewer=viewer or world.supporter, profile=world.supporter_profile, organization=world.org
    )


@pytest.mark.parametrize(
    ("days", "start", "end", "moment", "outside"),
    [
        ((), None, None, (2025, 3, 8, 23), False),  # nothing agreed: any time
        ((0, 1, 2, 3, 4), None, None, (2025, 3, 8, 12), True),  # a Saturday, weekdays agreed
        ((), datetime.time(9), datetime.time(17), (2025, 3, 6, 20), True),
        ((), datetime.time(9), datetime.time(17), (2025, 3, 6, 10), False),
        ((), datetime.time(18), datetime.time(8), (2025, 3, 6, 23), False),  # overnight
        ((), datetime.time(18), datetime.time(8), (2025, 3, 6, 12), True),
        ((), None, datetime.time(20), (2025, 3, 6, 21), True),
    ],
)
def test_what_counts_as_outside_the_agreed_hours(settings, days, start, end, moment, outside):
    settings.TIME_ZONE = "America/New_York"
    worksheet = TeamPlanWorksheet(contact_days=list(days), contact_from=start, contact_until=end)
    when = timezone.make_aware(datetime.datetime(*moment))

    assert outside_agreed_hours(when, worksheet) is outside
    assert outside_agreed_hours(when, None) is False


def test_the_caseload_is_tier_weighted_as_matching_counts_it(world):
    world.engagement.tier = 3
    world.engagement.save()
    extra = Participant.objects.create(organization=world.org, first_name="Ria")
    open_engagement(extra, world.respite, world.supporter)  # untiered: counts as Tier 1

    caseload = _panel(world)["caseload"]

    assert (caseload["load"], caseload["capacity"], caseload["people"]) == (2.0, 10, 2)
    pool = supporter_pool(organization_id=world.org.pk, wishes=[])  # matching's own figure
    assert pool.by_user()[world.supporter.pk].load_tenths == 20


def test_it_counts_this_weeks_meetings_and_lists_the_next_ones(world):
    now = timezone.now()
    _meeting(world, world.engagement, now + datetime.timedelta(minutes=30), status="planned")
    _meeting(world, world.engagement, now + datetime.timedelta(days=40), status="planned")
    _meeting(world, world.other_engagement, now + datetime.timedelta(minutes=40), status="planned")

    panel = _panel(world)

    assert panel["week_count"] >= 1
    assert [m.engagement for m in panel["next_meetings"]] == [world.engagement] * 2


def test_overdue_notes_are_held_meetings_older_than_48_hours_without_a_final_note(world):
    old = timezone.now() - datetime.timedelta(hours=60)
    without = _meeting(world, world.engagement, old)
    drafted = _meeting(world, world.engagement, old - datetime.timedelta(hours=1))
    Note.objects.create(meeting=drafted, author=world.supporter, body="draft")
    final = _meeting(world, world.engagement, old - datetime.timedelta(hours=2))
    Note.objects.create(
        meeting=final, author=world.supporter, body="done", status=NoteStatus.FINAL
    )
    _meeting(world, world.engagement, timezone.now() - datetime.timedelta(hours=3))  # recent

    panel = _panel(world)

    assert panel["overdue_notes_count"] == 2
    assert {m.pk for m in panel["overdue_notes"]} == {without.pk, drafted.pk}


def test_contacts_outside_the_agreed_hours_show_as_a_prompt_per_participant(world):
    _worksheet(world.engagement, start=datetime.time(9), end=datetime.time(17))
    for days_ago in (1, 3, 5):
        _contact(world, world.engagement, _local(days_ago, 22))
    _contact(world, world.engagement, _local(2, 11))  # within the hours
    _contact(world, world.engagement, _local(20, 23))  # too long ago

    signals = _panel(world)["signals"]

    assert [(s.kind, s.engagement, s.count) for s in signals] == [
        ("outside_hours", world.engagement, 3)
    ]


def test_meetings_far_past_their_planned_length_show_as_a_prompt(world):
    _meeting(world, world.engagement, _local(2, 11), minutes=100, planned=60)  # 1.67 times, +40
    _meeting(world, world.engagement, _local(3, 11), minutes=45, planned=20)  # 2.25 times, +25
    _meeting(world, world.engagement, _local(4, 11), minutes=110, planned=90)  # 1.2 times, +20
    _meeting(world, world.engagement, _local(5, 11), minutes=120, planned=None)

    signals = _panel(world)["signals"]

    assert [(s.kind, s.count) for s in signals] == [("long_meetings", 1)]


def test_many_contacts_with_one_participant_in_a_week_show_as_a_prompt(world):
    for i in range(MANY_CONTACTS - 1):
        _contact(world, world.engagement, _local(i % 6 + 1, 12))
    assert _panel(world)["signals"] == []

    _meeting(world, world.engagement, _local(1, 15))  # a held meeting is a contact too

    signals = _panel(world)["signals"]
    assert [(s.kind, s.count) for s in signals] == [("many_contacts", MANY_CONTACTS)]


def test_the_dashboard_offers_the_prompts_for_reflection_in_plain_words(client, world):
    _worksheet(world.engagement, start=datetime.time(9), end=datetime.time(17))
    for days_ago in (1, 2, 3):
        _contact(world, world.engagement, _local(days_ago, 22))
    client.force_login(world.supporter)

    page = client.get(reverse("dashboard")).content.decode()

    assert "Your week" in page
    assert (
        "3 contacts or meetings outside the hours you agreed with Pat Rivera in the last "
        "14 days — worth a look in supervision?"
    ) in page


def test_a_coordinator_keeps_their_dashboard_without_a_supporter_panel(client, world):
    client.force_login(world.coordinator)

    page = client.get(reverse("dashboard")).content.decode()

    assert "Your week" not in page
    assert "Engagements by state" in page


def test_the_supervisor_sees_the_same_panel_for_their_supporter(client, world):
    _worksheet(world.engagement, start=datetime.time(9), end=datetime.time(17))
    _contact(world, world.engagement, _local(1, 22))
    client.force_login(world.supervisor)

    dashboard = client.get(reverse("dashboard")).content.decode()
    assert reverse("supervision:supporter", args=[world.supporter.pk]) in dashboard
    page = client.get(reverse("supervision:supporter", args=[world.supporter.pk]))

    assert page.status_code == 200
    text = page.content.decode()
    assert "Sunny Demo's week" in text
    assert "1 contact or meeting outside the hours Sunny Demo agreed with Pat Rivera" in text


def test_a_supervisor_reads_nothing_outside_their_scope_through_the_panel(world):
    _contact(world, world.other_engagement, _local(1, 22), callback_requested_at=_local(3, 9))

    panel = supporter_panel(
        viewer=world.supervisor, profile=world.other_profile, organization=world.org
    )

    assert panel["callbacks"]["open"] == 0  # Omar's caseload is not Sam's to see


def _grow(world, n: int) -> None:
    """n more participants for Sunny, each with contacts, meetings and call-backs."""
    for i in range(n):
        person = Participant.objects.create(organization=world.org, first_name=f"P{i}")
        engagement = open_engagement(person, world.program, world.supporter)
        _worksheet(engagement, start=datetime.time(9), end=datetime.time(17))
        for day in range(MANY_CONTACTS + 1):
            _contact(
                world,
                engagement,
                _local(day % 6 + 1, 22),
                callback_requested_at=_local(day % 6 + 3, 9),
            )
        _meeting(world, engagement, _local(2, 11), minutes=120, planned=60)
        _meeting(world, engagement, _local(4, 11), minutes=60, planned=60)
        _meeting(
            world,
            engagement,
            timezone.now() + datetime.timedelta(days=1),
            status=MeetingStatus.PLANNED,
        )


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("persona", "page"),
    [("supporter", "dashboard"), ("supervisor", "supervision:supporter")],
)
def test_the_panel_takes_the_same_queries_whatever_the_caseload(client, world, persona, page):
    client.force_login(getattr(world, persona))
    url = reverse(page, args=[world.supporter.pk]) if page != "dashboard" else reverse(page)
    _grow(world, 1)
    small = _count(client, url)
    _grow(world, 8)
    large = _count(client, url)

    assert large == small
    # 31 with the access log's per-participant index row (audit.AccessLogParticipant).
    assert small <= 31, small


def test_closed_engagements_leave_the_panel(world):
    world.engagement.state = State.CLOSED
    world.engagement.closed_on = timezone.localdate()
    world.engagement.save()
    _contact(world, world.engagement, _local(4, 9), callback_requested_at=_local(4, 9))

    panel = _panel(world)

    assert panel["caseload"]["people"] == 0
    assert panel["callbacks"]["open"] == 0
