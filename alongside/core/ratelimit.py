"""Counting requests in fixed time windows, in Django's cache.

Keys are HMAC-SHA-256 digests under ``SECRET_KEY``: a client address passed in
as part of a key is never stored as such, and cannot be recovered from the cache.
In production the cache is a table in the database (or Redis through ``REDIS_URL``), so
every app server counts in the same place; tests and ``make run`` count in memory.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def digest(key: str) -> str:
    """A keyed hash of ``key``; the same key gives the same digest under one SECRET_KEY."""
    return hmac.new(settings.SECRET_KEY.encode(), key.encode(), hashlib.sha256).hexdigest()


def _cache_key(key: str, window_seconds: int) -> str:
    window = int(time.time() // window_seconds)
    return f"ratelimit:{digest(key)}:{window}"


def exceeded(key: str, limit: int, window_seconds: int) -> bool:
    """Whether ``limit`` hits already fell in this window, without counting one more.

    For counting only failures: ask first, so a blocked client learns nothing more.
    """
    return (cache.get(_cache_key(key, window_seconds)) or 0) >= limit


def hit(key: str, limit: int, window_seconds: int) -> bool:
    """Count one hit for ``key``; False once more than ``limit`` fell in this window."""
    cache_key = _cache_key(key, window_seconds)
    # add() is atomic where the cache is shared (Redis); a lost race costs one count.
    if cache.add(cache_key, 1, timeout=window_seconds + 1):
        return limit >= 1
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.set(cache_key, 1, timeout=window_seconds + 1)
        count = 1
    return count <= limit


def client_address(request: HttpRequest) -> str:
    """The address the request came from; behind the proxy, the one it saw.

    ``SECURE_PROXY_SSL_HEADER`` is set exactly when ``ALONGSIDE_BEHIND_PROXY`` is
    on; only then is ``X-Forwarded-For`` trusted, and only its last entry (the one
    our proxy appended: earlier entries come from the client and can be forged).
    """
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "") or "unknown"
