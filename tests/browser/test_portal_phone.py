"""The participant's portal on a 360 px phone: the home answers what's next, who the
supporter is and how to reach them within what was agreed; every part is one tap away and
fits the screen; a check-in on a goal; who opened the record, beside the disclosures."""

from __future__ import annotations

import datetime
import itertools

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from alongside.audit.services import access_log_write
from alongside.meetings.models import Meeting
from alongside.plans.models import CheckIn
from alongside.plans.testing import a_goal
from alongside.teamplans.services import worksheet_save
from browser.signing_in import sign_in

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def _fits(page: Page, where: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{where} scrolls sideways at 360 px: {width}px wide"


def _headings_in_order(page: Page, where: str) -> None:
    levels = page.eval_on_selector_all(
        "#main h1, #main h2, #main h3, #main h4, #main h5, #main h6",
        "nodes => nodes.map(n => Number(n.tagName[1]))",
    )
    assert levels and levels[0] == 1 and levels.count(1) == 1, f"{where}: {levels}"
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, f"{where}: a heading jumps from h{before} to h{after}"


def _accessible(page: Page, axe: Axe, where: str) -> None:
    violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, f"{where}: " + "; ".join(f"{v['id']}: {v['help']}" for v in violations)


def _world_with_history(world):
    worksheet_save(
        engagement=world.engagement,
        actor=world.supporter,
        expected_version=0,
        channels=["text", "phone"],
        boundaries="No calls after 8 pm",
    )
    Meeting.objects.create(
        engagement=world.engagement,
        starts_at=timezone.now() + datetime.timedelta(days=2),
        duration_minutes=45,
        mode="phone",
        status="planned",
        created_by=world.supporter,
    )
    goal = a_goal(world.engagement, world.supporter, statement="Sleep before midnight")
    for actor, reason in ((world.supporter, ""), (world.coordinator, "Hospital called at 2 am")):
        access_log_write(
            organization=world.org,
            actor=actor,
            method="GET",
            path=reverse("engagements:detail", args=[world.engagement.pk]),
            what="engagement",
            participant_ids=[world.participant.pk],
            reason=reason,
        )
    return goal


def test_a_participant_walks_the_whole_portal_on_a_phone(page: Page, world):
    goal = _world_with_history(world)
    axe = Axe()
    sign_in(page, world.participant_user.username, viewport=PHONE)
    page.goto(reverse("portal:home"))

    # Home: what's next, the supporter, how to reach them within what was agreed.
    expect(page.get_by_role("heading", name="My support", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="What's next")).to_be_visible()
    expect(page.locator(".portal-next")).to_contain_text("45 minutes")
    expect(page.locator(".portal-next")).to_contain_text("with Sunny")
    expect(page.get_by_role("heading", name="How to reach them")).to_be_visible()
    expect(page.get_by_text("Now is within the days and hours you agreed.")).to_be_visible()
    _fits(page, "the portal home")
    _headings_in_order(page, "the portal home")
    _accessible(page, axe, "the portal home")

    # Every part of the portal is one tap from the menu, opens, and fits the phone.
    menu = page.get_by_role("navigation", name="Everything in my portal")
    hrefs = menu.get_by_role("link").evaluate_all("links => links.map(a => a.pathname)")
    assert len(hrefs) == 12
    for href in hrefs:
        response = page.goto(href)
        assert response is not None and response.status == 200, href
        expect(page.locator("#main h1")).to_have_count(1)
        _fits(page, href)

    # A check-in on my goal, in my own words.
    page.goto(reverse("portal:home"))
    page.get_by_role("navigation", name="Everything in my portal").get_by_role(
        "link", name="My plan and goals"
    ).click()
    expect(page.get_by_role("heading", name="My goals")).to_be_visible()
    page.get_by_role("link", name="Check in on this goal").click()
    expect(page.get_by_role("heading", name="How is it going with")).to_be_visible()
    _fits(page, "the check-in form")
    _accessible(page, axe, "the check-in form")
    page.get_by_role("button", name="Save my check-in").click()
    expect(page.get_by_text("Choose how far along it feels, from 1 to 5.")).to_be_visible()
    page.get_by_label("4 · Mostly").check()
    page.get_by_label("Anything you want to add (optional)").fill("Three nights this week")
    page.get_by_role("button", name="Save my check-in").click()
    expect(page.get_by_text("Your check-in is saved")).to_be_visible()
    expect(page.locator("#main")).to_contain_text("Three nights this week")
    _fits(page, "my goals after a check-in")
    check_in = CheckIn.objects.get()
    assert (check_in.goal_id, check_in.rating, check_in.recorded_by_id) == (
        goal.pk,
        4,
        world.participant_user.pk,
    )

    # Who opened my record, next to who received my information.
    page.goto(reverse("consents:portal_disclosures"))
    page.get_by_role("link", name="Who opened my record").click()
    expect(page.get_by_role("heading", name="Who opened my record")).to_be_visible()
    rows = page.locator("#main tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Coordinator")
    expect(rows.first).to_contain_text("Emergency access: Hospital called at 2 am")
    expect(rows.nth(1)).to_contain_text("Peer supporter")
    expect(page.locator("#main")).not_to_contain_text("Sunny")
    _fits(page, "the access history")
    _headings_in_order(page, "the access history")
    _accessible(page, axe, "the access history")


def test_the_portal_menu_works_by_keyboard_with_a_visible_focus(page: Page, world):
    sign_in(page, world.participant_user.username, viewport=PHONE)
    page.goto(reverse("portal:home"))
    target = page.get_by_role("navigation", name="Everything in my portal").get_by_role(
        "link", name="Who opened my record"
    )
    for _ in range(80):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            break
    else:
        raise AssertionError("the access history link cannot be reached with Tab")
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    assert outline[0] != "none" and outline[1] >= 2, outline
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Who opened my record")).to_be_visible()
