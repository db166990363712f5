"""The lists' filters (issue 7): each narrows within the caller's scope, never beyond it,
and an unreadable value answers 422."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from alongside.consents.models import Consent
from alongside.consents.services import consent_revoke
from alongside.exits.services import exit_start
from alongside.participants.models import Participant
from alongside.plans.models import Goal
from alongside.plans.testing import a_goal
from alongside.referrals.services import referral_create
from conftest import open_engagement


def ids(client, url: str, query: dict) -> set[int]:
    response = client.get(url, query)
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def a_consent(world, participant, **fields) -> Consent:
    today = timezone.localdate()
    values = {
        "organization": world.org,
        "participant": participant,
        "discloser": world.org.name,
        "categories": ["attendance"],
        "amount": "Dates",
        "recipient_kind": "named",
        "recipient_name": "Eastside Clinic",
        "purposes": ["treatment"],
        "expires_on": today + datetime.timedelta(days=90),
        "signature_method": "paper",
        "signature_name": "Pat Rivera",
        "signed_on": today,
        "recorded_by": world.supporter,
    }
    values.update(fields)
    return Consent.objects.create(**values)


def test_participants_by_name_and_program(world, api_as):
    referral = referral_create(
        organization=world.org,
        program=world.respite,
        actor=world.coordinator,
        participant={"first_name": "Nova", "last_name": "Diaz"},
        source="self",
        needs="x",
    )
    client = api_as(world.coordinator)
    url = "/api/v1/participants"

    assert ids(client, url, {"name": "riv"}) == {world.participant.pk}
    assert ids(client, url, {"program": world.respite.pk}) == {referral.participant_id}
    assert ids(client, url, {"program": world.program.pk}) == {
        world.participant.pk,
        world.other_participant.pk,
    }
    # A supporter sees only the people of her engagements, whatever she names.
    assert ids(api_as(world.supporter), url, {"name": "Quinn"}) == set()
    assert client.get(url, {"name": ""}).status_code == 422


def test_goals_by_participant_status_and_stage(world, api_as):
    choir = a_goal(world.engagement, world.supporter, "Choir", stage="contemplation")
    walk = a_goal(world.engagement, world.supporter, "Walk")
    Goal.objects.filter(pk=walk.pk).update(status="achieved")
    client = api_as(world.coordinator)
    url = "/api/v1/goals"

    assert ids(client, url, {"participant": world.participant.pk}) == {choir.pk, walk.pk}
    assert ids(client, url, {"participant": world.other_participant.pk}) == set()
    assert ids(client, url, {"status": "achieved"}) == {walk.pk}
    assert ids(client, url, {"stage": "contemplation"}) == {choir.pk}
    assert client.get(url, {"stage": "ready"}).status_code == 422


def test_consents_by_status_participant_and_day(world, api_as):
    today = timezone.localdate()
    active = a_consent(world, world.participant)
    expired = a_consent(
        world,
        world.participant,
        signed_on=today - datetime.timedelta(days=100),
        expires_on=today,
    )
    revoked = consent_revoke(
        consent=a_consent(world, world.participant), actor=world.supporter, method="written"
    )
    client = api_as(world.supporter)
    url = "/api/v1/consents"

    assert ids(client, url, {"status": "active"}) == {active.pk}
    assert ids(client, url, {"status": "expired"}) == {expired.pk}
    assert ids(client, url, {"status": "revoked"}) == {revoked.pk}
    assert ids(client, url, {"participant": world.participant.pk}) == {
        active.pk,
        expired.pk,
        revoked.pk,
    }
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    assert ids(client, url, {"until": yesterday}) == {expired.pk}
    # The API's status is the record's own.
    for item in client.get(url).json()["items"]:
        assert item["status"] == Consent.objects.get(pk=item["id"]).status()
    assert client.get(url, {"status": "lapsed"}).status_code == 422


def test_exits_by_completion_reason_and_participant(world, api_as):
    leaving = Participant.objects.create(organization=world.org, first_name="Lee")
    ending = open_engagement(leaving, world.program, world.supporter)
    moved = exit_start(engagement=ending, actor=world.supporter, reason="moved")
    met = exit_start(engagement=world.engagement, actor=world.supporter, reason="goals_met")
    client = api_as(world.supporter)
    url = "/api/v1/exits"

    assert ids(client, url, {"reason": "moved"}) == {moved.pk}
    assert ids(client, url, {"kind": "planned"}) == {met.pk}
    assert ids(client, url, {"participant": leaving.pk}) == {moved.pk}
    assert ids(client, url, {"completed": "false"}) == {moved.pk, met.pk}
    assert ids(client, url, {"completed": "true"}) == set()
    assert ids(client, url, {"since": timezone.localdate().isoformat()}) == {moved.pk, met.pk}
    assert client.get(url, {"completed": "maybe"}).status_code == 422


def test_agreements_meetings_and_responses_by_participant(world, api_as):
    client = api_as(world.coordinator)
    signed = {s.pk for s in world.signed}

    assert ids(client, "/api/v1/agreements", {"participant": world.participant.pk}) == signed
    assert ids(client, "/api/v1/agreements", {"participant": world.other_participant.pk}) == set()
    assert ids(client, "/api/v1/meetings", {"participant": world.participant.pk}) == set()
    assert ids(client, "/api/v1/responses", {"participant": world.participant.pk}) == set()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/referrals",
        "/api/v1/engagements",
        "/api/v1/agreements",
        "/api/v1/consents",
        "/api/v1/responses",
        "/api/v1/assessments",
        "/api/v1/exits",
        "/api/v1/concerns",
    ],
)
@pytest.mark.parametrize(
    "query",
    [
        {"since": "yesterday"},
        {"until": "2025-13-01"},
        {"since": "1899-12-31"},
        {"until": "3000-01-01"},
        {"since": "2025-03-02", "until": "2025-03-01"},
    ],
)
def test_an_unreadable_day_answers_422(world, api_as, url, query):
    response = api_as(world.coordinator).get(url, query)

    assert response.status_code == 422
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/engagements",
        "/api/v1/goals",
        "/api/v1/meetings",
        "/api/v1/agreements",
        "/api/v1/consents",
        "/api/v1/responses",
        "/api/v1/assessments",
        "/api/v1/exits",
    ],
)
def test_naming_a_participant_out_of_scope_lists_nothing(world, api_as, url):
    response = api_as(world.other_supporter).get(url, {"participant": world.participant.pk})

    assert response.status_code == 200
    assert response.json() == {"items": [], "count": 0}
