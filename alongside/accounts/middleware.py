"""Sessions that still owe their second step go to it before anything else."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from functools import partial
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject

from alongside.accounts import second_factor

# Pages a session owing its second step may still open.
_OPEN_URL_NAMES = (
    "accounts:login",
    "accounts:logout",
    "accounts:second_factor_verify",
    "accounts:second_factor_setup",
    "accounts:keep_alive",
    "language",
)


def _marked(request: HttpRequest, user):
    user.second_factor_verified = (
        user.is_authenticated
        and request.session.get(second_factor.SESSION_KEY) == second_factor.VERIFIED
    )
    return user


class SecondFactorMiddleware:
    """Set ``user.second_factor_verified`` on session users (read by the permission
    rules), and redirect pages, not the API, to the code or set-up page while owed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._open_paths: frozenset[str] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.user = SimpleLazyObject(partial(_marked, request, request.user))
        redirect = self._owed_step(request)
        return redirect or self.get_response(request)

    def _owed_step(self, request: HttpRequest) -> HttpResponse | None:
        session = request.session
        if AUTH_SESSION_KEY not in session:
            return None
        if session.get(second_factor.SESSION_KEY) in (
            second_factor.VERIFIED,
            second_factor.NOT_NEEDED,
        ):
            return None
        path = request.path_info
        if path.startswith(("/api/", "/" + settings.STATIC_URL.lstrip("/"))):
            return None  # the API refuses through the permission rules instead
        if path in self._open():
            return None
        user = request.user
        if not user.is_authenticated:
            return None
        if not second_factor.requires_second_factor(user):
            session[second_factor.SESSION_KEY] = second_factor.NOT_NEEDED
            return None
        target = (
            "accounts:second_factor_verify"
            if second_factor.app_device(user) is not None
            else "accounts:second_factor_setup"
        )
        return HttpResponseRedirect(
            f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}"
        )

    def _open(self) -> frozenset[str]:
        if self._open_paths is None:
            paths = set()
            for name in _OPEN_URL_NAMES:
                with suppress(NoReverseMatch):  # a page some deployments leave out
                    paths.add(reverse(name))
            self._open_paths = frozenset(paths)
        return self._open_paths
