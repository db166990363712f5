"""Concerns through the API: the same scope as the pages, status only for whoever raised it."""

from __future__ import annotations

from alongside.api.tests.conftest import post_json
from alongside.concerns.models import Category, Concern
from alongside.concerns.services import concern_raise

URL = "/api/v1/concerns"


def test_a_participant_raises_a_concern_about_their_supporter_and_reads_its_status(world, api_as):
    client = api_as(world.participant_user)

    response = post_json(
        client,
        URL,
        {
            "category": "boundaries",
            "description": "Late-night texts.",
            "about_my_supporter": True,
            "wants_different_supporter": True,
        },
    )

    assert response.status_code == 201, response.content
    concern = Concern.objects.get(pk=response.json()["id"])
    assert concern.engagement == world.engagement
    assert concern.subject_user == world.supporter and concern.wants_different_supporter
    read = client.get(f"{URL}/{concern.pk}").json()
    assert read["status"] == "open"
    assert read["handled_by"] is None and read["resolution"] is None and read["subject"] is None
    assert [item["id"] for item in client.get(URL).json()["items"]] == [concern.pk]


def test_the_subject_and_their_supervisor_never_see_it_through_the_api(world, api_as):
    concern = concern_raise(
        organization=world.org,
        actor=world.participant_user,
        engagement=world.engagement,
        subject=world.supporter,
        category=Category.SAFETY,
        description="x",
    )

    for user in (world.supporter, world.supervisor):
        client = api_as(user)
        assert client.get(URL).json()["items"] == []
        assert client.get(f"{URL}/{concern.pk}").status_code == 404
    coordinator = api_as(world.coordinator).get(f"{URL}/{concern.pk}").json()
    assert coordinator["subject"] == world.supporter.pk


def test_staff_raise_about_a_colleague_and_an_engagement_they_see(world, api_as):
    response = post_json(
        api_as(world.supporter),
        URL,
        {
            "category": "service",
            "urgency": "urgent",
            "description": "Covering shifts is unsafe.",
            "engagement": world.engagement.pk,
            "subject": world.other_supporter.pk,
        },
    )

    assert response.status_code == 201
    concern = Concern.objects.get()
    assert concern.subject_user == world.other_supporter and concern.raised_through == "api"


def test_an_engagement_out_of_scope_is_not_found_and_nothing_is_saved(world, api_as):
    response = post_json(
        api_as(world.other_supporter),
        URL,
        {"category": "other", "description": "x", "engagement": world.engagement.pk},
    )

    assert response.status_code == 404
    assert not Concern.objects.exists()


def test_bad_input_answers_a_clear_4xx_and_saves_nothing(world, api_as):
    client = api_as(world.supporter)

    bad_category = post_json(client, URL, {"category": "gossip", "description": "x"})
    empty = post_json(client, URL, {"category": "other", "description": "   "})
    not_staff = post_json(
        client, URL, {"category": "other", "description": "x", "subject": world.outsider.pk}
    )

    assert bad_category.status_code == 422 and "category" in bad_category.json()["detail"]
    assert empty.status_code == 422
    assert not_staff.status_code == 409 and "staff member" in not_staff.json()["detail"]
    assert not Concern.objects.exists()


def test_an_admin_may_not_use_concerns(world, api_as):
    assert api_as(world.admin).get(URL).status_code == 403
