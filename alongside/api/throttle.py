"""The API's rate limit: at most ``ALONGSIDE_API_RATE_LIMIT`` requests a minute per caller.

A middleware rather than ninja's throttles, because those run only after authentication
succeeded (a stream of bad tokens would go uncounted), keep a list of timestamps that two
app servers overwrite in turn (lost counts), and put no headers on the answers that pass.
Here each caller has one counter per fixed minute, raised with the cache's atomic
``add``/``incr``; every app server counts in the same place (the cache is in the database,
or Redis through ``REDIS_URL``).

The caller is its bearer token (a keyed hash of it), else its signed-in user, else its
address (the token endpoint and every other anonymous request). A request whose token is
refused (401) also counts against its address, and an address over the limit gets no
further with any token, so guessing tokens is throttled like guessing anything else.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse

from alongside.core.ratelimit import client_address, digest

API_PREFIX = "/api/v1/"
WINDOW_SECONDS = 60


def _bearer(request: HttpRequest) -> str | None:
    scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


def _now() -> float:
    return time.time()  # a function of its own, so tests can move the clock of this alone


def _window() -> tuple[int, int]:
    """This window's number, and the whole seconds until the next one starts."""
    now = _now()
    index = int(now // WINDOW_SECONDS)
    return index, max(1, math.ceil((index + 1) * WINDOW_SECONDS - now))


def _key(caller: str, window: int) -> str:
    # The caller (a token, an address) is never stored as such: only its keyed hash.
    return f"api-rate:{digest(caller)}:{window}"


def _count(caller: str, window: int) -> int:
    """Count one request for ``caller`` in ``window``; the count so far, this one included."""
    key = _key(caller, window)
    if cache.add(key, 1, timeout=WINDOW_SECONDS + 1):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=WINDOW_SECONDS + 1)
        return 1


def _peek(caller: str, window: int) -> int:
    return cache.get(_key(caller, window)) or 0


def _caller(request: HttpRequest, token: str | None) -> str:
    if token:
        return f"token:{token}"
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_address(request)}"


def _headers(response: HttpResponse, limit: int, remaining: int, reset: int) -> HttpResponse:
    response["X-RateLimit-Limit"] = str(limit)
    response["X-RateLimit-Remaining"] = str(max(0, remaining))
    response["X-RateLimit-Reset"] = str(reset)
    return response


def _too_many(limit: int, wait: int) -> HttpResponse:
    response = JsonResponse(
        {"detail": f"Too many requests: at most {limit} a minute. Try again in {wait} seconds."},
        status=429,
    )
    response["Retry-After"] = str(wait)
    response["Cache-Control"] = "no-store"
    return _headers(response, limit, 0, wait)


class ApiRateLimitMiddleware:
    """Counts every request under /api/v1/ (unknown paths too); 0 turns the limit off.

    Sits after AuthenticationMiddleware, which it needs to tell a session's user.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = getattr(settings, "ALONGSIDE_API_RATE_LIMIT", 0)
        if limit <= 0 or not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        window, reset = _window()
        token = _bearer(request)
        address = f"ip:{client_address(request)}"
        if token and _peek(address, window) >= limit:
            return _too_many(limit, reset)
        count = _count(_caller(request, token), window)
        if count > limit:
            return _too_many(limit, reset)
        response = self.get_response(request)
        if token and response.status_code == 401:
            _count(address, window)
        return _headers(response, limit, limit - count, reset)
