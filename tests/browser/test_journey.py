"""The coordinator's journey from referral to active support, and the participant seeing it."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from browser.signing_in import sign_in


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_referral_to_active_engagement_and_the_participant_sees_it(page: Page, world):
    sign_in(page, world.coordinator.username)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    page.get_by_role("link", name="Record a referral").first.click()
    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Last name").fill("Vale")
    page.locator("#id_person-preferred_language").select_option("es")
    page.get_by_label("Program").select_option(label="Community Peer Support")
    page.get_by_label("Source").select_option("clinic")
    page.get_by_label("What support is wanted").fill("Support after residential treatment.")
    page.locator("#id_referral-preferred_language").select_option("es")
    page.get_by_label("Substance use").check()
    page.get_by_label("Urgency").select_option("soon")
    page.get_by_role("button", name="Save referral").click()
    expect(page.get_by_role("heading", name="Robin Vale")).to_be_visible()

    page.get_by_label("Accept: look for a match").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_role("heading", name="Find a peer supporter")).to_be_visible()
    first = page.locator("ol > li").first
    expect(first).to_contain_text("Sunny")
    expect(first).to_contain_text("speaks Spanish")
    page.get_by_role("button", name="Match with Sunny Demo").click()

    expect(page.get_by_text("Onboarding has started")).to_be_visible()
    expect(page.locator("dl.facts").first).to_contain_text("Onboarding")
    # Activation is refused while the program's documents are unsigned.
    page.get_by_label("Move to").select_option("active")
    page.get_by_role("button", name="Move").click()
    expect(page.get_by_text("Before activating, complete:")).to_be_visible()

    for kind in ("Joint Participation Contract", "Release of Liability"):
        page.get_by_role("link", name="Record a paper signature").click()
        page.get_by_label("Document").select_option(label=kind)
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("Paper signature recorded.")).to_be_visible()
    # The contract waits for the supporter's signature too: Sunny signed the paper.
    expect(page.get_by_text("still to sign: peer supporter")).to_be_visible()
    page.get_by_role("link", name="Record a paper signature").click()
    page.get_by_label("Document").select_option(label="Joint Participation Contract")
    page.get_by_label("Name as signed").fill("Sunny Demo")
    page.get_by_label("Signed as").select_option(label="Peer supporter")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Paper signature recorded.")).to_be_visible()
    # The emergency plan is the last thing activation needs; it is written with Robin.
    engagement_url = re.sub(r"#.*$", "", page.url)
    page.goto(engagement_url + "emergency-plan/")
    page.get_by_role("link", name="Write the emergency plan").click()
    page.get_by_label("Signs that mean others should step in").fill("Stops answering the phone.")
    page.locator("#id_contact-0-name").fill("Maria")
    page.locator("#id_contact-0-relationship").fill("sister")
    page.locator("#id_contact-0-phone").fill("555-0101")
    page.locator("#id_contact-0-outside_team").check()
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_text("Emergency plan saved (version 1).")).to_be_visible()
    expect(page.get_by_text("share only with a consent")).to_be_visible()
    page.get_by_role("link", name="Robin Vale").click()
    # The getting-started conversations and the team plan worksheet complete the checklist.
    page.get_by_role(
        "button", name="Record as done: The process and what to expect explained"
    ).click()
    page.get_by_role("button", name="Record as done: Rights and privacy explained").click()
    page.get_by_role("link", name="Write the worksheet").first.click()
    page.get_by_label("Phone call").check()
    page.get_by_label("Boundaries we both agree on").fill("No calls after 9 pm.")
    page.get_by_role("button", name="Save").click()
    page.goto(engagement_url)
    page.get_by_label("Move to").select_option("active")
    page.get_by_label("Why").fill("All agreements signed.")
    page.get_by_role("button", name="Move").click()
    expect(page.get_by_text("Now Active.")).to_be_visible()

    page.get_by_role("link", name="Give portal access").click()
    page.get_by_label("Username for the participant").fill("robin")
    page.locator("#id_password").fill("a private phrase of mine")
    page.get_by_label("First password, again").fill("a private phrase of mine")
    page.get_by_role("button", name="Create sign-in").click()
    expect(page.get_by_text("Portal sign-in created.")).to_be_visible()
    _sign_out(page)

    # Robin asked for Spanish at referral: their portal speaks it from the first page.
    sign_in(page, "robin", "a private phrase of mine")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", name="Mi apoyo")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Community Peer Support")
    expect(page.locator("main")).to_contain_text(re.compile("Sunny"))
    expect(page.locator("main")).to_contain_text("Activo")
    # Robin opens their emergency plan in one tap and adds to it.
    page.get_by_role("link", name="Abrir mi plan de emergencia").click()
    expect(page.locator("main")).to_contain_text("Stops answering the phone.")
    page.get_by_role("link", name="Editar el plan").click()
    page.locator("#id_helps").fill("Una caminata y algo caliente.")
    page.get_by_role("button", name="Guardar el plan").click()
    expect(page.get_by_text("Plan de emergencia guardado (versión 2).")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Una caminata y algo caliente.")
