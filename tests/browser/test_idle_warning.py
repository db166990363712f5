"""The idle-timeout warning: shown before a quiet session ends; "Stay signed in" renews it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from browser.signing_in import sign_in

pytestmark = pytest.mark.browser


def test_a_quiet_page_warns_before_signing_out_and_staying_renews(page: Page, world, settings):
    page.clock.install()
    sign_in(page, world.supporter.username)
    page.goto(reverse("dashboard"))
    dialog = page.get_by_role("dialog", name="Are you still there?")
    expect(dialog).to_be_hidden()

    quiet = 60 * settings.SESSION_IDLE_MINUTES - settings.SESSION_IDLE_WARNING_SECONDS
    page.clock.fast_forward(quiet * 1000 + 1000)
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Stay signed in")).to_be_focused()

    with page.expect_response(lambda r: r.url.endswith(reverse("accounts:keep_alive"))) as kept:
        dialog.get_by_role("button", name="Stay signed in").click()
    assert kept.value.status == 204
    expect(dialog).to_be_hidden()

    # Left alone for the whole idle time, the page goes to the sign-in page (which sends a
    # session still alive, say in another tab, straight back).
    with page.expect_request(lambda r: reverse("accounts:login") + "?next=" in r.url):
        page.clock.fast_forward(60 * settings.SESSION_IDLE_MINUTES * 1000 + 1000)
