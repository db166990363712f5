"""Signed documents through the API: list, read, scope, filter, paper recording."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alongside.agreements.models import SignedDocument
from alongside.agreements.services import document_record_paper
from alongside.agreements.testing import signed_on_paper
from alongside.api.tests.conftest import post_json
from alongside.audit.models import AccessLog
from alongside.participants.models import Participant
from conftest import open_engagement

URL = "/api/v1/agreements"


def body(world, **changes) -> dict:
    """A guardian's signature on the release (Pat signed it; a guardian may sign beside)."""
    values = {
        "engagement": world.engagement.pk,
        "template": world.release.pk,
        "signed_on": timezone.localdate().isoformat(),
        "signer_name": "Ana Rivera",
        "role": "guardian",
        "signer_relationship": "Mother",
    }
    values.update(changes)
    return values


def _sign_other(world) -> SignedDocument:
    return document_record_paper(
        engagement=world.other_engagement,
        version=world.release.current,
        signer_name="Quinn Lee",
        signed_on=timezone.localdate(),
        actor=world.other_supporter,
    )


def test_the_supporter_lists_the_documents_of_her_engagements_only(world, api_as):
    _sign_other(world)

    response = api_as(world.supporter).get(URL)

    assert response.status_code == 200
    listing = response.json()
    assert listing["count"] == len(world.signed)
    assert {item["id"] for item in listing["items"]} == {s.pk for s in world.signed}
    release = next(i for i in listing["items"] if i["template"] == world.release.pk)
    signed = world.signed[0]
    assert release == {
        "id": signed.pk,
        "engagement": world.engagement.pk,
        "template": world.release.pk,
        "title": "Release of Liability",
        "version": 1,
        "signer_name": "Pat Rivera",
        "role": "participant",
        "signer_relationship": "",
        "method": "paper",
        "signed_at": release["signed_at"],
        "sha256": world.release.current.sha256,
    }
    assert AccessLog.objects.get(what="api agreements").participant_ids == [world.participant.pk]


def test_the_coordinator_sees_all_and_filters_by_engagement(world, api_as):
    other = _sign_other(world)
    client = api_as(world.coordinator)

    assert client.get(URL).json()["count"] == len(world.signed) + 1
    filtered = client.get(f"{URL}?engagement={world.other_engagement.pk}").json()
    assert [item["id"] for item in filtered["items"]] == [other.pk]
    assert filtered["count"] == 1
    # Another supporter's engagement filters to nothing, as if it had no documents.
    assert api_as(world.supporter).get(f"{URL}?engagement={world.other_engagement.pk}").json() == {
        "items": [],
        "count": 0,
    }


def test_a_participant_token_sees_their_own(world, api_as):
    _sign_other(world)
    client = api_as(world.participant_user)

    listing = client.get(URL).json()

    assert {item["id"] for item in listing["items"]} == {s.pk for s in world.signed}
    assert client.get(f"{URL}/{world.signed[0].pk}").status_code == 200


def test_read_is_scoped(world, api_as):
    url = f"{URL}/{world.signed[0].pk}"

    assert api_as(world.supporter).get(url).json()["signer_name"] == "Pat Rivera"
    assert api_as(world.supervisor).get(url).status_code == 200
    assert api_as(world.other_supporter).get(url).status_code == 404
    assert api_as(world.outsider).get(url).status_code == 404
    assert api_as(world.supporter).get(f"{URL}/999999").status_code == 404
    refused = api_as(world.admin).get(url)
    assert refused.status_code == 403
    assert "detail" in refused.json()
    assert api_as(world.admin).get(URL).status_code == 403


def test_a_read_writes_one_access_log_row(world, api_as):
    api_as(world.supporter).get(f"{URL}/{world.signed[0].pk}")

    row = AccessLog.objects.get()
    assert row.actor == world.supporter
    assert row.participant_ids == [world.participant.pk]
    assert row.what == "api agreement"


def test_refused_reads_are_not_logged(world, api_as):
    api_as(world.other_supporter).get(f"{URL}/{world.signed[0].pk}")

    assert not AccessLog.objects.exists()


def test_the_supporter_records_a_paper_signature(world, api_as):
    response = post_json(api_as(world.supporter), URL, body(world))

    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["method"] == "paper"
    assert created["role"] == "guardian"
    assert created["signer_relationship"] == "Mother"
    assert created["template"] == world.release.pk
    assert created["version"] == 1
    assert created["sha256"] == world.release.current.sha256
    signed = SignedDocument.objects.get(pk=created["id"])
    assert signed.recorded_by == world.supporter
    assert signed.signed_at.date() == timezone.localdate()
    assert AccessLog.objects.get().participant_ids == [world.participant.pk]


def test_signing_twice_answers_409(world, api_as):
    response = post_json(api_as(world.coordinator), URL, body(world, role="participant"))

    assert response.status_code == 409
    assert "already signed" in response.json()["detail"]
    assert SignedDocument.objects.count() == len(world.signed)


def test_a_closed_engagement_answers_409(world, api_as):
    world.engagement.state = "closed"
    world.engagement.closed_on = timezone.localdate()
    world.engagement.save()

    response = post_json(api_as(world.supporter), URL, body(world))

    assert response.status_code == 409
    assert "closed" in response.json()["detail"]
    assert SignedDocument.objects.count() == len(world.signed)


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"signer_name": "  "}, "signer_name"),
        ({"signer_name": "x" * 201}, "signer_name"),
        ({"role": "friend"}, "role"),
        ({"signed_on": "last tuesday"}, "signed_on"),
        ({"signed_on": "2999-01-01"}, "signed_on"),
        ({"template": 999999}, "template"),
        ({"template": None}, "template"),
        ({"engagement": "one"}, "engagement"),
    ],
)
def test_bad_input_answers_422_naming_the_field(world, api_as, changes, named):
    response = post_json(api_as(world.supporter), URL, body(world, **changes))

    assert response.status_code == 422
    assert named in response.json()["detail"]
    assert SignedDocument.objects.count() == len(world.signed)


def test_another_organizations_template_is_refused(world, api_as):
    from alongside.agreements.services import document_template_create

    foreign = document_template_create(
        organization=world.other_org,
        title="Elsewhere Rules",
        kind="policy",
        body="<p>Ours.</p>",
        signers=["participant"],
        actor=None,
    )

    response = post_json(api_as(world.supporter), URL, body(world, template=foreign.pk))

    assert response.status_code == 422
    assert "template" in response.json()["detail"]
    assert SignedDocument.objects.count() == len(world.signed)


def test_other_scopes_and_roles_cannot_record(world, api_as):
    assert post_json(api_as(world.other_supporter), URL, body(world)).status_code == 404
    assert post_json(api_as(world.outsider), URL, body(world)).status_code == 404
    assert post_json(api_as(world.supervisor), URL, body(world)).status_code == 403
    assert post_json(api_as(world.admin), URL, body(world)).status_code == 403
    assert post_json(api_as(world.participant_user), URL, body(world)).status_code == 403
    response = api_as(world.supporter).post(URL, "{nope", content_type="application/json")
    assert response.status_code == 400
    assert SignedDocument.objects.count() == len(world.signed)


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return len(context)


def test_list_queries_do_not_grow_with_rows(world, api_as):
    def add_rows(n: int) -> None:
        for i in range(n):
            person = Participant.objects.create(organization=world.org, first_name=f"P{i}")
            engagement = open_engagement(person, world.respite, world.supporter)
            for template in (world.release, world.contract):
                signed_on_paper(
                    engagement,
                    template,
                    world.supporter,
                    name=f"P{i}",
                    signed_on=timezone.localdate() - datetime.timedelta(days=i),
                )

    add_rows(1)
    client = api_as(world.coordinator)
    client.get(URL)  # the first use of a token records when it was used
    before = _queries(client, URL)

    add_rows(10)

    after = _queries(client, URL)
    assert after == before
    assert client.get(URL).json()["count"] == len(world.signed) + 11 * 3
