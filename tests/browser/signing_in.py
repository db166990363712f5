"""Signing in through the login page, as a person would: the one copy the browser tests use."""

from __future__ import annotations

import re

from django.urls import reverse
from playwright.sync_api import Page, expect

from alongside.accounts.models import User
from alongside.accounts.second_factor import is_staff_user
from alongside.accounts.testing import give_app, next_code
from conftest import PASSWORD


def sign_in(
    page: Page, username: str, password: str = PASSWORD, *, viewport: dict | None = None
) -> None:
    """The password, then (for staff, and people who turned it on) the app's code; waits
    until the browser has left the sign-in pages."""
    if viewport is not None:
        page.set_viewport_size(viewport)
    user = User.objects.filter(username=username).first()
    if user is not None and is_staff_user(user):
        give_app(user)  # the phone they set up on their first day
    page.goto(reverse("accounts:login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if reverse("accounts:second_factor_verify") in page.url:
        page.get_by_label("Six-digit code from your app").fill(next_code(user))
        page.get_by_role("button", name="Continue").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/(login|two-step)/"))
