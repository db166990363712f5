"""Smoke test: a real browser can sign in through the login page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_coordinator_signs_in_through_the_login_page(page, world):
    login_path = reverse("accounts:login")
    assert login_path == "/accounts/login/"

    response = page.goto(login_path)
    assert response is not None, "no response for the login page"
    assert response.ok, f"the login page answered {response.status}"

    form = page.locator("form", has=page.locator("input[name=username]"))
    username = form.locator("input[name=username]")
    password = form.locator("input[name=password]")
    assert username.is_visible()
    assert password.get_attribute("type") == "password"

    username.fill(world.coordinator.username)
    password.fill(PASSWORD)
    submit = form.locator("button[type=submit], input[type=submit], button:not([type])").first
    with page.expect_navigation() as navigation:
        submit.click()

    landed = navigation.value
    assert landed is not None, "no response after signing in"
    assert landed.ok, f"after signing in the page answered {landed.status}"
    assert login_path not in page.url, f"still on the login page: {page.url}"
    assert world.coordinator.first_name in page.locator("body").inner_text(), (
        "the page after signing in does not name the signed-in person"
    )
    cookies = {cookie["name"] for cookie in page.context.cookies()}
    assert "sessionid" in cookies, f"no session cookie after sign-in: {sorted(cookies)}"
