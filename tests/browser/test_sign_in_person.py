"""A participant signs on the supporter's phone, drawing their signature with a finger."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from alongside.agreements.models import DocumentRequirement, SignedDocument
from browser.signing_in import sign_in
from conftest import PASSWORD, open_engagement


def test_signing_in_person_with_a_drawn_signature(page: Page, world):
    DocumentRequirement.objects.create(program=world.respite, template=world.release)
    engagement = open_engagement(world.participant, world.respite, world.supporter, "onboarding")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, world.supporter.username)
    page.goto(f"/engagements/{engagement.pk}/")
    page.get_by_role("link", name="Participant signs in person Release of Liability").click()

    canvas = page.locator("canvas")
    expect(canvas).to_be_visible()  # the script shows the pad
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 60)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 20, box["y"] + 60 + (step % 3) * 15)
    page.mouse.up()
    page.get_by_label("Full name, typed to sign").fill("Pat Rivera")
    page.locator("input[type=password]").fill(PASSWORD)  # Pat's own portal password
    page.get_by_role("button", name="Sign this document").click()

    signed = SignedDocument.objects.get(engagement=engagement, version=world.release.current)
    assert signed.method == "in_person"
    assert bytes(signed.signature_png).startswith(b"\x89PNG\r\n\x1a\n")
