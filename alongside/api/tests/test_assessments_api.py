"""Assessments through the API: the engagement page's scope and rules; not for participants."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alongside.api.tests.conftest import post_json
from alongside.assessments import testing
from alongside.assessments.models import Assessment
from alongside.assessments.services import assessment_record, assessment_sign
from alongside.audit.models import AccessLog, AuditEvent
from alongside.engagements.models import Engagement, State

URL = "/api/v1/assessments"
PERSONAS = [
    "admin",
    "coordinator",
    "supervisor",
    "supporter",
    "other_supporter",
    "participant_user",
    "outsider",
]
# Who reads Pat's assessments: as the engagement page; the portal does not show them.
READ = {
    "admin": 403,
    "coordinator": 200,
    "supervisor": 200,
    "supporter": 200,
    "other_supporter": 404,
    "participant_user": 403,
    "outsider": 404,
}
WRITE = {**READ, "supervisor": 403, "coordinator": 201, "supporter": 201}


def an_assessment(world, tier: int = 1, days_ago: int = 1) -> Assessment:
    return assessment_record(
        engagement=world.engagement,
        actor=world.supporter,
        tier=tier,
        rationale="Steady progress on the goals.",
        assessed_on=timezone.localdate() - datetime.timedelta(days=days_ago),
    )


def body(world, **changes) -> dict:
    return {
        "engagement": world.engagement.pk,
        "tier": 2,
        "rationale": "Holding steady after a hard month.",
        "ongoing_plan": "Stay the course.",
        "assessed_on": timezone.localdate().isoformat(),
        **changes,
    }


# Who may do what


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_list_assessments(world, api_as, persona):
    assessment = an_assessment(world)

    response = api_as(getattr(world, persona)).get(URL)

    expected = {**READ, "other_supporter": 200, "outsider": 200}[persona]
    assert response.status_code == expected
    if expected == 200:
        ids = [item["id"] for item in response.json()["items"]]
        assert ids == ([assessment.pk] if READ[persona] == 200 else [])


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_read_an_assessment(world, api_as, persona):
    assessment = an_assessment(world)

    response = api_as(getattr(world, persona)).get(f"{URL}/{assessment.pk}")

    assert response.status_code == READ[persona], response.content
    if READ[persona] == 200:
        assert response.json()["tier"] == 1
        assert response.json()["participant"] == world.participant.pk
    else:
        assert response.json()["detail"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_record_an_assessment(world, api_as, persona):
    response = post_json(api_as(getattr(world, persona)), URL, body(world))

    assert response.status_code == WRITE[persona], response.content
    assert Assessment.objects.exists() == (WRITE[persona] == 201)


@pytest.mark.parametrize(("method", "path"), [("get", ""), ("get", "/1"), ("post", "")])
def test_anonymous_callers_are_asked_to_sign_in(world, method, path):
    response = getattr(Client(), method)(URL + path, {}, content_type="application/json")

    assert response.status_code == 401


# Recording


def test_the_supporter_records_an_assessment_and_the_engagement_takes_its_tier(world, api_as):
    response = post_json(api_as(world.supporter), URL, body(world))

    assert response.status_code == 201, response.content
    data = response.json()
    assessment = Assessment.objects.get(pk=data["id"])
    assert assessment.assessed_by == world.supporter
    assert data["tier"] == 2 and data["ongoing_plan"] == "Stay the course."
    assert data["engagement"] == world.engagement.pk
    world.engagement.refresh_from_db()
    assert world.engagement.tier == 2
    assert AuditEvent.objects.filter(action="assessment.recorded").count() == 1
    assert AccessLog.objects.get(what="api assessment").participant_ids == [world.participant.pk]


def test_the_richer_fields_go_in_and_come_out(world, api_as):
    soon = (timezone.localdate() + datetime.timedelta(days=120)).isoformat()
    changes = {
        "plan_choice": "change_focus",
        "achievable_goals": "Back to the choir.",
        "actions": "Ask about Tuesday rehearsals.",
        "measure": "Rehearsals attended.",
        "corrections": "Talk it over when one is missed.",
        "reassess_on": soon,
    }

    response = post_json(api_as(world.supporter), URL, body(world, **changes))

    assert response.status_code == 201, response.content
    data = response.json()
    assert {key: data[key] for key in changes} == changes
    assert data["suggested_tier"] is None  # nothing recorded yet
    assert data["suggestion_reasons"][-1]["kind"] == "verdict"
    assert data["tier_override_reason"] == ""
    assert data["facts"]["since_kind"] == "activation"
    assert data["signatures"] == {"participant": None, "supporter": None, "complete": False}
    assert data["version"] == 1
    world.engagement.refresh_from_db()
    assert world.engagement.assessment_due_on.isoformat() == soon


def test_a_tier_other_than_the_suggested_one_needs_a_reason(world, api_as):
    testing.a_score(
        world.engagement, world.supporter, "who-5", 40, testing.days_ago(2)
    )  # suggests tier 2
    client = api_as(world.supporter)

    refused = post_json(client, URL, body(world, tier=1))
    accepted = post_json(client, URL, body(world, tier=1, tier_override_reason="We know more."))

    assert refused.status_code == 409
    assert refused.json()["missing"] == ["why not the suggested tier"]
    assert accepted.status_code == 201
    data = accepted.json()
    assert (data["tier"], data["suggested_tier"]) == (1, 2)
    assert data["tier_override_reason"] == "We know more."
    assert {"kind": "concern", "text": "WHO-5 at 40 (≤ 50)"} in data["suggestion_reasons"]


def test_a_re_assessment_date_not_after_the_assessment_is_refused(world, api_as):
    today = timezone.localdate().isoformat()

    response = post_json(api_as(world.supporter), URL, body(world, reassess_on=today))

    assert response.status_code == 409
    assert "after" in response.json()["detail"]
    _nothing_changed(world)


def test_the_signatures_show_who_signed(world, api_as):
    assessment = testing.an_assessment(world.engagement, world.supporter)  # the plan written
    assessment_sign(
        assessment=assessment,
        role="participant",
        typed_name="Pat Rivera",
        shown_hash=assessment.sha256,
        actor=world.participant_user,
        signer=world.participant_user,
        method="portal",
    )

    data = api_as(world.coordinator).get(f"{URL}/{assessment.pk}").json()

    assert data["signatures"]["participant"]["name"] == "Pat Rivera"
    assert data["signatures"]["participant"]["method"] == "portal"
    assert data["signatures"]["supporter"] is None
    assert data["signatures"]["complete"] is False


def _nothing_changed(world) -> None:
    assert not Assessment.objects.exists()
    assert not AuditEvent.objects.filter(action="assessment.recorded").exists()
    world.engagement.refresh_from_db()
    assert world.engagement.tier is None


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"tier": 4}, "tier"),
        ({"tier": "best"}, "tier"),
        ({"rationale": "   "}, "rationale"),
        ({"assessed_on": "yesterday"}, "assessed_on"),
        ({"rationale": "x" * 4001}, "rationale"),
        ({"engagement": None}, "engagement"),
        ({"plan_choice": "give_up"}, "plan_choice"),
        ({"reassess_on": "later"}, "reassess_on"),
        ({"measure": "x" * 2001}, "measure"),
    ],
)
def test_malformed_input_answers_422_naming_the_field(world, api_as, changes, words):
    response = post_json(api_as(world.coordinator), URL, body(world, **changes))

    assert response.status_code == 422
    assert words in response.json()["detail"]
    _nothing_changed(world)


def test_a_future_date_is_refused_with_a_reason(world, api_as):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()

    response = post_json(api_as(world.supporter), URL, body(world, assessed_on=tomorrow))

    assert response.status_code == 409
    assert "future" in response.json()["detail"]
    _nothing_changed(world)


def test_a_date_before_the_engagement_started_is_refused(world, api_as):
    long_ago = (world.engagement.started_on - datetime.timedelta(days=1)).isoformat()

    response = post_json(api_as(world.supporter), URL, body(world, assessed_on=long_ago))

    assert response.status_code == 409
    _nothing_changed(world)


@pytest.mark.parametrize("state", [State.CLOSED, State.ONBOARDING])
def test_an_engagement_that_is_not_active_cannot_be_assessed(world, api_as, state):
    Engagement.objects.filter(pk=world.engagement.pk).update(state=state)

    response = post_json(api_as(world.coordinator), URL, body(world))

    assert response.status_code == 409
    assert response.json()["detail"]
    _nothing_changed(world)


@pytest.mark.parametrize("engagement", ["other_engagement", "foreign_engagement"])
def test_an_engagement_outside_the_callers_scope_answers_404(world, api_as, engagement):
    target = getattr(world, engagement)

    response = post_json(api_as(world.supporter), URL, body(world, engagement=target.pk))

    assert response.status_code == 404
    assert not Assessment.objects.exists()


def test_an_unknown_assessment_answers_404(world, api_as):
    assert api_as(world.coordinator).get(f"{URL}/999999").status_code == 404


# Lists


def test_the_list_is_newest_first_filters_by_engagement_and_logs_the_read(world, api_as):
    older = an_assessment(world, tier=1, days_ago=10)
    newer = an_assessment(world, tier=2, days_ago=2)
    other = assessment_record(
        engagement=world.other_engagement,
        actor=world.other_supporter,
        tier=3,
        rationale="Ready to finish.",
        assessed_on=timezone.localdate(),
    )
    client = api_as(world.coordinator)

    everything = client.get(URL).json()
    mine = client.get(URL, {"engagement": world.engagement.pk}).json()

    assert [item["id"] for item in everything["items"]] == [other.pk, newer.pk, older.pk]
    assert [item["id"] for item in mine["items"]] == [newer.pk, older.pk]
    assert mine["count"] == 2
    logged = AccessLog.objects.filter(what="api assessments").order_by("pk").last()
    assert logged.participant_ids == [world.participant.pk]


def test_bad_paging_or_filter_answers_422(world, api_as):
    client = api_as(world.coordinator)

    assert client.get(URL, {"limit": 0}).status_code == 422
    assert client.get(URL, {"engagement": "mine"}).status_code == 422


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(URL, {"limit": 50}).status_code == 200
    return len(context.captured_queries)


def test_the_list_costs_the_same_queries_for_one_assessment_or_ten(world, api_as):
    client = api_as(world.coordinator)
    an_assessment(world)
    client.get(URL)  # the first use of a token records when it was used
    one = _list_queries(client)
    for days_ago in range(2, 11):
        an_assessment(world, days_ago=days_ago)

    assert _list_queries(client) == one
    assert client.get(URL).json()["count"] == 10
