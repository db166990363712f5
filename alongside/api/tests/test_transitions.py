"""POST /engagements/{id}/transitions: the lifecycle rules of design.md §3 through the API."""

from __future__ import annotations

from alongside.api.tests.conftest import post_json
from alongside.engagements.models import State, StateChange
from alongside.participants.models import Participant
from conftest import open_engagement


def transition_url(engagement) -> str:
    return f"/api/v1/engagements/{engagement.pk}/transitions"


def test_a_supporter_moves_her_engagement_on(world, api_as):
    response = post_json(
        api_as(world.supporter),
        transition_url(world.engagement),
        {"to": "exiting", "reason": "Goals met"},
    )

    assert response.status_code == 200
    assert response.json()["state"] == State.EXITING
    assert response.json()["version"] == world.engagement.version + 1
    change = StateChange.objects.get(engagement=world.engagement)
    assert (change.from_state, change.to_state) == (State.ACTIVE, State.EXITING)
    assert change.actor == world.supporter
    assert change.reason == "Goals met"


def test_activation_without_agreements_is_refused_naming_them(world, api_as):
    nova = Participant.objects.create(organization=world.org, first_name="Nova")
    onboarding = open_engagement(nova, world.program, world.supporter, state=State.ONBOARDING)

    response = post_json(
        api_as(world.supporter), transition_url(onboarding), {"to": "active", "reason": "Ready"}
    )

    assert response.status_code == 409
    body = response.json()
    assert body["missing"] == [
        "The process and what to expect explained",
        "Rights and privacy explained",
        "Joint Participation Contract",
        "Release of Liability",
        "Emergency plan",
        "Communication preferences and boundaries",
    ]
    assert "Emergency plan" in body["detail"]
    assert "Joint Participation Contract" in body["detail"]
    assert "Release of Liability" in body["detail"]
    onboarding.refresh_from_db()
    assert onboarding.state == State.ONBOARDING


def test_a_closed_engagement_cannot_transition(world, api_as):
    closed = open_engagement(world.participant, world.respite, world.supporter, state=State.CLOSED)

    response = post_json(
        api_as(world.supporter), transition_url(closed), {"to": "active", "reason": "Back"}
    )

    assert response.status_code == 409
    closed.refresh_from_db()
    assert closed.state == State.CLOSED


def test_a_stale_version_is_refused(world, api_as):
    response = post_json(
        api_as(world.supporter),
        transition_url(world.engagement),
        {"to": "exiting", "reason": "Goals met", "version": world.engagement.version - 1},
    )

    assert response.status_code == 409
    assert "Reload" in response.json()["detail"]
    world.engagement.refresh_from_db()
    assert world.engagement.state == State.ACTIVE


def test_unknown_states_and_missing_reasons_answer_422(world, api_as):
    client = api_as(world.supporter)

    unknown = post_json(client, transition_url(world.engagement), {"to": "paused", "reason": "x"})
    no_reason = post_json(client, transition_url(world.engagement), {"to": "exiting"})

    assert unknown.status_code == 422
    assert no_reason.status_code == 422
    assert "reason" in no_reason.json()["detail"]


def test_another_supporters_engagement_is_not_found(world, api_as):
    response = post_json(
        api_as(world.other_supporter),
        transition_url(world.engagement),
        {"to": "exiting", "reason": "x"},
    )

    assert response.status_code == 404
    world.engagement.refresh_from_db()
    assert world.engagement.state == State.ACTIVE


def test_an_outsider_cannot_transition_riverbend_engagements(world, api_as):
    response = post_json(
        api_as(world.outsider), transition_url(world.engagement), {"to": "exiting", "reason": "x"}
    )

    assert response.status_code == 404


def test_a_supervisor_may_read_but_not_transition(world, api_as):
    client = api_as(world.supervisor)

    assert client.get(f"/api/v1/engagements/{world.engagement.pk}").status_code == 200
    response = post_json(
        client, transition_url(world.engagement), {"to": "exiting", "reason": "x"}
    )
    assert response.status_code == 403
