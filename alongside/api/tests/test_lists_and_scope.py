"""List shape, pagination, and what each persona may see (design.md §4)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alongside.audit.models import AccessLog
from alongside.participants.models import Participant
from alongside.referrals.models import Referral, Source
from conftest import open_engagement


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


def test_lists_answer_items_and_count(world, api_as):
    response = api_as(world.coordinator).get("/api/v1/engagements")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "count"}
    assert body["count"] == 2
    assert sorted(ids(response)) == sorted([world.engagement.pk, world.other_engagement.pk])
    assert set(body["items"][0]) >= {
        "id",
        "program",
        "participant",
        "supporter",
        "state",
        "started_on",
        "activated_on",
        "closed_on",
        "version",
    }


def test_lists_page_with_limit_and_offset(world, api_as):
    client = api_as(world.coordinator)

    first = client.get("/api/v1/engagements?limit=1")
    second = client.get("/api/v1/engagements?limit=1&offset=1")
    beyond = client.get("/api/v1/engagements?offset=5")

    assert first.json()["count"] == second.json()["count"] == 2
    assert len(ids(first)) == len(ids(second)) == 1
    assert ids(first) != ids(second)
    assert beyond.json() == {"items": [], "count": 2}


@pytest.mark.parametrize("query", ["limit=0", "limit=201", "offset=-1", "limit=many"])
def test_out_of_range_paging_answers_422(world, api_as, query):
    response = api_as(world.coordinator).get(f"/api/v1/participants?{query}")

    assert response.status_code == 422
    assert isinstance(response.json()["detail"], str)


def test_a_supporter_sees_only_her_own_engagements_and_participants(world, api_as):
    client = api_as(world.supporter)

    assert ids(client.get("/api/v1/engagements")) == [world.engagement.pk]
    assert ids(client.get("/api/v1/participants")) == [world.participant.pk]
    assert client.get(f"/api/v1/engagements/{world.other_engagement.pk}").status_code == 404
    assert client.get(f"/api/v1/participants/{world.other_participant.pk}").status_code == 404


def test_a_supervisor_sees_the_engagements_of_supervisees(world, api_as):
    response = api_as(world.supervisor).get("/api/v1/engagements")

    assert ids(response) == [world.engagement.pk]


def test_a_participant_reads_with_its_fields(world, api_as):
    response = api_as(world.supporter).get(f"/api/v1/participants/{world.participant.pk}")

    assert response.status_code == 200
    assert response.json() == {
        "id": world.participant.pk,
        "first_name": "Pat",
        "last_name": "Rivera",
        "preferred_name": "",
        "pronouns": "",
        "preferred_language": "en",
        "date_of_birth": None,
        "phone": "",
        "email": "",
        "gender": "",
        "race_ethnicity": [],
        "veteran_status": "",
        "version": 1,
    }


def test_an_outsider_gets_404_on_every_riverbend_id(world, api_as):
    referral = Referral.objects.create(
        organization=world.org,
        program=world.program,
        participant=world.other_participant,
        source=Source.SELF,
        needs="Someone to talk to",
    )
    client = api_as(world.outsider)

    for path in (
        f"/api/v1/participants/{world.participant.pk}",
        f"/api/v1/engagements/{world.engagement.pk}",
        f"/api/v1/referrals/{referral.pk}",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found."}
    assert ids(client.get("/api/v1/engagements")) == [world.foreign_engagement.pk]
    assert ids(client.get("/api/v1/referrals")) == []


def test_unknown_ids_answer_the_same_404(world, api_as):
    response = api_as(world.coordinator).get("/api/v1/engagements/987654321")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("persona", ["admin", "participant_user"])
@pytest.mark.parametrize("resource", ["participants", "referrals", "engagements"])
def test_roles_without_clinical_access_are_refused_with_403(world, api_as, persona, resource):
    client = api_as(getattr(world, persona))

    assert client.get(f"/api/v1/{resource}").status_code == 403
    assert client.get(f"/api/v1/{resource}/{world.engagement.pk}").status_code == 403


def test_a_supporter_may_not_list_referrals(world, api_as):
    response = api_as(world.supporter).get("/api/v1/referrals")

    assert response.status_code == 403
    assert "referrals.view" in response.json()["detail"]


def test_a_read_writes_one_access_log_row(world, api_as):
    client = api_as(world.supporter)

    client.get(f"/api/v1/participants/{world.participant.pk}")

    row = AccessLog.objects.get()
    assert row.actor == world.supporter
    assert row.organization == world.org
    assert row.participant_ids == [world.participant.pk]
    assert row.path == f"/api/v1/participants/{world.participant.pk}"


def test_a_list_logs_every_participant_it_shows(world, api_as):
    api_as(world.coordinator).get("/api/v1/engagements")

    row = AccessLog.objects.get()
    assert row.participant_ids == sorted([world.participant.pk, world.other_participant.pk])


def test_refused_reads_are_not_logged_as_reads(world, api_as):
    api_as(world.outsider).get(f"/api/v1/participants/{world.participant.pk}")

    assert not AccessLog.objects.exists()


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return len(context)


@pytest.mark.parametrize("resource", ["participants", "referrals", "engagements"])
def test_list_queries_do_not_grow_with_rows(world, api_as, resource):
    def add_rows(n: int) -> None:
        for i in range(n):
            person = Participant.objects.create(organization=world.org, first_name=f"P{i}")
            open_engagement(person, world.respite, world.supporter)
            Referral.objects.create(
                organization=world.org,
                program=world.respite,
                participant=person,
                source=Source.SELF,
                needs="Support",
            )

    add_rows(1)
    client = api_as(world.coordinator)
    client.get(f"/api/v1/{resource}")  # the first use of a token records when it was used
    before = _queries(client, f"/api/v1/{resource}")

    add_rows(15)

    after = _queries(client, f"/api/v1/{resource}")
    assert after == before
    assert client.get(f"/api/v1/{resource}").json()["count"] >= 16
