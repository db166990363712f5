"""Signing in through the login page, as a person would: the one copy the browser tests use."""

from __future__ import annotations

import re

from django.urls import reverse
from playwright.sync_api import Page, expect

from conftest import PASSWORD


def sign_in(
    page: Page, username: str, password: str = PASSWORD, *, viewport: dict | None = None
) -> None:
    """Fill the login form and wait until the browser has left the sign-in pages."""
    if viewport is not None:
        page.set_viewport_size(viewport)
    page.goto(reverse("accounts:login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/"))
