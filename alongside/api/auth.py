"""Who is calling: a bearer token or a signed-in browser session, and what they may do."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from alongside.accounts.models import SignInEvent
from alongside.accounts.second_factor import (
    app_device,
    check_code,
    record_sign_in_event,
    requires_second_factor,
)
from alongside.accounts.signals import SECOND_STEP_CREDENTIAL
from alongside.api.models import Scope
from alongside.api.schemas import Credentials, Detail, Invalid, Token
from alongside.api.services import (
    TokenExpired,
    api_token_authenticate,
    api_token_issue,
    api_token_revoke,
)
from alongside.core.middleware import SESSION_ORGANIZATION_KEY, organization_for
from alongside.core.permissions import Cap, has_capability


def _act_as(request: HttpRequest, user, preferred_organization_id: int | None) -> None:
    """Make permission checks and the access log see this user in their organization."""
    request.user = user
    request.organization = organization_for(user, preferred_organization_id)


# Which scope a request needs, decided here and nowhere else. Exports hand out whole
# records or aggregate reports, so they need "export" (and only that: an export-only token
# can feed a reporting tool without reading or changing anything else). An endpoint opts in
# by its path: add a pattern here when adding an export endpoint.
EXPORT_PATHS = (
    re.compile(r"/fhir/?$"),  # a participant's record as FHIR R4
    re.compile(r"^/api/v1/reports/."),  # a funder report (the list of their names is a read)
)
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Revoking the very token in use is always allowed, whatever its scopes.
SCOPE_FREE = frozenset({("DELETE", "/api/v1/auth/token")})


def scope_needed(request: HttpRequest) -> str | None:
    """The scope this request needs from a token, or None when any token will do."""
    path = request.path_info
    if (request.method, path.rstrip("/")) in SCOPE_FREE:
        return None
    if any(pattern.search(path) for pattern in EXPORT_PATHS):
        return Scope.EXPORT
    return Scope.READ if request.method in READ_METHODS else Scope.WRITE


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; a presented but unknown, expired or too narrow
    token is refused outright (401, 401, 403), never passed on to the session."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        try:
            api_token = api_token_authenticate(token.strip())
        except TokenExpired as expired:
            raise AuthenticationError(message=str(expired)) from None
        if api_token is None:
            raise AuthenticationError(message="The token is not valid. Ask for a new one.")
        needed = scope_needed(request)
        if needed is not None and not api_token.allows(needed):
            raise PermissionDenied(
                f"This token's scopes ({api_token.scope_list}) do not include {needed}."
            )
        request.api_token = api_token
        _act_as(request, api_token.user, None)
        return api_token.user


class SessionAuth(APIKeyCookie):
    """A signed-in browser; unsafe methods need the CSRF token, as the pages do."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        # Checked only for a signed-in session: a cookie is what CSRF abuses.
        if check_csrf(request) is not None:
            raise HttpError(
                403,
                "CSRF check failed: send the csrftoken cookie's value in the X-CSRFToken header.",
            )
        return self.authenticate(request, request.COOKIES.get(self.param_name))

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        _act_as(request, request.user, request.session.get(SESSION_ORGANIZATION_KEY))
        return request.user


def require(request: HttpRequest, cap: Cap, *alternatives: Cap) -> None:
    """Refuse (403) unless the caller's role in their organization grants ``cap`` (or one
    of the ``alternatives``: staff read through engagements.view, participants through
    portal.view)."""
    caps = (cap, *alternatives)
    if not any(has_capability(request.user, request.organization, c) for c in caps):
        named = " or ".join(c.value for c in caps)
        raise PermissionDenied(f"Your role here does not include {named}.")


router = Router(tags=["auth"])


@router.post(
    "/token",
    auth=None,
    response={200: Token, 401: Detail, 403: Detail, 422: Invalid, 429: Detail},
    summary="Exchange a username and password (and a second-step code) for a token",
    description="The token reads and writes unless `scopes` says otherwise, and never "
    "expires unless `expires_in_days` is given. People can also create and revoke "
    "tokens on the page /accounts/api-tokens/.",
)
def token_issue(request: HttpRequest, credentials: Credentials) -> Token:
    """Goes through django.contrib.auth.authenticate so login throttling (axes) applies."""
    user = authenticate(request, username=credentials.username, password=credentials.password)
    if getattr(request, "axes_locked_out", False):
        # Answer in JSON here; AxesMiddleware would otherwise swap in the HTML lockout page.
        request.axes_locked_out = False
        cool_off = get_cool_off(request)
        wait = f" for {int(cool_off.total_seconds() // 60)} minutes" if cool_off else ""
        raise HttpError(
            429,
            f"Too many failed sign-ins: this account is locked{wait}. "
            "Wait, or ask an administrator to unlock it.",
        )
    if user is None:
        raise AuthenticationError(message="Wrong username or password.")
    _second_step(request, user, credentials.otp)
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    record_sign_in_event(user, SignInEvent.Kind.API_TOKEN, request)
    expires_at = (
        timezone.now() + timedelta(days=credentials.expires_in_days)
        if credentials.expires_in_days
        else None
    )
    raw = api_token_issue(
        user=user, name=credentials.name, scopes=credentials.scopes, expires_at=expires_at
    )
    return Token(
        token=raw,
        scopes=[s for s in Scope.values if s in credentials.scopes],
        name=credentials.name,
        expires_at=expires_at,
    )


def _second_step(request: HttpRequest, user, otp: str | None) -> None:
    """Accounts with two-step sign-in send their code as ``otp``; a wrong one counts
    towards the lockout like a wrong password."""
    if not requires_second_factor(user):
        return
    if app_device(user) is None:
        raise PermissionDenied(
            "This account must set up two-step sign-in on the website before it can have a token."
        )
    if not otp:
        raise AuthenticationError(
            message="This account uses two-step sign-in: send the code from the "
            "authenticator app as otp."
        )
    if check_code(user, otp) is None:
        credentials = {"username": user.username, SECOND_STEP_CREDENTIAL: True}
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        raise AuthenticationError(message="Wrong or already used code (otp).")


@router.delete(
    "/token",
    response={204: None, 400: Detail, 401: Detail},
    summary="Revoke the token of this request",
)
def token_revoke(request: HttpRequest) -> Status:
    api_token = getattr(request, "api_token", None)
    if api_token is None:
        raise HttpError(400, "This request was not made with a token; there is none to revoke.")
    api_token_revoke(token=api_token, actor=request.user)
    return Status(204, None)
