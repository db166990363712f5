"""Screening referrals through the API, and the referral list's filters."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from alongside.api.tests.conftest import post_json
from alongside.audit.models import AuditEvent
from alongside.referrals.models import Referral, Status
from alongside.referrals.services import referral_create

URL = "/api/v1/referrals"


def a_referral(world, program=None, **fields) -> Referral:
    values = {"source": "clinic", "needs": "Someone to talk to.", "urgency": "routine"}
    values.update(fields)
    return referral_create(
        organization=(program or world.program).organization,
        program=program or world.program,
        actor=world.coordinator,
        participant={"first_name": "Nova", "last_name": "Diaz"},
        **values,
    )


def screen(client: Client, referral: Referral, body: dict):
    return post_json(client, f"{URL}/{referral.pk}/screening", body)


def snapshot(referral: Referral) -> tuple:
    referral.refresh_from_db()
    return (
        referral.status,
        referral.screened_at,
        referral.decline_reason,
        referral.waitlist_priority,
    )


# Screening


def test_a_coordinator_accepts_a_referral(world, api_as):
    referral = a_referral(world)

    response = screen(api_as(world.coordinator), referral, {"decision": "accept"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == Status.ACCEPTED
    assert body["screened_by"] == world.coordinator.pk and body["screened_at"]
    assert AuditEvent.objects.filter(action="referral.accepted").count() == 1


def test_waitlisting_keeps_the_priority(world, api_as):
    referral = a_referral(world)

    response = screen(api_as(world.coordinator), referral, {"decision": "waitlist", "priority": 1})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == Status.WAITLISTED
    assert response.json()["waitlist_priority"] == 1


def test_declining_tells_the_referrer_and_keeps_the_reason(
    world, api_as, django_capture_on_commit_callbacks
):
    referral = a_referral(world, referrer_email="dana@clinic.example")

    with django_capture_on_commit_callbacks(execute=True):
        response = screen(
            api_as(world.coordinator),
            referral,
            {"decision": "decline", "reason": "Outside our area.", "share_reason": True},
        )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == Status.DECLINED
    assert response.json()["decline_reason"] == "Outside our area."
    assert len(mail.outbox) == 1 and "Outside our area." in mail.outbox[0].body


def test_a_closed_referral_is_not_screened_again(world, api_as):
    referral = a_referral(world)
    client = api_as(world.coordinator)
    screen(client, referral, {"decision": "decline", "reason": "Outside our area."})
    before = snapshot(referral)

    response = screen(client, referral, {"decision": "accept"})

    assert response.status_code == 409
    assert "already" in response.json()["detail"]
    assert snapshot(referral) == before


@pytest.mark.parametrize(
    "body, named",
    [
        ({"decision": "decline"}, "reason"),
        ({"decision": "accept", "priority": 2}, "priority"),
        ({"decision": "accept", "reason": "x"}, "reason"),
        ({"decision": "waitlist", "priority": 9}, "priority"),
        ({"decision": "waitlist", "priority": "high"}, "priority"),
        ({"decision": "approve"}, "decision"),
        ({"decision": "accept", "status": "accepted"}, "status"),
        ({}, "decision"),
    ],
)
def test_bad_screening_input_answers_422_and_changes_nothing(world, api_as, body, named):
    referral = a_referral(world)
    before = snapshot(referral)

    response = screen(api_as(world.coordinator), referral, body)

    assert response.status_code == 422, response.content
    assert named in response.json()["detail"]
    assert snapshot(referral) == before


def test_an_unknown_field_is_named(world, api_as):
    referral = a_referral(world)

    response = screen(api_as(world.coordinator), referral, {"decision": "accept", "notes": "x"})

    assert response.status_code == 422
    assert response.json()["detail"].startswith("notes: Unknown field")


@pytest.mark.parametrize(
    "persona, status",
    [
        ("coordinator", 200),
        ("admin", 403),
        ("supervisor", 403),
        ("supporter", 403),
        ("other_supporter", 403),
        ("participant_user", 403),
        ("outsider", 404),
    ],
)
def test_who_may_screen(world, api_as, persona, status):
    referral = a_referral(world)

    response = screen(api_as(getattr(world, persona)), referral, {"decision": "accept"})

    assert response.status_code == status
    assert (Referral.objects.get(pk=referral.pk).status == Status.ACCEPTED) == (status == 200)


def test_anonymous_may_not_screen(world):
    referral = a_referral(world)

    response = post_json(Client(), f"{URL}/{referral.pk}/screening", {"decision": "accept"})

    assert response.status_code == 401
    assert Referral.objects.get(pk=referral.pk).status == Status.NEW


def test_a_referral_to_a_program_not_coordinated_is_404(world, api_as):
    from alongside.organizations.models import Program

    other = Program.objects.create(organization=world.org, name="Warmline")
    referral = a_referral(world, program=other)

    response = screen(api_as(world.coordinator), referral, {"decision": "accept"})

    assert response.status_code == 404
    assert Referral.objects.get(pk=referral.pk).status == Status.NEW


# The list's filters


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_the_list_filters_by_program_status_urgency_participant_and_day(world, api_as):
    community = a_referral(world, urgency="urgent")
    respite = a_referral(world, program=world.respite)
    old = a_referral(world)
    Referral.objects.filter(pk=old.pk).update(
        received_at=timezone.now() - datetime.timedelta(days=40)
    )
    client = api_as(world.coordinator)
    screen(client, respite, {"decision": "waitlist"})
    today = timezone.localdate()

    assert ids(client.get(URL, {"program": world.respite.pk})) == [respite.pk]
    assert ids(client.get(URL, {"status": "waitlisted"})) == [respite.pk]
    assert ids(client.get(URL, {"urgency": "urgent"})) == [community.pk]
    assert ids(client.get(URL, {"participant": old.participant_id})) == [old.pk]
    since = (today - datetime.timedelta(days=1)).isoformat()
    assert set(ids(client.get(URL, {"since": since}))) == {community.pk, respite.pk}
    until = (today - datetime.timedelta(days=30)).isoformat()
    assert ids(client.get(URL, {"until": until})) == [old.pk]


@pytest.mark.parametrize(
    "query",
    [
        {"status": "maybe"},
        {"urgency": "now"},
        {"program": "x"},
        {"since": "2025-02-30"},
        {"since": "2025-03-02", "until": "2025-03-01"},
        {"until": "0001-01-01"},
    ],
)
def test_an_invalid_filter_answers_422(world, api_as, query):
    response = api_as(world.coordinator).get(URL, query)

    assert response.status_code == 422
    assert response.json()["detail"]
