"""Emergency access on a phone (360 px): a coordinator meets a Not found page for a record
outside her programs, breaks the glass from there with a reason, reads the record; the
admin reviews it from their own phone."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from alongside.audit.models import AccessLog
from alongside.breakglass.models import EmergencyAccessReview
from alongside.organizations.models import Program
from alongside.participants.models import Participant
from browser.signing_in import sign_in
from conftest import open_engagement

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}
REASON = "Rae's sister called: Rae is in crisis and asked for her emergency plan."


def _fits(page: Page, where: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{where} scrolls sideways at 360 px: {width}px wide"


def test_a_coordinator_breaks_the_glass_and_the_admin_reviews_it(
    page: Page, browser: Browser, live_server, world
):
    crisis = Program.objects.create(organization=world.org, name="Crisis Stabilization")
    rae = Participant.objects.create(
        organization=world.org,
        first_name="Rae",
        last_name="Quill",
        date_of_birth=datetime.date(1990, 4, 2),
    )
    engagement = open_engagement(rae, crisis, world.other_supporter)
    record = reverse("engagements:detail", args=[engagement.pk])

    sign_in(page, world.coordinator.username, viewport=PHONE)
    page.goto(record)
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    page.locator("#main").get_by_role("link", name="Emergency access").click()
    expect(page.get_by_role("heading", name="Emergency access", exact=True)).to_be_visible()
    _fits(page, "the emergency access form")
    page.get_by_label("First name").fill("Rae")
    page.get_by_label("Last name").fill("Quill")
    page.get_by_label("Date of birth").fill("1990-04-02")
    page.get_by_label("Why must this record be opened now?").fill(REASON)
    page.get_by_role("button", name="Open the record").click()
    expect(page.get_by_role("heading", name="Emergency access to Rae Quill")).to_be_visible()
    _fits(page, "the grant page")
    page.locator("#main").get_by_role("link", name="Crisis Stabilization").click()
    expect(page).to_have_url(live_server.url + record)
    expect(page.locator("#main")).to_contain_text("Rae Quill")
    _fits(page, "the record read through the grant")
    assert AccessLog.objects.filter(
        actor=world.coordinator, path=record, reason="Emergency access: " + REASON
    ).exists()

    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport=PHONE)
    ada = context.new_page()
    sign_in(ada, world.admin.username, viewport=PHONE)
    ada.goto(reverse("breakglass:reviews"))
    expect(ada.locator("#main")).to_contain_text("Rae Quill")
    _fits(ada, "the review list")
    ada.locator("#main").get_by_role("link", name="Review", exact=True).click()
    _fits(ada, "the review page")
    ada.get_by_label("Comment").fill("Called Cora the next morning; justified.")
    ada.get_by_role("button", name="Mark reviewed").click()
    expect(ada.get_by_text("Marked reviewed.")).to_be_visible()
    assert EmergencyAccessReview.objects.get().reviewer == world.admin
    context.close()
