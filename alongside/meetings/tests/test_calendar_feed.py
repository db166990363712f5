"""The supporter's secret calendar feed: made, shown once, revoked; its exact iCalendar shape."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.urls import reverse
from django.utils import timezone

from alongside.audit.models import AccessLog, AuditEvent
from alongside.meetings import calendar
from alongside.meetings.models import CalendarFeed, Meeting, MeetingStatus

FIXED = datetime.datetime(2030, 5, 8, 14, 0, tzinfo=datetime.UTC)


def meet(world, engagement, starts_at, status=MeetingStatus.PLANNED, **extra) -> Meeting:
    return Meeting.objects.create(
        engagement=engagement,
        starts_at=starts_at,
        duration_minutes=extra.pop("duration_minutes", 45),
        mode="in_person",
        place_type="community",
        status=status,
        created_by=world.supporter,
        **extra,
    )


def _feed_url(world) -> tuple[str, str]:
    token = calendar.calendar_feed_issue(user=world.supporter, organization=world.org)
    return token, reverse("meetings:feed", args=[token])


# Making, showing once, revoking ----------------------------------------------------------


def test_a_supporter_makes_an_address_and_sees_it_once(client, world):
    client.force_login(world.supporter)

    made = client.post(reverse("meetings:calendar_new"))

    assert made.status_code == 200
    address = made.context["address"]
    token = address.rsplit("/", 1)[1].removesuffix(".ics")
    feed = CalendarFeed.objects.get(user=world.supporter)
    assert feed.token_digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in feed.token_digest
    assert address in made.content.decode()
    later = client.get(reverse("meetings:calendar")).content.decode()
    assert token not in later
    assert "You have an address" in later
    assert AuditEvent.objects.filter(action="calendar_feed.created").exists()


def test_replacing_the_address_stops_the_old_one(client, world):
    _old_token, old_url = _feed_url(world)
    client.force_login(world.supporter)

    client.post(reverse("meetings:calendar_new"))

    assert CalendarFeed.objects.filter(user=world.supporter).count() == 1
    client.logout()
    assert client.get(old_url).status_code == 404
    assert AuditEvent.objects.filter(action="calendar_feed.replaced").exists()


def test_a_revoked_address_answers_404(client, world):
    _token, url = _feed_url(world)
    assert client.get(url).status_code == 200
    client.force_login(world.supporter)

    response = client.post(reverse("meetings:calendar_revoke"))

    assert response.status_code == 302
    assert not CalendarFeed.objects.exists()
    client.logout()
    assert client.get(url).status_code == 404


def test_revoking_without_an_address_says_so(client, world):
    client.force_login(world.supporter)

    response = client.post(reverse("meetings:calendar_revoke"), follow=True)

    assert "You had no calendar address to revoke." in response.content.decode()


@pytest.mark.parametrize("token", ["nope", "x" * 43, "a" * 300])
def test_an_unknown_token_answers_404(client, world, token):
    _feed_url(world)

    assert client.get(reverse("meetings:feed", args=[token])).status_code == 404


def test_a_feed_stops_when_its_owner_loses_access(client, world):
    _token, url = _feed_url(world)
    world.supporter.is_active = False
    world.supporter.save()

    assert client.get(url).status_code == 404


@pytest.mark.parametrize("persona", ["supervisor", "admin", "participant_user"])
def test_only_people_with_meetings_to_keep_get_an_address(client, world, persona):
    client.force_login(getattr(world, persona))

    assert client.get(reverse("meetings:calendar")).status_code == 403
    assert client.post(reverse("meetings:calendar_new")).status_code == 403
    assert not CalendarFeed.objects.exists()


# The feed -----------------------------------------------------------------------------------


def test_the_feed_needs_no_session_and_records_its_use(client, world):
    token, url = _feed_url(world)
    meet(world, world.engagement, timezone.now() + datetime.timedelta(days=1))

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert CalendarFeed.objects.get().last_used_at is not None
    log = AccessLog.objects.get(what__startswith="calendar feed")
    assert log.actor == world.supporter
    assert log.participant_ids == [world.participant.pk]
    assert token not in log.path


def test_the_feed_holds_the_window_and_the_right_meetings(client, world):
    _token, url = _feed_url(world)
    now = timezone.now()
    inside = [
        meet(world, world.engagement, now - datetime.timedelta(days=29), MeetingStatus.HELD),
        meet(world, world.engagement, now + datetime.timedelta(days=2)),
        meet(world, world.engagement, now + datetime.timedelta(days=3), MeetingStatus.CANCELLED),
        meet(world, world.engagement, now + datetime.timedelta(days=179)),
    ]
    meet(world, world.engagement, now - datetime.timedelta(days=31), MeetingStatus.HELD)
    meet(world, world.engagement, now + datetime.timedelta(days=181))
    meet(world, world.engagement, now - datetime.timedelta(days=2), MeetingStatus.MISSED)
    meet(world, world.other_engagement, now + datetime.timedelta(days=2))  # Omar's

    body = client.get(url).content.decode()

    uids = [line for line in body.split("\r\n") if line.startswith("UID:")]
    assert uids == [f"UID:meeting-{m.pk}@riverbend.alongside" for m in inside]
    assert body.count("STATUS:CANCELLED") == 1


def test_the_feed_never_names_a_participant_nor_shows_notes_or_reasons(client, world):
    from alongside.meetings.models import Note

    _token, url = _feed_url(world)
    world.participant.preferred_name = "Patsy"
    world.participant.save()
    held = meet(
        world,
        world.engagement,
        timezone.now() - datetime.timedelta(days=1),
        MeetingStatus.HELD,
    )
    Note.objects.create(meeting=held, author=world.supporter, body="Talked about relapse")
    meet(
        world,
        world.engagement,
        timezone.now() + datetime.timedelta(days=1),
        MeetingStatus.CANCELLED,
        cancel_reason="In hospital",
    )

    body = client.get(url).content.decode()

    for secret in ("Pat", "Rivera", "Patsy", "relapse", "hospital", "Sunny"):
        assert secret not in body
    assert "SUMMARY:Meeting with P.R. (In person)" in body
    link = f"http://testserver{reverse('engagements:detail', args=[world.engagement.pk])}"
    assert f"URL:{link}" in body


def test_the_ical_text_has_the_exact_shape(world):
    meeting = meet(
        world,
        world.engagement,
        datetime.datetime(2030, 5, 9, 13, 30, tzinfo=datetime.UTC),
        duration_minutes=90,
    )
    meeting.version = 3

    body = calendar.ical_render(
        [meeting],
        now=FIXED,
        link_for=lambda m: "https://alongside.example/engagements/7/",
        uid_domain="riverbend.alongside",
        name="Alongside meetings",
    )

    assert body == (
        "BEGIN:VCALENDAR\r\n"
        "VERSION:2.0\r\n"
        "PRODID:-//Alongside//Meetings//EN\r\n"
        "CALSCALE:GREGORIAN\r\n"
        "METHOD:PUBLISH\r\n"
        "X-WR-CALNAME:Alongside meetings\r\n"
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n"
        "X-PUBLISHED-TTL:PT1H\r\n"
        "BEGIN:VEVENT\r\n"
        f"UID:meeting-{meeting.pk}@riverbend.alongside\r\n"
        "DTSTAMP:20300508T140000Z\r\n"
        "DTSTART:20300509T133000Z\r\n"
        "DTEND:20300509T150000Z\r\n"
        "SEQUENCE:3\r\n"
        "SUMMARY:Meeting with P.R. (In person)\r\n"
        "LOCATION:In the community\r\n"
        "DESCRIPTION:https://alongside.example/engagements/7/\r\n"
        "URL:https://alongside.example/engagements/7/\r\n"
        "STATUS:CONFIRMED\r\n"
        "TRANSP:OPAQUE\r\n"
        "END:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )


def test_times_are_written_in_utc_whatever_the_local_zone(world):
    local = timezone.make_aware(datetime.datetime(2030, 1, 15, 9, 0))  # New York: UTC-5

    assert calendar.utc_stamp(local) == "20300115T140000Z"


def test_text_values_are_escaped():
    assert calendar.escape_text("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"


def test_long_lines_fold_at_75_octets_without_splitting_a_character():
    line = "DESCRIPTION:" + "é" * 100  # two octets each

    folded = calendar.fold(line)

    pieces = folded.split("\r\n")
    assert all(len(piece.encode()) <= 75 for piece in pieces)
    assert all(piece.startswith(" ") for piece in pieces[1:])
    assert "".join(piece[1:] if i else piece for i, piece in enumerate(pieces)) == line


def test_a_short_line_is_not_folded():
    assert calendar.fold("SUMMARY:short") == "SUMMARY:short"


def test_initials_use_the_preferred_name(world):
    world.participant.preferred_name = "Jo"
    world.participant.last_name = ""

    assert calendar.initials(world.participant) == "J."
