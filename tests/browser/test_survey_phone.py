"""Surveys on a phone (360 px): the participant fills the WHO-5 one question per screen,
stops half-way and finishes later; a supporter fills one with the participant. Every page
fits the screen without sideways scrolling."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from alongside.surveys.models import Response
from alongside.surveys.testing import installed
from browser.signing_in import sign_in

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}
TITLE = "WHO-5 Well-Being Index"
# Item number -> the answer chosen (WHO5_ANSWERS in surveys/testing.py: raw 13, score 52).
ANSWERS = {
    1: "More than half of the time",  # 3
    2: "Less than half of the time",  # 2
    3: "Most of the time",  # 4
    4: "Some of the time",  # 1
    5: "More than half of the time",  # 3
}


def _fits(page: Page, where: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{where} scrolls sideways at 360 px: {width}px wide"


def _answer(page: Page, number: int, total: int = 5) -> None:
    expect(page.get_by_text(f"Question {number} of {total}")).to_be_visible()
    # One question per screen: only this item's radios are on the page.
    expect(page.locator("input[type=radio][name^=item_]")).to_have_count(6)
    page.get_by_label(ANSWERS[number], exact=True).check()


def test_the_participant_fills_the_who5_on_a_phone_stops_and_finishes_later(page: Page, world):
    installed("who-5")
    sign_in(page, world.participant_user.username, viewport=PHONE)

    page.goto(reverse("surveys:portal_list"))
    _fits(page, "My surveys")
    page.get_by_role("link", name=TITLE).click()
    _fits(page, "a survey question")
    _answer(page, 1)
    page.get_by_role("button", name="Next").click()
    _answer(page, 2)
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Question 3 of 5")).to_be_visible()

    # Pat leaves half-way: the first two answers are kept in a draft of Pat's own.
    draft = Response.objects.get(engagement=world.engagement)
    assert draft.status == "draft" and draft.method == "portal"
    assert draft.answers == {"1": 3, "2": 2}
    page.goto(reverse("portal:home"))
    expect(page.get_by_text("started: carry on where you left off")).to_be_visible()
    _fits(page, "the portal home")

    # Back later: the survey opens at the first question not answered yet.
    page.goto(reverse("surveys:portal_list"))
    page.get_by_role("link", name=TITLE).click()
    _answer(page, 3)
    # Going back shows the answer already given.
    page.get_by_role("button", name="Back").click()
    expect(page.get_by_text("Question 2 of 5")).to_be_visible()
    expect(page.get_by_label(ANSWERS[2], exact=True)).to_be_checked()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_label(ANSWERS[3], exact=True)).to_be_checked()
    page.get_by_role("button", name="Next").click()
    _answer(page, 4)
    page.get_by_role("button", name="Next").click()
    _answer(page, 5)
    expect(page.get_by_role("button", name="Next")).to_have_count(0)
    page.get_by_role("button", name="Finish").click()

    expect(page.get_by_text("Thank you. Your answers are saved")).to_be_visible()
    expect(page.get_by_role("heading", name="My surveys")).to_be_visible()
    # The trend: a chart and, beside it, the same scores as a table (no band labels here).
    trend = page.locator("figure.survey-trend")
    expect(trend.locator("svg[role=img]")).to_be_visible()
    expect(trend.locator("svg circle.dot")).to_have_count(1)
    expect(trend.locator("table caption")).to_contain_text(TITLE)
    expect(trend.locator("tbody tr")).to_have_count(1)
    expect(trend.locator("tbody td").nth(1)).to_have_text("52")
    expect(page.get_by_text("Above 50")).to_have_count(0)
    _fits(page, "My surveys with a trend")
    response = Response.objects.get(engagement=world.engagement)
    assert response.status == "complete" and response.score == 52
    assert response.band == "above_50"

    # The supporter sees the score with its band on the engagement page.
    page.context.clear_cookies()
    sign_in(page, world.supporter.username, viewport=PHONE)
    page.goto(reverse("engagements:detail", args=[world.engagement.pk]) + "#surveys")
    row = page.locator("figure.survey-trend tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("52")
    expect(row).to_contain_text("Above 50")


def test_a_supporter_fills_the_who5_with_the_participant_on_a_phone(page: Page, world):
    installed("who-5")
    sign_in(page, world.supporter.username, viewport=PHONE)
    page.goto(reverse("engagements:detail", args=[world.engagement.pk]))
    expect(page.get_by_text("No completed surveys yet.")).to_be_visible()
    page.get_by_role("link", name="Fill a survey with the participant").click()
    expect(page.get_by_role("heading", name="A survey with Pat Rivera")).to_be_visible()
    _fits(page, "the survey choice")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.get_by_label("With the supporter", exact=True)).to_be_checked()
    _fits(page, "the survey form")

    # Completing with an item open is refused, and says which.
    for number in (1, 2, 3, 4):
        item = page.get_by_role("group", name=re.compile(rf"^{number}\. "))
        item.get_by_label(ANSWERS[number], exact=True).check()
    page.get_by_role("button", name="Complete").click()
    expect(page.get_by_text("Still to answer:")).to_be_visible()
    expect(page.get_by_role("link", name="Item 5")).to_be_visible()
    assert not Response.objects.filter(engagement=world.engagement, status="complete").exists()
    _fits(page, "the survey form with an error")

    item = page.get_by_role("group", name=re.compile(r"^5\. "))
    item.get_by_label(ANSWERS[5], exact=True).check()
    # The answers given before the refusal are still there.
    first = page.get_by_role("group", name=re.compile(r"^1\. "))
    expect(first.get_by_label(ANSWERS[1], exact=True)).to_be_checked()
    page.get_by_role("button", name="Complete").click()

    expect(page.get_by_text("Survey complete.")).to_be_visible()
    response = Response.objects.get(engagement=world.engagement)
    assert (response.status, response.method, response.score) == ("complete", "with_supporter", 52)
    assert response.filled_by == world.supporter
    row = page.locator("figure.survey-trend tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("52")
    expect(row).to_contain_text("Above 50")
    expect(page.locator("figure.survey-trend svg[role=img]")).to_be_visible()
    _fits(page, "the engagement page with a trend")
