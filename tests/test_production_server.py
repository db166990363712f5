"""Several app servers behind one database share everything: sessions and rate limits.

Two gunicorn servers, started as ``make serve`` starts one (gunicorn.conf.py, production
settings, the cache in the database), on one database file: a person signed in on one
is signed in on the other, and the API's rate limit counts requests to both together.
Also: the load test's one-query page exists only when the load test asks for it.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.test import Client, override_settings
from django.urls import NoReverseMatch, clear_url_caches, reverse

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
PASSWORD = "a long enough password 42"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """The environment of a production start on a fresh database file, migrated."""
    tmp_path = tmp_path_factory.mktemp("production")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ALONGSIDE_", "DJANGO_", "DATABASE_URL", "REDIS_URL"))
    }
    env.update(
        ALONGSIDE_VAR_DIR=str(tmp_path),
        ALONGSIDE_SQLITE_PATH=str(tmp_path / "shared.sqlite3"),
        SECRET_KEY=secrets.token_urlsafe(50),
        ALONGSIDE_HTTPS="0",  # plain HTTP on loopback; TLS is the proxy's
        ALONGSIDE_API_RATE_LIMIT="5",
        ALONGSIDE_WEB_WORKERS="1",
        ALONGSIDE_ACCESS_LOG="",
    )

    def manage(*args: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, timeout=600
        )

    manage("migrate", "--noinput", "-v0")  # makes the cache's table too
    manage(
        "shell",
        "-c",
        "from alongside.accounts.models import User; "
        f"User.objects.create_user(username='rowan', password={PASSWORD!r})",
    )
    return env


@pytest.fixture(scope="module")
def two_servers(production):
    """Two gunicorn servers on one database; both stopped (with their workers) after."""
    tmp_path = Path(production["ALONGSIDE_VAR_DIR"])
    servers, bases = [], []
    try:
        for n in range(2):
            port = _port()
            log = open(tmp_path / f"server{n}.log", "w")  # noqa: SIM115 (closed by the OS)
            servers.append(
                subprocess.Popen(
                    [str(GUNICORN), "-c", "gunicorn.conf.py"],
                    cwd=ROOT,
                    env={**production, "ALONGSIDE_BIND": f"127.0.0.1:{port}"},
                    stdout=log,
                    stderr=log,
                    start_new_session=True,
                )
            )
            bases.append(f"http://127.0.0.1:{port}")
        for base in bases:
            deadline = time.monotonic() + 60
            while True:
                try:
                    requests.get(f"{base}/accounts/login/", timeout=5)
                    break
                except requests.ConnectionError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)
        yield bases
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)


def test_a_session_begun_on_one_server_is_signed_in_on_the_other(two_servers):
    first, second = two_servers
    browser = requests.Session()
    page = browser.get(f"{first}/accounts/login/", timeout=10)
    token = page.text.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    signed = browser.post(
        f"{first}/accounts/login/",
        data={"csrfmiddlewaretoken": token, "username": "rowan", "password": PASSWORD},
        allow_redirects=False,
        timeout=30,
    )
    assert signed.status_code == 302, signed.text[:500]

    # The sign-in page sends a signed-in person on: only if this server knows the session.
    elsewhere = browser.get(f"{second}/accounts/login/", allow_redirects=False, timeout=10)
    stranger = requests.get(f"{second}/accounts/login/", allow_redirects=False, timeout=10)

    assert elsewhere.status_code == 302
    assert stranger.status_code == 200


def test_the_rate_limit_counts_requests_to_every_server_together(two_servers):
    # Counts are per minute: start early in one, so all six requests fall in it.
    if time.time() % 60 > 45:
        time.sleep(60.5 - time.time() % 60)
    answers = [requests.get(f"{base}/api/v1/openapi.json", timeout=10) for base in two_servers * 3]

    assert [a.headers.get("X-RateLimit-Remaining") for a in answers[:4]] == ["4", "3", "2", "1"]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 200, 429]


@pytest.fixture
def urls_rebuilt():
    """Rebuild the URLs after a test that changed the setting they depend on."""
    yield
    sys.modules.pop("alongside.urls", None)
    clear_url_caches()


def test_the_one_query_page_is_absent_unless_the_load_test_asks(db, urls_rebuilt):
    with pytest.raises(NoReverseMatch):
        reverse("loadtest_baseline")
    assert Client().get("/loadtest/baseline/").status_code == 404


def test_the_load_test_gets_its_one_query_page(db, urls_rebuilt, django_assert_num_queries):
    from alongside.organizations.models import Organization

    Organization.objects.create(name="Riverbend Peer Network", slug="riverbend")
    with override_settings(LOADTEST_BASELINE=True):
        sys.modules.pop("alongside.urls", None)
        clear_url_caches()
        client = Client()
        with django_assert_num_queries(1):
            # Anonymous: the session and sign-in middleware read nothing without a cookie.
            response = client.get(reverse("loadtest_baseline"))

    assert response.status_code == 200
    assert response.content == b"Riverbend Peer Network"


def test_the_deployment_checks_warn_when_the_one_query_page_is_on(settings):
    from alongside.core.checks import check_deployment

    settings.SECRET_KEY = "k" * 20 + "ey-of-some-length-and-variety-0123456789"
    settings.LOADTEST_BASELINE = True

    assert "alongside.W002" in [e.id for e in check_deployment(None)]
