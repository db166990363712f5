"""The cache-backed rate limit behind the public referral page."""

from __future__ import annotations

from django.core.cache import cache
from django.test import RequestFactory

from alongside.core import ratelimit


def test_it_allows_the_limit_then_refuses():
    results = [ratelimit.hit("k", 3, 60) for _ in range(5)]

    assert results == [True, True, True, False, False]


def test_keys_are_counted_apart():
    assert ratelimit.hit("a", 1, 60)
    assert ratelimit.hit("b", 1, 60)
    assert not ratelimit.hit("a", 1, 60)


def test_a_new_window_starts_afresh(monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: now[0])
    assert ratelimit.hit("k", 1, 60)
    assert not ratelimit.hit("k", 1, 60)

    now[0] += 60

    assert ratelimit.hit("k", 1, 60)


def test_a_count_that_expired_meanwhile_starts_again(monkeypatch):
    monkeypatch.setattr(cache, "add", lambda *a, **k: False)

    assert ratelimit.hit("k", 1, 60)  # incr() of a missing key: counted as the first


def test_the_key_is_a_keyed_hash_not_the_address(settings):
    digest = ratelimit.digest("203.0.113.7")

    assert len(digest) == 64 and "203" not in digest
    settings.SECRET_KEY = "another secret key that is long enough to be a real one"
    assert ratelimit.digest("203.0.113.7") != digest


def test_the_client_address_ignores_forwarded_headers_unless_behind_the_proxy(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    settings.SECURE_PROXY_SSL_HEADER = None
    assert ratelimit.client_address(request) == "192.0.2.1"

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert ratelimit.client_address(request) == "1.2.3.4"
