"""Concerns on a phone (360 px): a participant raises one in the portal and follows its
status while a coordinator handles it; anyone raises one on the public page without
signing in; a concern about a supporter never reaches that supporter."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from alongside.accounts.models import Role
from alongside.concerns.models import Concern
from browser.signing_in import sign_in
from conftest import grant

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}


def _second_phone(browser: Browser, live_server) -> Page:
    """Another person's phone: a context of its own, so no cookies are shared."""
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport=PHONE)
    context.set_default_timeout(10000)
    return context.new_page()


def _fits(page: Page, where: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{where} scrolls sideways at 360 px: {width}px wide"


def _raise_in_portal(page: Page, *, category: str, urgency: str, text: str, about: str = ""):
    page.goto(reverse("portal:home"))
    page.locator("#main").get_by_role("link", name="Raise a concern").click()
    expect(page.get_by_role("heading", name="Raise a concern")).to_be_visible()
    _fits(page, "the concern form")
    page.get_by_label("What is it about?", exact=True).select_option(label=category)
    page.get_by_label(urgency, exact=True).check()
    page.get_by_label("What happened?").fill(text)
    if about:
        page.get_by_label("Is it about a staff member?").select_option(label=about)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Thank you. A coordinator will look at your concern.")).to_be_visible()


def _my_concerns(page: Page):
    page.goto(reverse("concerns:mine"))
    expect(page.get_by_role("heading", name="Concerns I raised")).to_be_visible()
    return page.locator("#main ul.plain li")


def test_a_participant_raises_a_concern_and_follows_it_while_a_coordinator_handles_it(
    page: Page, browser: Browser, live_server, world
):
    sign_in(page, world.participant_user.username, viewport=PHONE)
    _raise_in_portal(
        page,
        category="Quality of service",
        urgency="Normal",
        text="My last two meetings were cancelled at the last minute.",
    )
    # Back on the portal home, the concern is listed with its status.
    expect(page.get_by_role("heading", name="Concerns I raised")).to_be_visible()
    expect(page.locator("#main")).to_contain_text("Quality of service · Open")
    _fits(page, "the portal home")
    mine = _my_concerns(page)
    expect(mine).to_have_count(1)
    expect(mine.first).to_contain_text("Quality of service · Open")
    _fits(page, "my concerns")
    concern = Concern.objects.get()
    assert (concern.raised_by, concern.engagement) == (world.participant_user, world.engagement)
    assert (concern.raised_through, concern.category, concern.urgency) == (
        "portal",
        "service",
        "normal",
    )

    # The coordinator, on her phone, finds it in the triage list and handles it.
    cora = _second_phone(browser, live_server)
    sign_in(cora, world.coordinator.username, viewport=PHONE)
    cora.goto(reverse("concerns:list"))
    _fits(cora, "the concern list")
    row = cora.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Quality of service")
    expect(row).to_contain_text("Pat Rivera")
    row.get_by_role("link").click()
    expect(cora.get_by_role("heading", name="Concern: Quality of service")).to_be_visible()
    expect(cora.locator("dl.facts")).to_contain_text("cancelled at the last minute")
    _fits(cora, "a concern")

    cora.get_by_role("button", name="Acknowledge").click()
    expect(cora.get_by_text("Acknowledged.").first).to_be_visible()
    expect(cora.get_by_role("button", name="Acknowledge")).to_have_count(0)
    expect(cora.locator("dl.facts")).to_contain_text("Being looked into")

    # Pat sees the change.
    expect(_my_concerns(page).first).to_contain_text("Quality of service · Being looked into")

    cora.get_by_role("link", name="Assign").click()
    cora.get_by_label("Who handles it").select_option(label="Cora Demo")
    cora.get_by_role("button", name="Save").click()
    expect(cora.get_by_text("Handler assigned.")).to_be_visible()

    cora.get_by_role("link", name="Record an action").click()
    cora.get_by_label("What was done").fill(
        "Called Pat; went over the meeting schedule with Sunny."
    )
    cora.get_by_role("button", name="Save").click()
    expect(cora.get_by_text("Action recorded.")).to_be_visible()
    expect(cora.get_by_text("went over the meeting schedule with Sunny")).to_be_visible()

    cora.get_by_role("link", name="Resolve").click()
    cora.get_by_label("Resolution").fill("Meetings are now confirmed the day before.")
    cora.get_by_role("button", name="Save").click()
    expect(cora.get_by_text("Concern resolved.")).to_be_visible()
    expect(cora.locator("dl.facts")).to_contain_text("Resolved · Cora Demo")
    expect(cora.get_by_role("link", name="Resolve")).to_have_count(0)
    _fits(cora, "a resolved concern")
    cora.context.close()

    concern.refresh_from_db()
    assert concern.status == "resolved" and concern.handled_by == world.coordinator
    assert concern.acknowledged_at and concern.resolved_at
    assert list(concern.actions.values_list("kind", flat=True)) == [
        "acknowledged",
        "assigned",
        "action",
        "resolved",
    ]
    # Pat sees it resolved, and never how it was handled.
    mine = _my_concerns(page)
    expect(mine.first).to_contain_text("Quality of service · Resolved")
    expect(page.locator("#main")).not_to_contain_text("meeting schedule")


def test_anyone_raises_a_concern_anonymously_on_the_public_page(
    page: Page, browser: Browser, live_server, world
):
    page.set_viewport_size(PHONE)
    page.goto(reverse("concerns:public", kwargs={"slug": world.org.slug}))
    expect(
        page.get_by_role("heading", name="Raise a concern with Riverbend Peer Network")
    ).to_be_visible()
    _fits(page, "the public concern page")
    page.get_by_label("What is it about?", exact=True).select_option(label="Privacy")
    page.get_by_label("What happened?").fill(
        "A peer supporter talked about a participant by name in the café."
    )
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    _fits(page, "the public thank-you page")

    concern = Concern.objects.get()
    assert concern.raised_by is None and concern.raised_through == "public"
    assert (concern.category, concern.urgency, concern.status) == ("privacy", "normal", "open")
    assert not concern.reachable

    cora = _second_phone(browser, live_server)
    sign_in(cora, world.coordinator.username, viewport=PHONE)
    cora.goto(reverse("concerns:list"))
    row = cora.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Privacy")
    row.get_by_role("link").click()
    facts = cora.locator("dl.facts")
    expect(facts).to_contain_text("Public page · anonymous")
    expect(facts).to_contain_text("They left no way to reach them")
    expect(cora.get_by_role("link", name="They were told")).to_have_count(0)
    cora.context.close()


def test_a_concern_about_a_supporter_never_reaches_that_supporter(
    page: Page, browser: Browser, live_server, world
):
    # Sunny also coordinates, so she could triage concerns: not one about herself.
    grant(world.supporter, world.org, Role.COORDINATOR, programs=[world.program])
    sign_in(page, world.participant_user.username, viewport=PHONE)
    _raise_in_portal(
        page,
        category="Boundaries",
        urgency="Urgent",
        text="My supporter keeps texting me late at night.",
        about="My peer supporter",
    )
    concern = Concern.objects.get()
    assert concern.subject_user == world.supporter and concern.urgency == "urgent"
    expect(_my_concerns(page).first).to_contain_text("Boundaries · Open")

    sunny = _second_phone(browser, live_server)
    sign_in(sunny, world.supporter.username, viewport=PHONE)
    sunny.goto(reverse("concerns:list"))
    expect(sunny.get_by_role("heading", name="Concerns")).to_be_visible()
    expect(sunny.get_by_text("No concerns here.")).to_be_visible()
    for name in ("detail", "assign", "resolve"):
        answer = sunny.goto(reverse(f"concerns:{name}", args=[concern.pk]))
        assert answer.status == 404, f"{name}: {answer.status}"
        expect(sunny.locator("body")).not_to_contain_text("texting me late")
    sunny.context.close()

    # The coordinator sees it, and may not hand it to Sunny.
    cora = _second_phone(browser, live_server)
    sign_in(cora, world.coordinator.username, viewport=PHONE)
    cora.goto(reverse("concerns:list"))
    row = cora.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Boundaries · Sunny Demo")
    expect(row).to_contain_text("Urgent")
    cora.goto(reverse("concerns:assign", args=[concern.pk]))
    options = cora.get_by_label("Who handles it").locator("option")
    expect(options).to_have_text(["Cora Demo"])
    cora.context.close()
