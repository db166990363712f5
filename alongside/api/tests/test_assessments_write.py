"""Changing an assessment through the API: If-Match, the page's rules, who may."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from alongside.assessments.models import Assessment
from alongside.assessments.services import assessment_record, assessment_sign
from alongside.audit.models import AuditEvent

URL = "/api/v1/assessments"


def an_assessment(world) -> Assessment:
    return assessment_record(
        engagement=world.engagement,
        actor=world.supporter,
        tier=1,
        rationale="Steady progress on the goals.",
        assessed_on=timezone.localdate() - datetime.timedelta(days=1),
        plan_choice="stay_course",
        achievable_goals="Choir twice a month.",
        actions="Ask about the bus.",
        measure="Rehearsals attended.",
        corrections="Talk it over weekly.",
    )


def patch(client: Client, assessment: Assessment, data: dict, if_match: str | None = None):
    headers = {"If-Match": if_match} if if_match is not None else {}
    return client.patch(
        f"{URL}/{assessment.pk}", data, content_type="application/json", headers=headers
    )


def tag(assessment: Assessment) -> str:
    assessment.refresh_from_db()
    return f'"{assessment.version}"'


def stored(assessment: Assessment) -> tuple:
    assessment.refresh_from_db()
    return (assessment.version, assessment.rationale, assessment.tier, assessment.measure)


def test_the_read_answers_the_etag(world, api_as):
    assessment = an_assessment(world)

    response = api_as(world.supporter).get(f"{URL}/{assessment.pk}")

    assert response.status_code == 200
    assert response["ETag"] == tag(assessment)


def test_a_supporter_changes_an_unsigned_assessment(world, api_as):
    assessment = an_assessment(world)
    before = tag(assessment)

    response = patch(
        api_as(world.supporter),
        assessment,
        {"measure": "Rehearsals and how they felt.", "ongoing_plan": "Keep going."},
        before,
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["measure"] == "Rehearsals and how they felt."
    assert body["ongoing_plan"] == "Keep going."
    assert body["rationale"] == "Steady progress on the goals."
    assert response["ETag"] == tag(assessment) != before
    event = AuditEvent.objects.get(action="assessment.updated")
    assert set(event.data["fields"]) == {"measure", "ongoing_plan"}


def test_without_if_match_428_and_stale_412_change_nothing(world, api_as):
    assessment = an_assessment(world)
    client = api_as(world.supporter)
    old = tag(assessment)
    patch(client, assessment, {"measure": "First change."}, old)
    before = stored(assessment)

    missing = patch(client, assessment, {"measure": "Second change."})
    stale = patch(client, assessment, {"measure": "Second change."}, old)

    assert missing.status_code == 428 and tag(assessment) in missing.json()["detail"]
    assert stale.status_code == 412 and stale["ETag"] == tag(assessment)
    assert stored(assessment) == before


def test_once_both_signed_it_no_longer_changes(world, api_as):
    assessment = an_assessment(world)
    for role, signer, method in (
        ("participant", world.participant_user, "portal"),
        ("supporter", world.supporter, "in_person"),
    ):
        assessment.refresh_from_db()
        assessment_sign(
            assessment=assessment,
            role=role,
            typed_name=signer.get_full_name(),
            shown_hash=assessment.sha256,
            actor=signer,
            signer=signer,
            method=method,
        )
    before = stored(assessment)

    response = patch(api_as(world.supporter), assessment, {"measure": "x"}, tag(assessment))

    assert response.status_code == 409
    assert "signed" in response.json()["detail"]
    assert stored(assessment) == before


@pytest.mark.parametrize(
    "data, status",
    [
        ({"assessed_on": "2999-01-01"}, 409),
        ({"reassess_on": "2000-01-01"}, 409),  # before the assessment
        ({"tier": 4}, 422),
        ({"tier": "two"}, 422),
        ({"rationale": None}, 422),
        ({"rationale": "   "}, 422),
        ({"measure": ["a"]}, 422),
        ({"mood": "good"}, 422),
        ({}, 422),
    ],
)
def test_refusals_change_nothing(world, api_as, data, status):
    assessment = an_assessment(world)
    before = stored(assessment)

    response = patch(api_as(world.supporter), assessment, data, tag(assessment))

    assert response.status_code == status, response.content
    assert response.json()["detail"]
    assert stored(assessment) == before


def test_an_unknown_field_is_named(world, api_as):
    assessment = an_assessment(world)

    response = patch(api_as(world.supporter), assessment, {"mood": "good"}, tag(assessment))

    assert response.json()["detail"].startswith("mood: Unknown field")


@pytest.mark.parametrize(
    "persona, status",
    [
        ("coordinator", 200),
        ("supporter", 200),
        ("admin", 403),
        ("supervisor", 403),
        ("other_supporter", 404),
        ("participant_user", 403),
        ("outsider", 404),
    ],
)
def test_who_may_change_it(world, api_as, persona, status):
    assessment = an_assessment(world)
    before = stored(assessment)

    response = patch(
        api_as(getattr(world, persona)), assessment, {"measure": "Changed."}, tag(assessment)
    )

    assert response.status_code == status
    assert (stored(assessment) != before) == (status == 200)


def test_anonymous_may_not_change_it(world):
    assessment = an_assessment(world)

    assert patch(Client(), assessment, {"measure": "x"}, tag(assessment)).status_code == 401


def test_the_list_filters(world, api_as):
    first = an_assessment(world)
    Assessment.objects.filter(pk=first.pk).update(
        assessed_on=timezone.localdate() - datetime.timedelta(days=10)
    )
    client = api_as(world.coordinator)

    def ids(query) -> list[int]:
        response = client.get(URL, query)
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["items"]]

    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    assert ids({"participant": world.participant.pk}) == [first.pk]
    assert ids({"participant": world.other_participant.pk}) == []
    assert ids({"tier": 1}) == [first.pk]
    assert ids({"tier": 2}) == []
    assert ids({"since": yesterday}) == []
    assert ids({"until": yesterday}) == [first.pk]
    assert client.get(URL, {"tier": 5}).status_code == 422
