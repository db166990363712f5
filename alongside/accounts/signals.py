"""Sign-in history and session set-up, from Django's and axes' sign-in signals."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from alongside.accounts import second_factor
from alongside.accounts.models import SignInEvent, User

# Marks a failed second step in the credentials sent with user_login_failed, so axes counts
# it towards the lockout and the history names it.
SECOND_STEP_CREDENTIAL = "second_step"


@receiver(user_logged_in, dispatch_uid="alongside.accounts.signed_in")
def signed_in(sender, request, user, **kwargs) -> None:
    """A browser session after the password: owes its second step (or has none), and
    ends after the idle time of the person's kind of account."""
    if request is None or request.session.get(AUTH_SESSION_KEY) != str(user.pk):
        return  # not a browser session (an API token is being issued)
    staff = second_factor.is_staff_user(user)
    if staff or second_factor.app_device(user) is not None:
        request.session.pop(second_factor.SESSION_KEY, None)
    else:
        request.session[second_factor.SESSION_KEY] = second_factor.NOT_NEEDED
    minutes = settings.SESSION_IDLE_MINUTES if staff else settings.PARTICIPANT_SESSION_IDLE_MINUTES
    request.session.set_expiry(60 * minutes)
    second_factor.record_sign_in_event(user, SignInEvent.Kind.SIGNED_IN, request)


def _user_named(credentials: dict | None) -> User | None:
    username = (credentials or {}).get("username")
    if not isinstance(username, str) or not username:
        return None
    return User.objects.filter(username=username).first()


@receiver(user_login_failed, dispatch_uid="alongside.accounts.sign_in_failed")
def sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    user = _user_named(credentials)
    if user is not None:
        kind = (
            SignInEvent.Kind.WRONG_CODE
            if credentials.get(SECOND_STEP_CREDENTIAL)
            else SignInEvent.Kind.WRONG_PASSWORD
        )
        second_factor.record_sign_in_event(user, kind, request)


@receiver(user_locked_out, dispatch_uid="alongside.accounts.locked_out")
def locked_out(sender, request, username, ip_address, **kwargs) -> None:
    user = _user_named({"username": username})
    if user is not None:
        second_factor.record_sign_in_event(user, SignInEvent.Kind.LOCKED_OUT, request)
