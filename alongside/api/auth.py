"""Who is calling: a bearer token or a signed-in browser session, and what they may do."""

from __future__ import annotations

from typing import Any

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from alongside.api.schemas import Credentials, Detail, Invalid, Token
from alongside.api.services import api_token_authenticate, api_token_issue, api_token_revoke
from alongside.core.middleware import SESSION_ORGANIZATION_KEY, organization_for
from alongside.core.permissions import Cap, has_capability


def _act_as(request: HttpRequest, user, preferred_organization_id: int | None) -> None:
    """Make permission checks and the access log see this user in their organization."""
    request.user = user
    request.organization = organization_for(user, preferred_organization_id)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; a presented but unknown token is refused outright."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = api_token_authenticate(token.strip())
        if api_token is None:
            raise AuthenticationError(message="The token is not valid. Ask for a new one.")
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
    response={200: Token, 401: Detail, 422: Invalid, 429: Detail},
    summary="Exchange a username and password for a token",
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
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    return Token(token=api_token_issue(user=user))


@router.delete(
    "/token", response={204: None, 400: Detail}, summary="Revoke the token of this request"
)
def token_revoke(request: HttpRequest) -> Status:
    api_token = getattr(request, "api_token", None)
    if api_token is None:
        raise HttpError(400, "This request was not made with a token; there is none to revoke.")
    api_token_revoke(token=api_token, actor=request.user)
    return Status(204, None)
