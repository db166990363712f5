"""A supporter's week and day lists: whose, which days, how many questions to the database."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alongside.meetings.models import Meeting, MeetingStatus
from alongside.organizations.models import Program
from alongside.participants.models import Participant
from conftest import open_engagement


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def meet(world, engagement, starts_at, status=MeetingStatus.PLANNED) -> Meeting:
    return Meeting.objects.create(
        engagement=engagement,
        starts_at=starts_at,
        duration_minutes=60,
        mode="in_person",
        place_type="office",
        status=status,
        created_by=world.supporter,
    )


def _monday() -> datetime.date:
    today = timezone.localdate()
    return today - datetime.timedelta(days=today.weekday())


def test_the_week_lists_monday_to_sunday_with_today_marked(client, world):
    monday = _monday()
    meet(world, world.engagement, _at(monday + datetime.timedelta(days=2), 10))
    client.force_login(world.supporter)

    response = client.get(reverse("meetings:week"))

    page = response.content.decode()
    assert response.status_code == 200
    assert [d.date for d in response.context["days"]] == [
        monday + datetime.timedelta(days=n) for n in range(7)
    ]
    assert [d.is_today for d in response.context["days"]].count(True) == 1
    assert 'aria-current="date"' in page
    assert "Pat Rivera" in page
    assert reverse("engagements:detail", args=[world.engagement.pk]) in page


def test_another_week_is_chosen_by_any_day_in_it(client, world):
    wednesday = datetime.date(2030, 5, 8)
    meet(world, world.engagement, _at(datetime.date(2030, 5, 12), 18))  # that Sunday
    meet(world, world.engagement, _at(datetime.date(2030, 5, 13), 9))  # the next Monday
    client.force_login(world.supporter)

    response = client.get(reverse("meetings:week"), {"week": wednesday.isoformat()})

    days = response.context["days"]
    assert days[0].date == datetime.date(2030, 5, 6)
    assert days[-1].date == datetime.date(2030, 5, 12)
    assert [len(d.meetings) for d in days] == [0, 0, 0, 0, 0, 0, 1]
    assert not any(d.is_today for d in days)
    assert "?week=2030-05-13" in response.content.decode()


@pytest.mark.parametrize("bad", ["yesterday", "2030-02-30", "0001-01-01", "9999-12-31"])
def test_an_unreadable_week_answers_400_with_a_message(client, world, bad):
    client.force_login(world.supporter)

    response = client.get(reverse("meetings:week"), {"week": bad})

    assert response.status_code == 400
    assert "could not be read" in response.content.decode()


def test_the_day_list_shows_one_day_in_order(client, world):
    day = datetime.date(2030, 5, 8)
    late = meet(world, world.engagement, _at(day, 15))
    early = meet(world, world.engagement, _at(day, 9))
    meet(world, world.engagement, _at(day + datetime.timedelta(days=1), 9))
    client.force_login(world.supporter)

    response = client.get(reverse("meetings:day"), {"date": day.isoformat()})

    assert response.status_code == 200
    assert response.context["days"][0].meetings == [early, late]


def test_cancelled_meetings_show_marked(client, world):
    day = datetime.date(2030, 5, 8)
    meet(world, world.engagement, _at(day, 9), status=MeetingStatus.CANCELLED)
    client.force_login(world.supporter)

    page = client.get(reverse("meetings:day"), {"date": day.isoformat()}).content.decode()

    assert 'class="cancelled"' in page
    assert "Cancelled" in page


def test_a_supporter_sees_only_their_own_meetings(client, world):
    day = datetime.date(2030, 5, 8)
    meet(world, world.engagement, _at(day, 9))
    meet(world, world.other_engagement, _at(day, 11))
    client.force_login(world.other_supporter)

    response = client.get(reverse("meetings:day"), {"date": day.isoformat()})

    page = response.content.decode()
    assert "Quinn Lee" in page
    assert "Pat Rivera" not in page
    # Asking for Sunny's day is answered as if she did not exist.
    asked = client.get(
        reverse("meetings:day"), {"date": day.isoformat(), "supporter": world.supporter.pk}
    )
    assert asked.status_code == 404


def test_a_supervisor_sees_a_supporter_they_supervise(client, world):
    day = datetime.date(2030, 5, 8)
    meet(world, world.engagement, _at(day, 9))
    client.force_login(world.supervisor)

    chooser = client.get(reverse("meetings:week"))
    assert chooser.status_code == 200
    assert list(chooser.context["choices"]) == [world.supporter]
    assert "Choose a peer supporter" in chooser.content.decode()

    response = client.get(
        reverse("meetings:day"), {"date": day.isoformat(), "supporter": world.supporter.pk}
    )
    assert response.status_code == 200
    assert "Pat Rivera" in response.content.decode()
    other = client.get(reverse("meetings:week"), {"supporter": world.other_supporter.pk})
    assert other.status_code == 404


@pytest.mark.parametrize("wanted", ["abc", "999999"])
def test_an_unknown_supporter_answers_404(client, world, wanted):
    client.force_login(world.coordinator)

    assert client.get(reverse("meetings:week"), {"supporter": wanted}).status_code == 404


def test_a_coordinator_sees_only_meetings_of_programs_they_coordinate(client, world):
    day = datetime.date(2030, 5, 8)
    meet(world, world.engagement, _at(day, 9))
    housing = Program.objects.create(organization=world.org, name="Housing Peers")
    fran = Participant.objects.create(organization=world.org, first_name="Fran", last_name="Day")
    meet(world, open_engagement(fran, housing, world.supporter), _at(day, 11))
    client.force_login(world.coordinator)

    response = client.get(
        reverse("meetings:day"), {"date": day.isoformat(), "supporter": world.supporter.pk}
    )

    assert [m.engagement for m in response.context["days"][0].meetings] == [world.engagement]
    assert "Fran" not in response.content.decode()


def test_the_outsider_sees_nothing_of_riverbend(client, world):
    client.force_login(world.outsider)

    assert (
        client.get(reverse("meetings:week"), {"supporter": world.supporter.pk}).status_code == 404
    )


def _week_queries(client, world, n: int) -> int:
    monday = _monday()
    for i in range(n):
        person = Participant.objects.create(organization=world.org, first_name=f"P{i}")
        engagement = open_engagement(person, world.program, world.supporter)
        meet(world, engagement, _at(monday + datetime.timedelta(days=i % 7), 8 + i % 10))
    client.force_login(world.supervisor)
    url = reverse("meetings:week")
    client.get(url, {"supporter": world.supporter.pk})  # warm the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"supporter": world.supporter.pk})
    assert response.context["count"] == n
    return len(queries)


def test_the_week_asks_the_same_number_of_questions_for_1_or_20_meetings(client, world):
    one = _week_queries(client, world, 1)
    Meeting.objects.all().delete()
    twenty = _week_queries(client, world, 20)

    assert one == twenty
