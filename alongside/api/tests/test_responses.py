"""Survey responses and instruments through the API: scoring, scope, bad input."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alongside.api.tests.conftest import post_json
from alongside.audit.models import AccessLog
from alongside.surveys.models import Response
from alongside.surveys.services import response_record, response_start
from alongside.surveys.testing import WHO5_ANSWERS, installed

URL = "/api/v1/responses"
INSTRUMENTS = "/api/v1/instruments"


@pytest.fixture
def who5(world):
    return installed("who-5")


def body(world, **changes) -> dict:
    values = {"engagement": world.engagement.pk, "instrument": "who-5", "answers": WHO5_ANSWERS}
    values.update(changes)
    return values


def recorded(world, version, engagement=None, actor=None) -> Response:
    return response_record(
        engagement=engagement or world.engagement,
        version=version,
        actor=actor or world.supporter,
        method="with_supporter",
        answers=WHO5_ANSWERS,
    )


# Recording


def test_a_supporter_records_a_who5_and_gets_its_score_raw_and_band(world, api_as, who5):
    response = post_json(api_as(world.supporter), URL, body(world))

    assert response.status_code == 201, response.content
    answer = response.json()
    # 3 + 2 + 4 + 1 + 3 = 13; x 4 = 52: above the cut-off of 50
    assert (answer["score"], answer["raw"]) == (52, 13)
    assert answer["band"] == {"key": "above_50", "label": "Above 50"}
    assert answer["status"] == "complete" and answer["range"] == [0, 100]
    assert (answer["method"], answer["filled_by"]) == ("with_supporter", world.supporter.pk)
    assert (answer["instrument"], answer["instrument_version"]) == ("who-5", 1)
    assert response["ETag"] == '"2"'
    stored = Response.objects.get(pk=answer["id"])
    assert (stored.score, stored.band) == (52, "above_50")


def test_a_barc10_answers_its_total_as_the_score(world, api_as, who5):
    answers = {str(n): 5 if n <= 7 else 4 for n in range(1, 11)}  # 7 x 5 + 3 x 4 = 47
    response = post_json(
        api_as(world.coordinator), URL, body(world, instrument="barc-10", answers=answers)
    )
    assert response.status_code == 201
    assert (response.json()["score"], response.json()["band"]["key"]) == (47, "remission_level")


def test_a_draft_keeps_partial_answers_without_a_score(world, api_as, who5):
    response = post_json(
        api_as(world.supporter), URL, body(world, answers={"1": 3}, status="draft", method="paper")
    )
    assert response.status_code == 201
    answer = response.json()
    assert (answer["status"], answer["score"], answer["band"]) == ("draft", None, None)
    assert (answer["answers"], answer["method"]) == ({"1": 3}, "paper")


def test_the_participant_records_their_own_as_filled_in_the_portal(world, api_as, who5):
    response = post_json(api_as(world.participant_user), URL, body(world))
    assert response.status_code == 201
    assert response.json()["method"] == "portal"
    assert response.json()["filled_by"] == world.participant_user.pk


def test_a_participant_cannot_choose_the_method(world, api_as, who5):
    response = post_json(api_as(world.participant_user), URL, body(world, method="paper"))
    assert response.status_code == 422
    assert "method" in response.json()["detail"]
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    "persona,status",
    [
        ("admin", 403),
        ("supervisor", 403),
        ("other_supporter", 404),
        ("outsider", 404),
        ("coordinator", 201),
        ("supporter", 201),
        ("participant_user", 201),
    ],
)
def test_who_may_record_a_response_for_pats_engagement(world, api_as, who5, persona, status):
    response = post_json(api_as(getattr(world, persona)), URL, body(world))
    assert response.status_code == status, response.content
    assert Response.objects.count() == (1 if status == 201 else 0)


def test_a_participant_cannot_record_for_someone_else(world, api_as, who5):
    response = post_json(
        api_as(world.participant_user), URL, body(world, engagement=world.other_engagement.pk)
    )
    assert response.status_code == 404


def test_anonymous_is_asked_to_sign_in(client, world, who5):
    assert post_json(client, URL, body(world)).status_code == 401
    assert client.get(URL).status_code == 401
    assert client.get(INSTRUMENTS).status_code == 401


# Bad input: a clear message, a 4xx, nothing stored


@pytest.mark.parametrize(
    "changes,status,expected",
    [
        ({"answers": {**WHO5_ANSWERS, "1": 6}}, 422, "Item 1: the answer must be one of"),
        ({"answers": {**WHO5_ANSWERS, "7": 1}}, 422, "Item 7 is not in who-5 v1"),
        ({"answers": {**WHO5_ANSWERS, "2": "two"}}, 422, "not 'two'"),
        ({"answers": {"1": 3, "2": 2}}, 409, "3, 4, 5 still open"),
        ({"instrument": "phq-9"}, 422, "No instrument in use is called 'phq-9': barc-10,"),
        ({"answers": [3, 2, 4]}, 422, "answers"),
        ({"status": "done"}, 422, "status"),
        ({"engagement": "x"}, 422, "engagement"),
        ({"engagement": 999999}, 404, "Not found."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_stored(
    world, api_as, who5, changes, status, expected
):
    response = post_json(api_as(world.supporter), URL, body(world, **changes))
    assert response.status_code == status, response.content
    assert expected in response.json()["detail"]
    assert not Response.objects.exists()


def test_missing_items_are_listed(world, api_as, who5):
    response = post_json(api_as(world.supporter), URL, body(world, answers={"1": 3, "2": 2}))
    assert response.json()["missing"] == ["3", "4", "5"]


def test_a_retired_version_or_a_closed_engagement_answers_409(world, api_as, who5):
    world.engagement.state = "closed"
    world.engagement.save()
    closed = post_json(api_as(world.supporter), URL, body(world))
    assert closed.status_code == 409 and "closed" in closed.json()["detail"]
    who5.instrument.in_use = False
    who5.instrument.save()
    gone = post_json(api_as(world.supporter), URL, body(world))
    assert gone.status_code == 422 and "No instrument in use is called 'who-5'" in gone.text
    assert not Response.objects.exists()


def test_a_body_that_is_not_json_answers_400(world, api_as, who5):
    response = api_as(world.supporter).post(URL, "{nope", content_type="application/json")
    assert response.status_code == 400


# Listing and reading


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


def test_each_persona_lists_the_responses_in_their_scope(world, api_as, who5):
    mine = recorded(world, who5)
    theirs = recorded(world, who5, world.other_engagement, world.other_supporter)
    expected = {
        "supporter": [mine.pk],
        "supervisor": [mine.pk],
        "participant_user": [mine.pk],
        "other_supporter": [theirs.pk],
        "coordinator": [mine.pk, theirs.pk],
        "outsider": [],
    }
    for persona, seen in expected.items():
        response = api_as(getattr(world, persona)).get(URL)
        assert response.status_code == 200, persona
        assert ids(response) == seen, persona
    assert api_as(world.admin).get(URL).status_code == 403


def test_the_list_filters_by_engagement_instrument_and_status(world, api_as, who5):
    mine = recorded(world, who5)
    theirs = recorded(world, who5, world.other_engagement, world.other_supporter)
    client = api_as(world.coordinator)
    assert ids(client.get(URL, {"engagement": world.other_engagement.pk})) == [theirs.pk]
    assert ids(client.get(URL, {"instrument": "barc-10"})) == []
    assert ids(client.get(URL, {"instrument": "who-5", "status": "complete"})) == [
        mine.pk,
        theirs.pk,
    ]
    assert client.get(URL, {"limit": 0}).status_code == 422


def test_the_list_is_logged_as_read(world, api_as, who5):
    recorded(world, who5)
    api_as(world.supporter).get(URL)
    assert AccessLog.objects.get(what="api survey responses").participant_ids == [
        world.participant.pk
    ]


def test_the_list_takes_as_many_queries_for_ten_responses_as_for_one(world, api_as, who5):
    client = api_as(world.coordinator)
    recorded(world, who5)
    client.get(URL)  # warm up
    with CaptureQueriesContext(connection) as one:
        assert client.get(URL).status_code == 200
    for _ in range(9):
        recorded(world, who5, world.other_engagement, world.other_supporter)
    with CaptureQueriesContext(connection) as ten:
        assert len(client.get(URL).json()["items"]) == 10
    assert len(ten) == len(one)


@pytest.mark.parametrize(
    "persona,status",
    [
        ("admin", 403),
        ("supervisor", 200),
        ("supporter", 200),
        ("coordinator", 200),
        ("participant_user", 200),
        ("other_supporter", 404),
        ("outsider", 404),
    ],
)
def test_who_may_read_a_response(world, api_as, who5, persona, status):
    mine = recorded(world, who5)
    response = api_as(getattr(world, persona)).get(f"{URL}/{mine.pk}")
    assert response.status_code == status
    if status == 200:
        assert response.json()["score"] == 52
        assert response["ETag"] == f'"{mine.version}"'


def test_reading_an_unknown_response_answers_404(world, api_as, who5):
    assert api_as(world.supporter).get(f"{URL}/999999").status_code == 404


# Instruments


@pytest.mark.parametrize(
    "persona",
    ["admin", "coordinator", "supervisor", "supporter", "participant_user", "outsider"],
)
def test_everyone_with_a_role_lists_the_instruments_in_use(
    world, api_as, who5, persona, django_assert_max_num_queries
):
    client = api_as(getattr(world, persona))
    with django_assert_max_num_queries(8):
        response = client.get(INSTRUMENTS)
    assert response.status_code == 200
    items = {item["slug"]: item for item in response.json()["items"]}
    assert {"barc-10", "who-5"} <= set(items) and response.json()["count"] == len(items)
    who = items["who-5"]
    assert who["version"] == 1
    assert who["items"][0]["text"]["en"] == "I have felt cheerful and in good spirits"
    assert [o["value"] for o in who["scales"]["time6"]["options"]] == [5, 4, 3, 2, 1, 0]
    assert who["scoring"]["range"] == [0, 100] and who["languages"] == ["en"]


def test_an_instrument_out_of_use_is_not_listed(world, api_as, who5):
    who5.instrument.in_use = False
    who5.instrument.save()
    response = api_as(world.supporter).get(INSTRUMENTS)
    slugs = [item["slug"] for item in response.json()["items"]]
    assert "barc-10" in slugs and "who-5" not in slugs


def test_the_openapi_document_describes_responses_and_instruments(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/responses", "/api/v1/responses/{response_id}", "/api/v1/instruments"} <= set(
        paths
    )


# Continuing a draft: PATCH with If-Match


def patch(client, pk: int, data: dict, if_match: str | None = None):
    headers = {"If-Match": if_match} if if_match is not None else {}
    return client.patch(f"{URL}/{pk}", data, content_type="application/json", headers=headers)


def draft(world, version, *, actor=None, method="paper", answers=None) -> Response:
    return response_start(
        engagement=world.engagement,
        version=version,
        actor=actor or world.supporter,
        method=method,
        answers={"1": 3} if answers is None else answers,
    )


def tag(record: Response) -> str:
    record.refresh_from_db()
    return f'"{record.version}"'


def test_a_draft_started_through_the_api_is_continued_and_completed(world, api_as, who5):
    client = api_as(world.supporter)
    started = post_json(client, URL, body(world, answers={"1": 3}, status="draft"))
    assert started.status_code == 201
    pk, etag = started.json()["id"], started["ETag"]

    more = patch(client, pk, {"answers": {"2": 2, "3": 4}}, etag)
    assert more.status_code == 200, more.content
    assert more.json()["answers"] == {"1": 3, "2": 2, "3": 4}
    assert (more.json()["status"], more.json()["score"]) == ("draft", None)
    assert more["ETag"] != etag

    done = patch(client, pk, {"answers": {"4": 1, "5": 3}, "status": "complete"}, more["ETag"])
    assert done.status_code == 200, done.content
    assert (done.json()["status"], done.json()["score"], done.json()["raw"]) == (
        "complete",
        52,
        13,
    )
    stored = Response.objects.get(pk=pk)
    assert (stored.status, stored.score, stored.band) == ("complete", 52, "above_50")
    assert done["ETag"] == f'"{stored.version}"'


def test_null_clears_an_answer(world, api_as, who5):
    mine = draft(world, who5, answers={"1": 3, "2": 2})
    response = patch(api_as(world.supporter), mine.pk, {"answers": {"2": None}}, tag(mine))
    assert response.status_code == 200
    assert response.json()["answers"] == {"1": 3}


def test_completing_with_items_open_lists_them_and_keeps_the_draft(world, api_as, who5):
    mine = draft(world, who5)
    etag = tag(mine)
    response = patch(
        api_as(world.supporter), mine.pk, {"answers": {"2": 2}, "status": "complete"}, etag
    )
    assert response.status_code == 409
    assert response.json()["missing"] == ["3", "4", "5"]
    mine.refresh_from_db()
    assert (mine.status, mine.answers, tag(mine)) == ("draft", {"1": 3}, etag)


def test_a_patch_without_if_match_answers_428_and_changes_nothing(world, api_as, who5):
    mine = draft(world, who5)
    response = patch(api_as(world.supporter), mine.pk, {"answers": {"2": 2}})
    assert response.status_code == 428
    assert f'"{mine.version}"' in response.json()["detail"]
    mine.refresh_from_db()
    assert mine.answers == {"1": 3}


def test_a_stale_patch_answers_412_with_the_current_etag(world, api_as, who5):
    mine = draft(world, who5)
    client = api_as(world.supporter)
    etag = tag(mine)
    assert patch(client, mine.pk, {"answers": {"2": 2}}, etag).status_code == 200
    response = patch(client, mine.pk, {"answers": {"2": 5, "3": 1}}, etag)
    assert response.status_code == 412
    assert response["ETag"] == tag(mine)
    mine.refresh_from_db()
    assert mine.answers == {"1": 3, "2": 2}


def test_a_stale_edit_found_inside_the_service_answers_412(world, api_as, who5, monkeypatch):
    """Someone saves between our If-Match check and the service's locked re-check."""
    from alongside.api import responses as responses_api
    from alongside.surveys import services

    mine = draft(world, who5)
    etag = tag(mine)

    def racing(**kwargs):
        services.response_save(
            response=kwargs["response"],
            actor=world.coordinator,
            answers={"5": 1},
            expected_version=None,
        )
        return services.response_save(**kwargs)

    monkeypatch.setattr(responses_api, "response_save", racing)
    response = patch(api_as(world.supporter), mine.pk, {"answers": {"2": 2}}, etag)
    assert response.status_code == 412
    assert response["ETag"] == tag(mine)
    mine.refresh_from_db()
    assert mine.answers == {"1": 3, "5": 1}


@pytest.mark.parametrize(
    "data,status,expected",
    [
        ({"answers": {"1": 6}}, 422, "Item 1: the answer must be one of"),
        ({"answers": {"7": 1}}, 422, "Item 7 is not in who-5 v1"),
        ({"answers": {"2": "two"}}, 422, "not 'two'"),
        ({"answers": {"2": True}}, 422, "Item 2"),
        ({"answers": {"2": 2, "9": 1}, "status": "complete"}, 422, "Item 9"),
        ({"answers": [3]}, 422, "answers"),
        ({"status": "done"}, 422, "status"),
        ({}, 422, "Send answers"),
    ],
)
def test_bad_answers_are_refused_and_nothing_changes(world, api_as, who5, data, status, expected):
    mine = draft(world, who5)
    etag = tag(mine)
    response = patch(api_as(world.supporter), mine.pk, data, etag)
    assert response.status_code == status, response.content
    assert expected in response.json()["detail"]
    mine.refresh_from_db()
    assert (mine.answers, mine.status, tag(mine)) == ({"1": 3}, "draft", etag)


def test_a_completed_response_cannot_be_continued(world, api_as, who5):
    mine = recorded(world, who5)
    etag = tag(mine)
    response = patch(api_as(world.supporter), mine.pk, {"answers": {"1": 0}}, etag)
    assert response.status_code == 409
    assert "complete" in response.json()["detail"]
    mine.refresh_from_db()
    assert (mine.answers, mine.score) == (WHO5_ANSWERS, 52)


def test_a_draft_of_a_retired_version_or_a_closed_engagement_answers_409(world, api_as, who5):
    mine = draft(world, who5)
    etag = tag(mine)
    who5.retired = True
    who5.save(update_fields=["retired"])
    retired = patch(api_as(world.supporter), mine.pk, {"answers": {"2": 2}}, etag)
    assert retired.status_code == 409 and "retired" in retired.json()["detail"]
    who5.retired = False
    who5.save(update_fields=["retired"])
    world.engagement.state = "closed"
    world.engagement.closed_on = world.engagement.started_on
    world.engagement.save()
    closed = patch(api_as(world.supporter), mine.pk, {"answers": {"2": 2}}, etag)
    assert closed.status_code == 409 and "closed" in closed.json()["detail"]
    mine.refresh_from_db()
    assert mine.answers == {"1": 3}


@pytest.mark.parametrize(
    "persona,status",
    [
        ("admin", 403),
        ("supervisor", 403),  # reads only
        ("participant_user", 403),  # a draft staff entered from paper is theirs to finish
        ("other_supporter", 404),
        ("outsider", 404),
        ("coordinator", 200),
        ("supporter", 200),
    ],
)
def test_who_may_continue_a_staff_draft(world, api_as, who5, persona, status):
    mine = draft(world, who5)
    etag = tag(mine)
    response = patch(api_as(getattr(world, persona)), mine.pk, {"answers": {"2": 2}}, etag)
    assert response.status_code == status, response.content
    mine.refresh_from_db()
    assert mine.answers == ({"1": 3, "2": 2} if status == 200 else {"1": 3})


@pytest.mark.parametrize(
    "persona,status",
    [("participant_user", 200), ("supporter", 403), ("coordinator", 403), ("supervisor", 403)],
)
def test_a_portal_draft_is_the_participants_to_continue(world, api_as, who5, persona, status):
    started = post_json(
        api_as(world.participant_user), URL, body(world, answers={"1": 3}, status="draft")
    )
    assert started.json()["method"] == "portal"
    pk, etag = started.json()["id"], started["ETag"]
    response = patch(api_as(getattr(world, persona)), pk, {"answers": {"2": 2}}, etag)
    assert response.status_code == status, response.content
    assert Response.objects.get(pk=pk).answers == ({"1": 3, "2": 2} if status == 200 else {"1": 3})


def test_a_participant_continues_only_their_own(world, api_as, who5):
    theirs = response_start(
        engagement=world.other_engagement,
        version=who5,
        actor=world.other_supporter,
        method="paper",
    )
    response = patch(api_as(world.participant_user), theirs.pk, {"answers": {"1": 1}}, '"1"')
    assert response.status_code == 404


def test_anonymous_cannot_patch(client, world, who5):
    mine = draft(world, who5)
    assert patch(client, mine.pk, {"answers": {"2": 2}}, tag(mine)).status_code == 401


def test_the_openapi_document_describes_the_patch(client):
    operation = client.get("/api/v1/openapi.json").json()["paths"][
        "/api/v1/responses/{response_id}"
    ]
    assert "patch" in operation
    assert any(p["name"] == "If-Match" for p in operation["patch"]["parameters"])
    assert {"412", "428", "409"} <= set(operation["patch"]["responses"])
