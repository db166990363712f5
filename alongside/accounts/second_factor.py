"""The second factor: who needs one, enrolling an authenticator app, recovery codes, checks.

Staff (anyone holding a role other than participant, and Django staff) must pass a TOTP
code after their password; participants may choose to. A session records that its second
step passed (``VERIFIED``), and ``core.permissions.roles_of`` withholds every staff role
from a session that has not: the rule holds in the domain, whatever page or endpoint is
asked. Devices and codes are django-otp's (TOTPDevice, StaticDevice for recovery codes).
"""

from __future__ import annotations

import base64
import time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from alongside.accounts.models import Membership, Role, SignInEvent, User, new_session_stamp
from alongside.audit.services import event_record

# The session key holding the state of the second step: VERIFIED once passed, NOT_NEEDED
# for people who have none; absent while a code is still owed.
SESSION_KEY = "alongside_second_factor"
VERIFIED = "verified"
NOT_NEEDED = "not-needed"

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


def is_staff_user(user: User) -> bool:
    """Holds a role other than participant anywhere, or may use the Django admin."""
    if user.is_staff or user.is_superuser:
        return True
    return Membership.objects.filter(user=user).exclude(role=Role.PARTICIPANT).exists()


def app_device(user: User, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-pk").first()


def requires_second_factor(user: User) -> bool:
    """Staff always; a participant once they have set one up."""
    return is_staff_user(user) or app_device(user) is not None


def session_verified(user) -> bool:
    """Whether this user object passed its second step, as the domain rules read it.

    Users taken from a browser session carry ``second_factor_verified`` (set by
    SecondFactorMiddleware); users acting through an API token, a command or a task do
    not, and are trusted: a token is issued only after the code (``check_code``).
    """
    return getattr(user, "second_factor_verified", True)


def enrollment_start(user: User, *, verified_session: bool) -> TOTPDevice:
    """The unconfirmed device to show as a QR code; reused until confirmed.

    Someone who already has an app must have passed its code in this session to replace
    it: otherwise a stolen password alone could enrol a new phone.
    """
    if app_device(user) is not None and not verified_session:
        raise PermissionDenied(_("Enter a code from your current app first."))
    device = app_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The key as people type it into an app: base32 in groups of four."""
    b32 = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(b32[i : i + 4] for i in range(0, len(b32), 4))


@transaction.atomic
def enrollment_confirm(user: User, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the new app with a code from it; answer fresh recovery codes (shown once)."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if device.confirmed:
        raise ValidationError(_("This app is already set up."))
    if not device.verify_token(_digits(code)):
        raise ValidationError(
            _("That code did not match. Check the time on your phone and try the newest code.")
        )
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _recovery_codes_replace(user)
    record_sign_in_event(user, SignInEvent.Kind.SECOND_FACTOR_ON)
    event_record(actor=user, organization=None, action="accounts.second_factor_on", obj=user)
    return codes


def recovery_codes_renew(user: User, *, verified_session: bool) -> list[str]:
    if not verified_session or app_device(user) is None:
        raise PermissionDenied(_("Sign in with your second step first."))
    codes = _recovery_codes_replace(user)
    record_sign_in_event(user, SignInEvent.Kind.RECOVERY_CODES_NEW)
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def _recovery_codes_replace(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def check_code(user: User, code: str) -> SignInEvent.Kind | None:
    """Check a code from the app, or a recovery code (used up by this check).

    Answers the kind of success to record, or None. django-otp refuses a code already
    used and slows down repeated failures on each device.
    """
    code = (code or "").strip().lower().replace(" ", "").replace("-", "")
    if not code or len(code) > 16:
        return None
    device = app_device(user)
    if device is not None and code.isdigit() and len(code) == device.digits:
        return SignInEvent.Kind.SECOND_STEP if device.verify_token(code) else None
    recovery = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if recovery is not None and recovery.verify_token(code):
        return SignInEvent.Kind.RECOVERY_CODE_USED
    return None


def _digits(code: str) -> str:
    return (code or "").replace(" ", "").replace("-", "").strip()


@transaction.atomic
def second_factor_turn_off(user: User, password: str) -> None:
    """A participant may turn theirs off (with their password); staff may not."""
    if is_staff_user(user):
        raise PermissionDenied(_("Staff accounts must keep two-step sign-in."))
    if not user.check_password(password):
        raise ValidationError(_("That password is not right."))
    _devices_delete(user)
    record_sign_in_event(user, SignInEvent.Kind.SECOND_FACTOR_OFF)
    event_record(actor=user, organization=None, action="accounts.second_factor_off", obj=user)


@transaction.atomic
def second_factor_reset(user: User, actor: User) -> None:
    """An administrator's reset for a lost phone: devices gone, every session ended.

    The person sets up a new app at their next sign-in.
    """
    _devices_delete(user)
    sessions_end_all(user)
    record_sign_in_event(user, SignInEvent.Kind.SECOND_FACTOR_RESET)
    event_record(actor=actor, organization=None, action="accounts.second_factor_reset", obj=user)


def _devices_delete(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def sessions_end_all(user: User) -> None:
    """Every session of this person fails its auth hash check from the next request on."""
    user.session_stamp = new_session_stamp()
    User.objects.filter(pk=user.pk).update(session_stamp=user.session_stamp)


def record_sign_in_event(user: User, kind: str, request=None) -> SignInEvent:
    ip = user_agent = None
    if request is not None:
        ip = request.META.get("REMOTE_ADDR") or None
        user_agent = request.META.get("HTTP_USER_AGENT", "")[:200]
    return SignInEvent.objects.create(
        user=user, kind=kind, ip_address=ip, user_agent=user_agent or ""
    )


def current_code(device: TOTPDevice, at: float | None = None) -> str:
    """The code the app shows now (demos and tests sign in with it)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():0{device.digits}d}"
