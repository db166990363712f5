"""Meetings through the API: scope, ETag / If-Match, planning, moving, outcomes, bad input."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alongside.api import meetings as meetings_api
from alongside.api.tests.conftest import post_json
from alongside.audit.models import AccessLog
from alongside.meetings.models import Meeting, MeetingStatus
from alongside.meetings.notes import note_save
from alongside.meetings.services import meeting_log, meeting_schedule
from alongside.organizations.models import Program
from alongside.participants.models import Participant
from conftest import open_engagement

URL = "/api/v1/meetings"
PERSONAS = [
    "admin",
    "coordinator",
    "supervisor",
    "supporter",
    "other_supporter",
    "participant_user",
    "outsider",
]


def soon(**delta) -> datetime.datetime:
    return timezone.now().replace(microsecond=0) + datetime.timedelta(**delta)


def planned(world, engagement=None, **fields) -> Meeting:
    values = {
        "starts_at": soon(days=1),
        "duration_minutes": 60,
        "mode": "in_person",
        "place_type": "office",
        "allow_overlap": True,
    }
    values.update(fields)
    engagement = engagement or world.engagement
    return meeting_schedule(engagement=engagement, actor=engagement.supporter, **values)


def held(world, engagement=None, **fields) -> Meeting:
    values = {"starts_at": soon(days=-1), "duration_minutes": 45, "mode": "phone"}
    values.update(fields)
    engagement = engagement or world.engagement
    return meeting_log(engagement=engagement, actor=engagement.supporter, **values)


def plan_body(world, **changes) -> dict:
    body = {
        "engagement": world.engagement.pk,
        "status": "planned",
        "starts_at": soon(days=2).isoformat(),
        "duration_minutes": 60,
        "mode": "in_person",
        "place_type": "community",
    }
    body.update(changes)
    return body


def patch(client: Client, path: str, body: dict, if_match: str | None = None):
    headers = {"If-Match": if_match} if if_match is not None else {}
    return client.patch(path, body, content_type="application/json", headers=headers)


def post_if(client: Client, path: str, body: dict, if_match: str | None):
    headers = {"If-Match": if_match} if if_match is not None else {}
    return client.post(path, body, content_type="application/json", headers=headers)


def tag(meeting: Meeting) -> str:
    meeting.refresh_from_db()
    return f'"{meeting.version}"'


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


# Listing and reading


def test_the_supporter_lists_the_meetings_of_her_participants_only(world, api_as):
    mine = planned(world)
    held(world, world.other_engagement)

    response = api_as(world.supporter).get(URL)

    assert response.status_code == 200
    assert ids(response) == [mine.pk]
    item = response.json()["items"][0]
    assert item["engagement"] == world.engagement.pk
    assert item["participant"] == world.participant.pk
    assert item["supporter"] == world.supporter.pk
    assert item["status"] == "planned"
    assert item["place_type"] == "office"
    assert item["planned_minutes"] == 60
    assert item["version"] == mine.version
    assert AccessLog.objects.get(what="api meetings").participant_ids == [world.participant.pk]


def test_the_coordinator_sees_her_programs_and_the_supervisor_his_supervisees(world, api_as):
    mine = planned(world)
    others = held(world, world.other_engagement)

    assert sorted(ids(api_as(world.coordinator).get(URL))) == sorted([mine.pk, others.pk])
    assert ids(api_as(world.supervisor).get(URL)) == [mine.pk]
    assert ids(api_as(world.outsider).get(URL)) == []


def test_the_list_filters_by_engagement_status_and_time(world, api_as):
    tomorrow = planned(world, starts_at=soon(days=1))
    later = planned(world, starts_at=soon(days=10))
    past = held(world, starts_at=soon(days=-3))
    held(world, world.other_engagement)
    client = api_as(world.coordinator)

    by_engagement = client.get(URL, {"engagement": world.engagement.pk})
    assert sorted(ids(by_engagement)) == sorted([tomorrow.pk, later.pk, past.pk])
    assert ids(client.get(URL, {"engagement": world.engagement.pk, "status": "held"})) == [past.pk]
    first = timezone.localtime(tomorrow.starts_at).date()
    by_days = client.get(URL, {"from": first.isoformat(), "to": first.isoformat()})
    assert ids(by_days) == [tomorrow.pk]
    by_moments = client.get(
        URL,
        {
            "from": soon(days=5).isoformat(),
            "to": (later.starts_at + datetime.timedelta(seconds=1)),
        },
    )
    assert ids(by_moments) == [later.pk]
    # Newest first.
    assert ids(client.get(URL, {"engagement": world.engagement.pk})) == [
        later.pk,
        tomorrow.pk,
        past.pk,
    ]


def test_an_engagement_out_of_scope_filters_to_nothing(world, api_as):
    held(world, world.other_engagement)

    response = api_as(world.supporter).get(URL, {"engagement": world.other_engagement.pk})

    assert response.json() == {"items": [], "count": 0}


@pytest.mark.parametrize(
    "query",
    [
        {"from": "yesterday"},
        {"to": "2025-13-01"},
        {"from": "9999-12-31"},
        {"to": "0001-01-01T00:00"},
        {"status": "postponed"},
        {"engagement": "one"},
    ],
)
def test_unreadable_filters_answer_422(world, api_as, query):
    response = api_as(world.supporter).get(URL, query)

    assert response.status_code == 422
    assert response.json()["detail"]


def test_a_read_answers_the_meeting_with_its_etag_and_never_its_note(world, api_as):
    meeting = held(world)
    note_save(
        meeting=meeting, actor=world.supporter, expected_version=0, body="Talked about work."
    )

    response = api_as(world.supporter).get(f"{URL}/{meeting.pk}")

    assert response.status_code == 200
    body = response.json()
    assert response["ETag"] == f'"{meeting.version}"'
    assert body["has_note"] is True
    assert body["note_status"] == "draft"
    assert "Talked about work" not in response.content.decode()
    assert not {"note", "body", "summary", "next_steps"} & set(body)
    assert body["service_units"] == 3
    assert AccessLog.objects.get(what="api meeting").participant_ids == [world.participant.pk]


def test_a_meeting_without_a_note_says_so(world, api_as):
    meeting = planned(world)

    body = api_as(world.supporter).get(f"{URL}/{meeting.pk}").json()

    assert body["has_note"] is False
    assert body["note_status"] is None


def test_a_participant_token_reads_their_own_meetings_as_the_portal_shows_them(world, api_as):
    mine = planned(world)
    meeting_cancel_now(world, mine, "Sunny is ill")
    done = held(world)
    note_save(meeting=done, actor=world.supporter, expected_version=0, body="Private.")
    others = held(world, world.other_engagement)
    client = api_as(world.participant_user)

    listing = client.get(URL)

    assert sorted(ids(listing)) == sorted([mine.pk, done.pk])
    cancelled = client.get(f"{URL}/{mine.pk}").json()
    assert cancelled["status"] == "cancelled"
    assert cancelled["cancel_reason"] is None
    noted = client.get(f"{URL}/{done.pk}").json()
    assert noted["has_note"] is None
    assert noted["note_status"] is None
    assert client.get(f"{URL}/{others.pk}").status_code == 404


def meeting_cancel_now(world, meeting: Meeting, reason: str) -> None:
    from alongside.meetings.services import meeting_cancel

    meeting_cancel(
        meeting=meeting, actor=world.supporter, expected_version=meeting.version, reason=reason
    )


def test_staff_see_the_cancel_reason(world, api_as):
    meeting = planned(world)
    meeting_cancel_now(world, meeting, "Sunny is ill")

    assert api_as(world.supervisor).get(f"{URL}/{meeting.pk}").json()["cancel_reason"] == (
        "Sunny is ill"
    )


# Who may do what: every endpoint, every persona


READ = {
    "admin": 403,
    "coordinator": 200,
    "supervisor": 200,
    "supporter": 200,
    "other_supporter": 404,
    "participant_user": 200,
    "outsider": 404,
}
LIST = {**READ, "other_supporter": 200, "outsider": 200}
WRITE = {**READ, "supervisor": 403, "participant_user": 403}
CREATE = {**WRITE, "coordinator": 201, "supporter": 201}


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_list(world, api_as, persona):
    planned(world)

    assert api_as(getattr(world, persona)).get(URL).status_code == LIST[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_read(world, api_as, persona):
    meeting = planned(world)

    response = api_as(getattr(world, persona)).get(f"{URL}/{meeting.pk}")

    assert response.status_code == READ[persona]
    assert "detail" in response.json() or response.json()["id"] == meeting.pk


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_plan(world, api_as, persona):
    response = post_json(api_as(getattr(world, persona)), URL, plan_body(world))

    assert response.status_code == CREATE[persona]
    assert Meeting.objects.count() == (1 if CREATE[persona] == 201 else 0)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_move(world, api_as, persona):
    meeting = planned(world)
    before = meeting.starts_at

    response = patch(
        api_as(getattr(world, persona)),
        f"{URL}/{meeting.pk}",
        {"starts_at": soon(days=3).isoformat()},
        tag(meeting),
    )

    assert response.status_code == WRITE[persona]
    meeting.refresh_from_db()
    assert (meeting.starts_at != before) == (WRITE[persona] == 200)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_cancel(world, api_as, persona):
    meeting = planned(world)

    response = post_if(
        api_as(getattr(world, persona)),
        f"{URL}/{meeting.pk}/cancel",
        {"reason": "Clash"},
        tag(meeting),
    )

    assert response.status_code == WRITE[persona]
    meeting.refresh_from_db()
    assert (meeting.status == "cancelled") == (WRITE[persona] == 200)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_record_the_outcome(world, api_as, persona):
    meeting = planned(world, starts_at=soon(minutes=-30))

    response = post_if(
        api_as(getattr(world, persona)),
        f"{URL}/{meeting.pk}/outcome",
        {"outcome": "missed"},
        tag(meeting),
    )

    assert response.status_code == WRITE[persona]
    meeting.refresh_from_db()
    assert (meeting.status == "missed") == (WRITE[persona] == 200)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", ""),
        ("get", "/{pk}"),
        ("post", ""),
        ("patch", "/{pk}"),
        ("post", "/{pk}/cancel"),
        ("post", "/{pk}/outcome"),
    ],
)
def test_anonymous_callers_are_asked_to_sign_in(world, method, path):
    meeting = planned(world)

    response = getattr(Client(), method)(
        URL + path.format(pk=meeting.pk), {}, content_type="application/json"
    )

    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]


# Planning and logging


def test_the_supporter_plans_a_meeting(world, api_as):
    response = post_json(api_as(world.supporter), URL, plan_body(world, reminder_minutes=60))

    assert response.status_code == 201, response.json()
    body = response.json()
    meeting = Meeting.objects.get(pk=body["id"])
    assert response["ETag"] == f'"{meeting.version}"'
    assert meeting.status == MeetingStatus.PLANNED
    assert meeting.place_type == "community"
    assert meeting.reminder_minutes == 60
    assert meeting.created_by == world.supporter
    ends_at = datetime.datetime.fromisoformat(body["ends_at"])
    assert ends_at == meeting.starts_at + datetime.timedelta(minutes=60)


def test_a_time_without_an_offset_is_local_time(world, api_as):
    local = timezone.localtime(soon(days=2)).replace(tzinfo=None, second=0)

    response = post_json(
        api_as(world.supporter), URL, plan_body(world, starts_at=local.isoformat())
    )

    assert response.status_code == 201, response.json()
    meeting = Meeting.objects.get(pk=response.json()["id"])
    assert timezone.localtime(meeting.starts_at).replace(tzinfo=None) == local


def test_the_supporter_logs_a_held_meeting_with_its_service_units(world, api_as):
    world.program.service_unit_minutes = 15
    world.program.save()

    response = post_json(
        api_as(world.supporter),
        URL,
        plan_body(world, status="held", starts_at=soon(hours=-2).isoformat(), place_type=""),
    )

    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "held"
    assert response.json()["service_units"] == 4


def test_a_no_show_is_logged(world, api_as):
    response = post_json(
        api_as(world.supporter),
        URL,
        plan_body(world, status="missed", starts_at=soon(hours=-2).isoformat()),
    )

    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "missed"
    assert response.json()["service_units"] == 0


def test_an_overlap_answers_409_listing_the_clashes_and_saves_nothing(world, api_as):
    other = planned(world, starts_at=soon(days=2, minutes=30))

    response = post_json(
        api_as(world.supporter), URL, plan_body(world, starts_at=soon(days=2).isoformat())
    )

    assert response.status_code == 409
    body = response.json()
    assert "already has a meeting" in body["detail"]
    assert body["overlaps"] == [
        {
            "id": other.pk,
            "engagement": world.engagement.pk,
            "starts_at": body["overlaps"][0]["starts_at"],
            "ends_at": body["overlaps"][0]["ends_at"],
        }
    ]
    assert Meeting.objects.count() == 1


def test_allow_overlap_saves_anyway(world, api_as):
    planned(world, starts_at=soon(days=2, minutes=30))

    response = post_json(
        api_as(world.supporter),
        URL,
        plan_body(world, starts_at=soon(days=2).isoformat(), allow_overlap=True),
    )

    assert response.status_code == 201
    assert Meeting.objects.count() == 2


def test_a_clash_outside_the_callers_scope_shows_only_its_time(world, api_as):
    # Sunny also works in a program Cora does not coordinate.
    elsewhere = Program.objects.create(organization=world.org, name="Reentry")
    person = Participant.objects.create(organization=world.org, first_name="Rae")
    hidden = planned(
        world, open_engagement(person, elsewhere, world.supporter), starts_at=soon(days=2)
    )

    response = post_json(
        api_as(world.coordinator), URL, plan_body(world, starts_at=soon(days=2).isoformat())
    )

    assert response.status_code == 409
    [clash] = response.json()["overlaps"]
    assert (clash["id"], clash["engagement"]) == (None, None)
    assert datetime.datetime.fromisoformat(clash["starts_at"]) == hidden.starts_at
    assert "Rae" not in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "status", "says"),
    [
        ({"mode": "carrier pigeon"}, 422, "mode"),
        ({"place_type": "moon"}, 422, "place_type"),
        ({"status": "cancelled"}, 422, "status"),
        ({"duration_minutes": "long"}, 422, "duration_minutes"),
        ({"duration_minutes": 0}, 422, "duration_minutes"),
        ({"duration_minutes": 1441}, 422, "duration_minutes"),
        ({"starts_at": "tomorrow"}, 422, "starts_at"),
        ({"starts_at": "9999-12-31T23:59:00"}, 422, "1900"),
        ({"reminder_minutes": 0}, 422, "reminder_minutes"),
        ({"reminder_minutes": 20000}, 422, "reminder_minutes"),
        ({"place_type": ""}, 422, "where"),
        ({"engagement": "abc"}, 422, "engagement"),
        ({"starts_at": soon(days=-2).isoformat()}, 409, "held instead"),
        ({"status": "held", "starts_at": soon(days=1).isoformat()}, 409, "future"),
        ({"status": "missed", "reminder_minutes": 30}, 422, "reminder"),
    ],
)
def test_bad_input_answers_4xx_with_a_message_and_saves_nothing(
    world, api_as, changes, status, says
):
    if changes.get("status") == "missed":
        changes["starts_at"] = soon(hours=-1).isoformat()
    response = post_json(api_as(world.supporter), URL, plan_body(world, **changes))

    assert response.status_code == status, response.json()
    assert says.lower() in response.json()["detail"].lower()
    assert Meeting.objects.count() == 0


@pytest.mark.parametrize("engagement", ["unknown", "other", "foreign"])
def test_an_engagement_one_may_not_see_answers_404(world, api_as, engagement):
    pk = {
        "unknown": 10**9,
        "other": world.other_engagement.pk,
        "foreign": world.foreign_engagement.pk,
    }[engagement]

    response = post_json(api_as(world.supporter), URL, plan_body(world, engagement=pk))

    assert response.status_code == 404
    assert Meeting.objects.count() == 0


def test_a_closed_engagement_takes_no_meetings(world, api_as):
    world.engagement.state = "closed"
    world.engagement.closed_on = timezone.localdate()
    world.engagement.save()

    response = post_json(api_as(world.supporter), URL, plan_body(world))

    assert response.status_code == 409
    assert "closed" in response.json()["detail"]
    assert Meeting.objects.count() == 0


# Changing a planned meeting: If-Match


def test_a_move_without_if_match_answers_428_and_changes_nothing(world, api_as):
    meeting = planned(world)
    before = meeting.starts_at

    response = patch(
        api_as(world.supporter), f"{URL}/{meeting.pk}", {"starts_at": soon(days=3).isoformat()}
    )

    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"]
    meeting.refresh_from_db()
    assert meeting.starts_at == before


@pytest.mark.parametrize("if_match", ['"0"', '"99"', "*", "1", "garbage"])
def test_a_stale_or_unreadable_if_match_answers_412_and_changes_nothing(world, api_as, if_match):
    meeting = planned(world)
    version = meeting.version

    response = patch(
        api_as(world.supporter),
        f"{URL}/{meeting.pk}",
        {"starts_at": soon(days=3).isoformat()},
        if_match,
    )

    assert response.status_code == 412
    assert response.json()["detail"]
    meeting.refresh_from_db()
    assert meeting.version == version


def test_a_move_with_the_etag_answers_the_new_etag(world, api_as):
    meeting = planned(world, reminder_minutes=60)
    client = api_as(world.supporter)
    etag = client.get(f"{URL}/{meeting.pk}")["ETag"]
    new_time = soon(days=3)

    response = patch(client, f"{URL}/{meeting.pk}", {"starts_at": new_time.isoformat()}, etag)

    assert response.status_code == 200, response.json()
    meeting.refresh_from_db()
    assert meeting.starts_at == new_time
    assert response["ETag"] == f'"{meeting.version}"' != etag
    # Fields left out keep their value.
    assert meeting.reminder_minutes == 60
    assert meeting.place_type == "office"
    assert meeting.history.first().history_change_reason == "rescheduled"


def test_a_weak_or_listed_etag_is_accepted(world, api_as):
    meeting = planned(world)

    response = patch(
        api_as(world.supporter),
        f"{URL}/{meeting.pk}",
        {"duration_minutes": 90},
        f'"77", W/"{meeting.version}"',
    )

    assert response.status_code == 200, response.json()
    assert response.json()["duration_minutes"] == 90


def test_a_patch_changes_length_mode_place_and_removes_the_reminder(world, api_as):
    meeting = planned(world, reminder_minutes=60)

    response = patch(
        api_as(world.coordinator),
        f"{URL}/{meeting.pk}",
        {
            "duration_minutes": 30,
            "mode": "video",
            "place_type": "virtual",
            "reminder_minutes": None,
        },
        tag(meeting),
    )

    assert response.status_code == 200, response.json()
    meeting.refresh_from_db()
    assert (meeting.duration_minutes, meeting.planned_minutes) == (30, 30)
    assert (meeting.mode, meeting.place_type, meeting.reminder_minutes) == (
        "video",
        "virtual",
        None,
    )


def test_a_stale_edit_found_inside_the_service_answers_412(world, api_as, monkeypatch):
    """Someone saves between our If-Match check and the service's locked re-check."""
    meeting = planned(world)
    etag = tag(meeting)
    real = meetings_api.meeting_reschedule

    def racing(**kwargs):
        Meeting.objects.filter(pk=meeting.pk).update(version=F("version") + 1)
        return real(**kwargs)

    monkeypatch.setattr(meetings_api, "meeting_reschedule", racing)

    response = patch(api_as(world.supporter), f"{URL}/{meeting.pk}", {"duration_minutes": 5}, etag)

    assert response.status_code == 412
    assert f'"{meeting.version + 1}"' in response.json()["detail"]
    meeting.refresh_from_db()
    assert meeting.duration_minutes == 60


def test_a_move_into_a_clash_answers_409_with_the_clashes(world, api_as):
    other = planned(world, starts_at=soon(days=5))
    meeting = planned(world, starts_at=soon(days=1))
    client = api_as(world.supporter)

    refused = patch(
        client, f"{URL}/{meeting.pk}", {"starts_at": soon(days=5).isoformat()}, tag(meeting)
    )
    assert refused.status_code == 409
    assert [clash["id"] for clash in refused.json()["overlaps"]] == [other.pk]

    allowed = patch(
        client,
        f"{URL}/{meeting.pk}",
        {"starts_at": soon(days=5).isoformat(), "allow_overlap": True},
        tag(meeting),
    )
    assert allowed.status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"starts_at": None},
        {"duration_minutes": 0},
        {"mode": "telepathy"},
        {"place_type": ""},
        {"reminder_minutes": -5},
    ],
)
def test_a_bad_patch_answers_422_and_changes_nothing(world, api_as, body):
    meeting = planned(world)
    version = meeting.version

    response = patch(api_as(world.supporter), f"{URL}/{meeting.pk}", body, tag(meeting))

    assert response.status_code == 422
    meeting.refresh_from_db()
    assert meeting.version == version


def test_a_move_to_the_past_answers_409(world, api_as):
    meeting = planned(world)

    response = patch(
        api_as(world.supporter),
        f"{URL}/{meeting.pk}",
        {"starts_at": soon(days=-2).isoformat()},
        tag(meeting),
    )

    assert response.status_code == 409
    assert "future" in response.json()["detail"]


def test_only_a_planned_meeting_changes(world, api_as):
    meeting = held(world)

    response = patch(
        api_as(world.supporter), f"{URL}/{meeting.pk}", {"duration_minutes": 5}, tag(meeting)
    )

    assert response.status_code == 409
    assert "only a planned meeting" in response.json()["detail"]


# Cancelling and recording what happened


def test_cancelling_needs_a_reason_and_keeps_it(world, api_as):
    meeting = planned(world)
    client = api_as(world.supporter)

    refused = post_if(client, f"{URL}/{meeting.pk}/cancel", {"reason": "  "}, tag(meeting))
    assert refused.status_code == 422
    assert Meeting.objects.get(pk=meeting.pk).status == "planned"

    response = post_if(client, f"{URL}/{meeting.pk}/cancel", {"reason": "Flu"}, tag(meeting))
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancel_reason"] == "Flu"
    assert response["ETag"] == tag(meeting)


def test_cancelling_twice_answers_409(world, api_as):
    meeting = planned(world)
    meeting_cancel_now(world, meeting, "Flu")

    response = post_if(
        api_as(world.supporter), f"{URL}/{meeting.pk}/cancel", {"reason": "Again"}, tag(meeting)
    )

    assert response.status_code == 409


def test_cancelling_without_if_match_answers_428(world, api_as):
    meeting = planned(world)

    response = post_if(
        api_as(world.supporter), f"{URL}/{meeting.pk}/cancel", {"reason": "x"}, None
    )

    assert response.status_code == 428
    assert Meeting.objects.get(pk=meeting.pk).status == "planned"


def test_a_held_meeting_is_recorded_with_how_long_it_ran(world, api_as):
    world.program.service_unit_minutes = 15
    world.program.save()
    meeting = planned(world, starts_at=soon(minutes=-30), duration_minutes=60)

    response = post_if(
        api_as(world.supporter),
        f"{URL}/{meeting.pk}/outcome",
        {"outcome": "held", "duration_minutes": 75, "mode": "phone"},
        tag(meeting),
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["duration_minutes"], body["planned_minutes"]) == ("held", 75, 60)
    assert body["service_units"] == 5
    assert body["mode"] == "phone"


def test_held_needs_its_length(world, api_as):
    meeting = planned(world, starts_at=soon(minutes=-30))

    response = post_if(
        api_as(world.supporter), f"{URL}/{meeting.pk}/outcome", {"outcome": "held"}, tag(meeting)
    )

    assert response.status_code == 422
    assert "duration_minutes" in response.json()["detail"]
    assert Meeting.objects.get(pk=meeting.pk).status == "planned"


def test_a_meeting_still_to_come_has_no_outcome_yet(world, api_as):
    meeting = planned(world)

    response = post_if(
        api_as(world.supporter), f"{URL}/{meeting.pk}/outcome", {"outcome": "missed"}, tag(meeting)
    )

    assert response.status_code == 409
    assert "not started" in response.json()["detail"]
    assert Meeting.objects.get(pk=meeting.pk).status == "planned"


def test_a_stale_outcome_answers_412(world, api_as):
    meeting = planned(world, starts_at=soon(minutes=-30))

    response = post_if(
        api_as(world.supporter), f"{URL}/{meeting.pk}/outcome", {"outcome": "missed"}, '"0"'
    )

    assert response.status_code == 412
    assert Meeting.objects.get(pk=meeting.pk).status == "planned"


# Cost


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return len(context)


@pytest.mark.parametrize("persona", ["coordinator", "participant_user"])
def test_list_queries_do_not_grow_with_rows(world, api_as, persona):
    meeting = held(world)
    note_save(meeting=meeting, actor=world.supporter, expected_version=0, body="A note.")
    client = api_as(getattr(world, persona))
    client.get(URL)  # the first use of a token records when it was used
    one = _queries(client, URL)

    for day in range(2, 11):
        done = held(world, starts_at=soon(days=-day))
        note_save(meeting=done, actor=world.supporter, expected_version=0, body="A note.")

    ten = _queries(client, URL)
    assert ten == one
    assert client.get(URL).json()["count"] == 10
