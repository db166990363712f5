"""For tests, benchmarks and demos: sessions that finished signing in, and app codes."""

from __future__ import annotations

import time

from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from alongside.accounts.second_factor import (
    APP_DEVICE_NAME,
    SESSION_KEY,
    VERIFIED,
    app_device,
    current_code,
)


def pass_second_step(client: Client) -> None:
    """Mark the client's session as past its second step, as the code page does."""
    session = client.session
    session[SESSION_KEY] = VERIFIED
    session.save()


def sign_in_fully(client: Client, user) -> Client:
    """force_login plus the second step: a session with all of the person's roles."""
    client.force_login(user)
    pass_second_step(client)
    return client


def give_app(user, key: str | None = None) -> TOTPDevice:
    """A confirmed authenticator app for this person (the one they have, if any)."""
    device = app_device(user)
    if device is None:
        extra = {"key": key} if key else {}
        device = TOTPDevice.objects.create(
            user=user, name=APP_DEVICE_NAME, confirmed=True, **extra
        )
    return device


def next_code(user) -> str:
    """The code the app shows for the first time step not yet used.

    A code is accepted once (django-otp remembers the last step used), and one step ahead
    is tolerated; signing the same person in twice within 30 seconds takes the next one,
    waiting if even that is used.
    """
    device = app_device(user)
    device.refresh_from_db()
    now = time.time()
    at = max(now, device.t0 + (device.last_t + 1) * device.step)
    if at > now + device.step:
        time.sleep(at - now - device.step + 0.05)
    return current_code(device, at)
