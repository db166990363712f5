"""The participant's portal shows their upcoming meetings, cancelled ones marked."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alongside.meetings.models import Meeting, MeetingStatus


def meet(world, days: float, status=MeetingStatus.PLANNED, engagement=None, **extra) -> Meeting:
    return Meeting.objects.create(
        engagement=engagement or world.engagement,
        starts_at=timezone.now() + datetime.timedelta(days=days),
        duration_minutes=60,
        mode="video",
        place_type=extra.pop("place_type", "virtual"),
        status=status,
        created_by=world.supporter,
        **extra,
    )


def test_upcoming_meetings_show_time_mode_place_and_supporter_first_name(client, world):
    meet(world, 2)
    client.force_login(world.participant_user)

    response = client.get(reverse("portal:home"))

    page = response.content.decode()
    assert response.status_code == 200
    upcoming = response.context["engagements"][0].upcoming
    assert len(upcoming) == 1
    assert "Video" in page
    assert "Virtual" in page
    assert "with Sunny" in page


def test_a_cancelled_meeting_is_marked_without_its_reason(client, world):
    meet(world, 3, MeetingStatus.CANCELLED, cancel_reason="Supporter burnt out")
    client.force_login(world.participant_user)

    page = client.get(reverse("portal:home")).content.decode()

    assert "Cancelled" in page
    assert "burnt out" not in page


def test_only_the_participants_own_meetings_show(client, world):
    meet(world, 2, engagement=world.other_engagement, place_type="home")
    client.force_login(world.participant_user)

    response = client.get(reverse("portal:home"))

    assert response.context["engagements"][0].upcoming == []
    assert "At home" not in response.content.decode()


def test_past_meetings_leave_out_cancelled_ones(client, world):
    meet(world, -2, MeetingStatus.HELD)
    meet(world, -3, MeetingStatus.CANCELLED)
    client.force_login(world.participant_user)

    response = client.get(reverse("portal:home"))

    assert [m.status for m in response.context["engagements"][0].past] == ["held"]


def _queries(client, world, n: int) -> int:
    for i in range(n):
        meet(world, 1 + i)
    client.force_login(world.participant_user)
    client.get(reverse("portal:home"))
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("portal:home"))
    return len(queries)


def test_the_portal_asks_the_same_number_of_questions_for_1_or_20_meetings(client, world):
    one = _queries(client, world, 1)
    Meeting.objects.all().delete()

    assert _queries(client, world, 20) == one
