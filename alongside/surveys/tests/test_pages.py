"""The survey pages over HTTP: who reaches them, filling with staff and in the portal,
refusals that lose nothing, the trend chart, and constant queries."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alongside.surveys.charts import Point, trend_svg
from alongside.surveys.models import Response
from alongside.surveys.selectors import engagement_section, portal_section
from alongside.surveys.services import response_record, response_start
from alongside.surveys.testing import WHO5_ANSWERS, installed

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def who5(db):
    return installed("who-5")


def _staff_form(action="draft", **answers) -> dict:
    data = {"action": action, "method": "with_supporter"}
    data.update({f"item_{k}": v for k, v in answers.items()})
    return data


# Who reaches which page

STAFF = {
    "coordinator": 200,
    "supporter": 200,
    "supervisor": 403,
    "admin": 403,
    "participant_user": 403,
    "other_supporter": 404,
    "outsider": 404,
}
PORTAL = {persona: 403 for persona in STAFF} | {"participant_user": 200}


@pytest.mark.parametrize("persona", [*STAFF, "anonymous"])
def test_who_reaches_the_survey_pages(client, world, who5, persona):
    if persona != "anonymous":
        client.force_login(getattr(world, persona))
    draft = response_start(
        engagement=world.engagement, version=who5, actor=world.supporter, method="paper"
    )
    staff = [
        reverse("surveys:record_choose", args=[world.engagement.pk]),
        reverse("surveys:record_new", args=[world.engagement.pk, "who-5"]),
        reverse("surveys:record_edit", args=[draft.pk]),
    ]
    portal = [reverse("surveys:portal_list"), reverse("surveys:portal_fill", args=["who-5"])]
    for url in staff + portal:
        response = client.get(url)
        if persona == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        elif url in staff:
            assert response.status_code == STAFF[persona], url
        else:
            assert response.status_code == PORTAL[persona], url


def test_an_unknown_instrument_is_not_found(client, world, who5):
    client.force_login(world.supporter)
    url = reverse("surveys:record_new", args=[world.engagement.pk, "no-such"])
    assert client.get(url).status_code == 404


# Staff fill with the participant


def test_staff_save_a_partial_draft_then_complete_it(client, world, who5):
    client.force_login(world.supporter)
    url = reverse("surveys:record_new", args=[world.engagement.pk, "who-5"])
    page = client.get(url)
    assert page.content.count(b'type="radio"') == 5 * 6 + 2  # five items, and the method
    response = client.post(url, _staff_form("draft", **{"1": 3, "2": 2}))
    draft = Response.objects.get()
    assert response.status_code == 302 and draft.answers == {"1": 3, "2": 2}
    assert draft.method == "with_supporter" and draft.filled_by == world.supporter

    edit = reverse("surveys:record_edit", args=[draft.pk])
    data = {"action": "complete", "version": draft.version}
    data |= {f"item_{k}": v for k, v in WHO5_ANSWERS.items()}  # the browser sends them all
    assert client.post(edit, data).status_code == 302
    draft.refresh_from_db()
    assert draft.is_complete and draft.score == 52


def test_completing_with_items_open_lists_them_and_keeps_what_was_typed(client, world, who5):
    client.force_login(world.supporter)
    url = reverse("surveys:record_new", args=[world.engagement.pk, "who-5"])
    response = client.post(url, _staff_form("complete", **{"1": 3, "2": 4}))
    assert response.status_code == 409
    body = response.content.decode()
    assert "3, 4, 5 still open" in body
    assert 'href="#id_item_5_0"' in body
    assert response.context["form"]["item_2"].value() == "4"
    assert not Response.objects.exists()


def test_a_stale_draft_edit_is_refused_with_a_message(client, world, who5):
    draft = response_start(
        engagement=world.engagement, version=who5, actor=world.supporter, method="paper"
    )
    client.force_login(world.supporter)
    edit = reverse("surveys:record_edit", args=[draft.pk])
    assert client.post(edit, {"action": "draft", "version": 1, "item_1": 2}).status_code == 302
    stale = client.post(edit, {"action": "draft", "version": 1, "item_1": 5})
    assert stale.status_code == 409
    assert "while you were editing" in stale.content.decode()
    draft.refresh_from_db()
    assert draft.answers == {"1": 2}


@pytest.mark.parametrize(
    "data",
    [
        {"action": "draft", "method": "with_supporter", "item_1": "9"},
        {"action": "draft", "method": "with_supporter", "item_1": "x"},
        {"action": "draft", "method": "portal", "item_1": "3"},
        {"action": "delete", "method": "with_supporter", "item_1": "3"},
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(client, world, who5, data):
    client.force_login(world.supporter)
    url = reverse("surveys:record_new", args=[world.engagement.pk, "who-5"])
    response = client.post(url, data)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not Response.objects.exists()


def test_a_completed_response_is_read_only(client, world, who5):
    done = response_record(
        engagement=world.engagement,
        version=who5,
        actor=world.supporter,
        method="paper",
        answers=WHO5_ANSWERS,
    )
    client.force_login(world.supporter)
    edit = reverse("surveys:record_edit", args=[done.pk])
    response = client.post(edit, {"action": "draft", "version": done.version, "item_1": 0})
    assert response.status_code == 409
    done.refresh_from_db()
    assert done.answers["1"] == 3


# The participant in the portal


def test_the_participant_fills_one_item_per_screen_and_resumes(client, world, who5):
    client.force_login(world.participant_user)
    url = reverse("surveys:portal_fill", args=["who-5"])
    assert client.get(url).context["index"] == 0
    assert client.post(f"{url}?item=1", {"action": "next", "item_1": 3})["Location"].endswith(
        "?item=2"
    )
    client.post(f"{url}?item=2", {"action": "next", "item_2": 2, "version": 1})
    draft = Response.objects.get()
    assert draft.answers == {"1": 3, "2": 2} and draft.method == "portal"
    # Coming back later: the first item not answered yet.
    assert client.get(url).context["index"] == 2
    back = client.post(f"{url}?item=3", {"action": "back", "item_3": 4, "version": 2})
    assert back["Location"].endswith("?item=2")


def test_the_participant_finishes_and_sees_thanks_not_the_score(client, world, who5):
    client.force_login(world.participant_user)
    url = reverse("surveys:portal_fill", args=["who-5"])
    data = {f"item_{k}": v for k, v in WHO5_ANSWERS.items()} | {"action": "complete"}
    response = client.post(f"{url}?all=1", data, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Thank you" in body
    assert "Above 50" not in body and "above 50" not in body
    assert Response.objects.get().score == 52


def test_finishing_with_items_open_links_to_them_and_keeps_the_answer(client, world, who5):
    client.force_login(world.participant_user)
    url = reverse("surveys:portal_fill", args=["who-5"])
    response = client.post(f"{url}?item=5", {"action": "complete", "item_5": 3})
    assert response.status_code == 409
    assert f"{url}?item=1" in response.content.decode()
    assert Response.objects.get().answers == {"5": 3}


def test_a_question_that_does_not_exist_answers_400(client, world, who5):
    client.force_login(world.participant_user)
    url = reverse("surveys:portal_fill", args=["who-5"])
    assert client.get(f"{url}?item=99").status_code == 400
    assert client.post(f"{url}?item=99", {"action": "next"}).status_code == 400
    assert not Response.objects.exists()


# Trends


def test_the_trend_chart_is_well_formed_svg_with_a_point_per_response():
    points = [
        Point(datetime.date(2026, 1, 5), 48, "Poor"),
        Point(datetime.date(2026, 4, 5), 52, "Above <50>"),
        Point(datetime.date(2026, 7, 5), 64, ""),
    ]
    svg = trend_svg(points, low=0, high=100, boundaries=[29, 51], title="WHO-5 & co")
    root = ET.fromstring(svg)
    assert len(root.findall(f"{SVG}circle")) == 3
    assert len(root.findall(f"{SVG}line[@class='band-line']")) == 2
    titles = [c.find(f"{SVG}title").text for c in root.findall(f"{SVG}circle")]
    assert titles[1] == "2026-04-05: 52 (Above <50>)"
    assert "<script" not in svg


def test_the_engagement_section_charts_scores_without_the_participants_name(world, who5):
    for _ in range(2):
        response_record(
            engagement=world.engagement,
            version=who5,
            actor=world.supporter,
            method="paper",
            answers=WHO5_ANSWERS,
        )
    section = engagement_section(world.engagement)
    (trend,) = section["trends"]
    root = ET.fromstring(str(trend["svg"]))
    assert len(root.findall(f"{SVG}circle")) == 2
    assert world.participant.first_name not in trend["svg"]
    assert all(p.band and p.score == 52 for p in trend["points"])


def test_the_portal_section_shows_no_band_labels(world, who5):
    response_record(
        engagement=world.engagement,
        version=who5,
        actor=world.supporter,
        method="paper",
        answers=WHO5_ANSWERS,
    )
    section = portal_section(world.engagement, world.participant_user)
    assert [p.band for p in section["trends"][0]["points"]] == [""]
    assert "who-5" in [s["slug"] for s in section["to_fill"]]


def _queries(world, version, n) -> int:
    Response.objects.all().delete()
    for _ in range(n):
        response_record(
            engagement=world.engagement,
            version=version,
            actor=world.supporter,
            method="paper",
            answers=WHO5_ANSWERS,
        )
    with CaptureQueriesContext(connection) as queries:
        engagement_section(world.engagement)
        portal_section(world.engagement, world.participant_user)
    return len(queries)


def test_the_sections_take_the_same_queries_for_1_or_10_responses(world, who5):
    assert _queries(world, who5, 1) == _queries(world, who5, 10) <= 3
