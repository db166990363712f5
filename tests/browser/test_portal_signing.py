"""The participant signs two documents in the portal and the engagement can be activated."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from alongside.agreements.services import document_record_paper
from alongside.engagements.models import State
from alongside.engagements.services import missing_for_activation
from alongside.engagements.testing import onboarding_complete
from browser.signing_in import sign_in
from conftest import PASSWORD, open_engagement


def test_the_participant_signs_two_documents_and_onboarding_can_end(page: Page, world):
    # Pat starts over in onboarding (the active engagement is closed); all but documents done.
    world.engagement.state = State.CLOSED
    world.engagement.save()
    engagement = open_engagement(world.participant, world.program, world.supporter, "onboarding")
    onboarding_complete(engagement, world.supporter)
    # Sunny signed her part of the contract already; Pat's signatures are what is left.
    document_record_paper(
        engagement=engagement,
        version=world.contract.current,
        signer_name="Sunny Demo",
        role="supporter",
        signed_on=engagement.started_on,
        actor=world.supporter,
    )
    assert missing_for_activation(engagement) == [
        "Joint Participation Contract (still to sign: participant)",
        "Release of Liability",
    ]

    sign_in(page, "pat")
    page.get_by_role("link", name="My documents").click()

    for title in ("Joint Participation Contract", "Release of Liability"):
        page.get_by_role("link", name=f"Read and sign {title}").click()
        expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
        page.get_by_label("Type your full name to sign").fill("Pat Rivera")
        page.get_by_label("Your password, to confirm it is you").fill(PASSWORD)
        page.get_by_role("button", name="Sign this document").click()
        expect(page.get_by_text(f"Signed: {title}, version 1.")).to_be_visible()

    expect(page.get_by_role("link", name="Read and sign")).to_have_count(0)
    assert missing_for_activation(engagement) == []
