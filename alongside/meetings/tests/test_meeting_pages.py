"""The meeting pages: plan with a clash warning, see one meeting, move, cancel, record."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from alongside.audit.models import AccessLog
from alongside.meetings.models import Meeting, MeetingStatus, Mode, PlaceType
from alongside.meetings.services import meeting_schedule
from conftest import open_engagement

FORMAT = "%Y-%m-%dT%H:%M"


def _at(hours: float) -> datetime.datetime:
    return timezone.localtime(timezone.now() + datetime.timedelta(hours=hours)).replace(
        second=0, microsecond=0
    )


def plan(world, engagement=None, hours: float = 24, **extra) -> Meeting:
    return meeting_schedule(
        engagement=engagement or world.engagement,
        actor=world.supporter,
        starts_at=_at(hours),
        duration_minutes=60,
        mode=Mode.IN_PERSON,
        place_type=PlaceType.OFFICE,
        allow_overlap=True,
        **extra,
    )


def _planned_post(hours: float = 24, **extra) -> dict:
    return {
        "status": "planned",
        "starts_at": _at(hours).strftime(FORMAT),
        "duration_minutes": 60,
        "mode": "in_person",
        "place_type": "community",
        "reminder_minutes": "60",
        **extra,
    }


def test_a_supporter_plans_a_meeting_with_place_and_reminder(client, world):
    client.force_login(world.supporter)

    response = client.post(reverse("meetings:create", args=[world.engagement.pk]), _planned_post())

    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.status == MeetingStatus.PLANNED
    assert meeting.place_type == PlaceType.COMMUNITY
    assert meeting.reminder_minutes == 60
    assert meeting.planned_minutes == 60


def test_planning_without_a_place_is_refused_with_a_message(client, world):
    client.force_login(world.supporter)

    response = client.post(
        reverse("meetings:create", args=[world.engagement.pk]), _planned_post(place_type="")
    )

    assert response.status_code == 400
    assert "Choose where you will meet." in response.content.decode()
    assert not Meeting.objects.exists()


def test_a_clash_is_shown_and_saving_anyway_needs_the_box_ticked(client, world):
    plan(world, hours=24)
    second = open_engagement(world.other_participant, world.respite, world.supporter)
    client.force_login(world.supporter)
    url = reverse("meetings:create", args=[second.pk])

    warned = client.post(url, _planned_post(hours=24.5))

    page = warned.content.decode()
    assert warned.status_code == 409
    assert "already has a meeting at that time" in page
    assert 'type="checkbox" name="save_anyway"' in page
    assert Meeting.objects.count() == 1

    saved = client.post(url, _planned_post(hours=24.5, save_anyway="on"))

    assert saved.status_code == 302
    assert Meeting.objects.count() == 2


def test_without_a_clash_the_save_anyway_box_stays_hidden(client, world):
    client.force_login(world.supporter)

    page = client.get(reverse("meetings:create", args=[world.engagement.pk])).content.decode()

    assert 'type="hidden" name="save_anyway"' in page
    assert 'type="checkbox" name="save_anyway"' not in page


def test_a_planned_meeting_cannot_carry_a_note(client, world):
    client.force_login(world.supporter)

    response = client.post(
        reverse("meetings:create", args=[world.engagement.pk]),
        _planned_post(note_body="Something private"),
    )

    assert response.status_code == 409
    assert "Only a meeting that was held can have a note." in response.content.decode()
    assert not Meeting.objects.exists()


def test_the_meeting_page_shows_the_meeting_and_its_actions(client, world):
    meeting = plan(world)
    client.force_login(world.supporter)

    response = client.get(reverse("meetings:detail", args=[meeting.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Pat Rivera" in page
    assert "At the office" in page
    assert reverse("meetings:reschedule", args=[meeting.pk]) in page
    assert reverse("meetings:cancel", args=[meeting.pk]) in page
    # Not started yet: nothing to record.
    assert reverse("meetings:outcome", args=[meeting.pk]) not in page
    assert AccessLog.objects.filter(what="meeting").exists()


def test_a_supervisor_sees_the_meeting_but_no_actions(client, world):
    meeting = plan(world)
    client.force_login(world.supervisor)

    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()

    assert "Pat Rivera" in page
    assert reverse("meetings:cancel", args=[meeting.pk]) not in page


@pytest.mark.parametrize(
    ("persona", "status"),
    [("other_supporter", 404), ("outsider", 404), ("participant_user", 403), ("admin", 403)],
)
def test_others_cannot_reach_a_meeting(client, world, persona, status):
    meeting = plan(world)
    client.force_login(getattr(world, persona))

    for name in ("detail", "reschedule", "cancel", "outcome"):
        assert client.get(reverse(f"meetings:{name}", args=[meeting.pk])).status_code == status


def test_an_unknown_meeting_answers_404(client, world):
    client.force_login(world.supporter)

    assert client.get(reverse("meetings:detail", args=[999999])).status_code == 404


def test_a_supervisor_may_not_change_a_meeting(client, world):
    meeting = plan(world)
    client.force_login(world.supervisor)

    response = client.post(
        reverse("meetings:cancel", args=[meeting.pk]), {"reason": "x", "version": 1}
    )

    assert response.status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED


def test_moving_a_meeting_through_the_page(client, world):
    meeting = plan(world)
    client.force_login(world.supporter)

    response = client.post(
        reverse("meetings:reschedule", args=[meeting.pk]),
        {
            "starts_at": _at(72).strftime(FORMAT),
            "duration_minutes": 30,
            "mode": "phone",
            "place_type": "virtual",
            "reminder_minutes": "",
            "version": 1,
        },
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.starts_at == _at(72)
    assert meeting.mode == Mode.PHONE
    assert meeting.reminder_minutes is None


def test_a_stale_move_shows_a_message_and_changes_nothing(client, world):
    meeting = plan(world)
    client.force_login(world.supporter)

    response = client.post(
        reverse("meetings:reschedule", args=[meeting.pk]),
        {
            "starts_at": _at(72).strftime(FORMAT),
            "duration_minutes": 30,
            "mode": "phone",
            "place_type": "virtual",
            "version": 0,
        },
    )

    assert response.status_code == 409
    assert "Someone else changed this meeting" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.starts_at == _at(24)


def test_cancelling_without_a_reason_is_refused_with_a_message(client, world):
    meeting = plan(world)
    client.force_login(world.supporter)
    url = reverse("meetings:cancel", args=[meeting.pk])

    refused = client.post(url, {"reason": "", "version": 1})

    assert refused.status_code == 400
    assert "This field is required." in refused.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED

    done = client.post(url, {"reason": "Pat has a hospital appointment", "version": 1})

    assert done.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED


def test_recording_a_held_meeting_through_the_page(client, world):
    meeting = plan(world)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=2)
    )
    client.force_login(world.supporter)

    response = client.post(
        reverse("meetings:outcome", args=[meeting.pk]),
        {"outcome": "held", "duration_minutes": 45, "mode": "in_person", "version": 1},
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.status, meeting.duration_minutes, meeting.planned_minutes) == ("held", 45, 60)
    assert meeting.service_units == 3


def test_a_held_outcome_needs_its_length(client, world):
    meeting = plan(world)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=2)
    )
    client.force_login(world.supporter)

    response = client.post(
        reverse("meetings:outcome", args=[meeting.pk]),
        {"outcome": "held", "duration_minutes": "", "mode": "in_person", "version": 1},
    )

    assert response.status_code == 400
    assert "Say how long the meeting ran." in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED


def test_a_no_show_through_the_page(client, world):
    meeting = plan(world)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=2)
    )
    client.force_login(world.supporter)

    response = client.post(
        reverse("meetings:outcome", args=[meeting.pk]),
        {"outcome": "missed", "mode": "in_person", "version": 1},
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.MISSED


def test_a_meeting_already_recorded_offers_no_forms(client, world):
    meeting = plan(world)
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.CANCELLED)
    client.force_login(world.supporter)

    response = client.post(
        reverse("meetings:reschedule", args=[meeting.pk]),
        {
            "starts_at": _at(72).strftime(FORMAT),
            "duration_minutes": 30,
            "mode": "phone",
            "place_type": "virtual",
            "version": 1,
        },
    )

    assert response.status_code == 409
    assert "only a planned meeting can change" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.starts_at == _at(24)
