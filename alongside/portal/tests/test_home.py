"""The portal home: what's next, who my supporter is, how to reach them within what was
agreed, and a way to every part of the portal."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alongside.agreements.models import SignedDocument
from alongside.engagements.models import Engagement, State
from alongside.meetings.models import Meeting, MeetingStatus
from alongside.portal.selectors import next_meeting, reach
from alongside.teamplans.services import worksheet_save

HOME = reverse("portal:home")
PARTS = [
    "plans:portal_goals",
    "agreements:portal_list",
    "portal:emergency_plan",
    "surveys:portal_list",
    "consents:portal_list",
    "consents:portal_disclosures",
    "portal:access_history",
    "assessments:portal_list",
    "concerns:create",
    "concerns:mine",
    "portal:record",
    "portal:details",
]


def _meeting(world, days: float, status=MeetingStatus.PLANNED, engagement=None) -> Meeting:
    return Meeting.objects.create(
        engagement=engagement or world.engagement,
        starts_at=timezone.now() + datetime.timedelta(days=days),
        duration_minutes=45,
        mode="phone",
        status=status,
        created_by=world.supporter,
    )


def _worksheet(world, **changes):
    changes.setdefault("channels", ["text", "phone"])
    return worksheet_save(
        engagement=world.engagement, actor=world.supporter, expected_version=0, **changes
    )


def _at(weekday: int, hour: int) -> datetime.datetime:
    """A moment of the coming week, local time: weekday 0 is Monday."""
    today = timezone.localdate()
    day = today + datetime.timedelta(days=(weekday - today.weekday()) % 7 + 7)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def test_the_home_names_the_next_meeting_and_the_supporter(client, world):
    _meeting(world, -1, status=MeetingStatus.HELD)
    _meeting(world, 2, status=MeetingStatus.CANCELLED)
    soon = _meeting(world, 3)
    _meeting(world, 9)
    client.force_login(world.participant_user)

    page = client.get(HOME).content.decode()

    assert next_meeting([world.engagement]) == soon
    assert "My next meeting:" in page and "45 minutes" in page and "with Sunny" in page
    assert "Sunny Demo" in page


def test_the_next_meeting_is_never_one_of_someone_else(world):
    _meeting(world, 1, engagement=world.other_engagement)

    assert next_meeting([world.engagement]) is None


def test_without_a_worksheet_nothing_is_agreed_and_the_organization_is_the_way(client, world):
    world.org.phone = "555-0100"
    world.org.save()
    client.force_login(world.participant_user)

    page = client.get(HOME).content.decode()

    assert reach(None).agreed is False
    assert "have not agreed yet how and when to keep in touch" in page
    assert 'href="tel:555-0100"' in page


def test_reach_follows_the_agreed_days_and_hours(world):
    worksheet = _worksheet(
        world,
        contact_days=[0, 1, 2, 3, 4],
        contact_from=datetime.time(9),
        contact_until=datetime.time(17),
    )

    inside = reach(worksheet, _at(0, 10))
    evening = reach(worksheet, _at(0, 20))
    saturday = reach(worksheet, _at(5, 11))

    assert inside.now_ok and inside.next_at is None
    assert inside.channels == ["Phone call", "Text message"]
    assert not evening.now_ok and evening.next_at == _at(1, 9)
    assert not saturday.now_ok and saturday.next_at.weekday() == 0


def test_the_home_says_whether_now_is_within_the_agreed_hours_in_words(client, world):
    _worksheet(world)  # any day, any time
    client.force_login(world.participant_user)

    page = client.get(HOME).content.decode()

    assert "Now is within the days and hours you agreed." in page
    assert "Phone call, Text message" in page


def test_documents_waiting_for_the_participants_signature_are_named(client, world):
    SignedDocument.objects.filter(engagement=world.engagement).delete()
    client.force_login(world.participant_user)

    page = client.get(HOME).content.decode()

    assert "Waiting for your signature:" in page and "Release of Liability" in page


def test_the_exit_survey_is_offered_while_support_is_ending(client, world):
    from alongside.surveys.testing import installed

    assert installed("exit-survey") is not None
    Engagement.objects.filter(pk=world.engagement.pk).update(state=State.EXITING)
    client.force_login(world.participant_user)
    page = client.get(HOME).content.decode()

    assert reverse("surveys:portal_fill", args=["exit-survey"]) in page
    assert "Fill in the exit survey" in page


def test_every_part_of_the_portal_is_one_tap_from_home_and_opens(client, world):
    client.force_login(world.participant_user)

    page = client.get(HOME).content.decode()

    for name in PARTS:
        url = reverse(name)
        assert f'href="{url}"' in page, name
        assert client.get(url).status_code == 200, name


def test_a_closed_engagement_shows_no_whats_next(client, world):
    Engagement.objects.filter(pk=world.engagement.pk).update(state=State.CLOSED)
    _meeting(world, 2)
    client.force_login(world.participant_user)

    page = client.get(HOME).content.decode()

    assert "What's next" not in page and "My next meeting:" not in page
    assert "Everything in my portal" in page


def test_the_home_asks_a_fixed_number_of_questions(client, world):
    _worksheet(world)
    client.force_login(world.participant_user)
    for day in range(2):
        _meeting(world, day + 1)
        _meeting(world, -day - 30, status=MeetingStatus.HELD)
    with CaptureQueriesContext(connection) as small:
        client.get(HOME)
    for day in range(20):
        _meeting(world, day + 5)
        _meeting(world, -day - 1, status=MeetingStatus.HELD)
    with CaptureQueriesContext(connection) as large:
        client.get(HOME)

    assert len(large) <= len(small)
