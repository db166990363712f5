"""A person asks for support on the public page; the coordinator matches the waitlist at once."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from alongside.engagements.models import Engagement
from alongside.referrals.models import Referral
from browser.signing_in import sign_in


def test_public_request_to_a_confirmed_batch_match(page: Page, world):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/refer/{world.org.slug}/")
    expect(page.get_by_text("This is not a crisis service")).to_be_visible()
    page.get_by_label("I am asking for peer support for myself").check()
    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Last name").fill("Vale")
    page.locator("#id_phone").fill("555-0100")
    page.get_by_label("Community Peer Support").check()
    page.get_by_label("What support is wanted?").fill("Someone who has been through recovery.")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you")
    referral = Referral.objects.get(participant__first_name="Robin")
    assert referral.channel == "public"

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, world.coordinator.username)
    page.goto(f"/referrals/{referral.pk}/")
    page.get_by_label("Accept: look for a match").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_role("heading", name="Find a peer supporter")).to_be_visible()

    page.get_by_role("link", name="Waitlist").first.click()
    page.get_by_label("Select Robin Vale").check()
    page.get_by_role("button", name="Propose matches for selected").click()
    expect(page.get_by_role("heading", name="Proposed matches")).to_be_visible()
    page.get_by_role("button", name="Confirm these matches").click()
    expect(page.get_by_text("1 match confirmed")).to_be_visible()
    engagement = Engagement.objects.get(referral=referral)
    assert engagement.state == "onboarding"
