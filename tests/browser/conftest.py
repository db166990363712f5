"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

- ``browser`` (session): one headless Chromium per test process (per xdist worker),
  launched from ``/usr/bin/chromium`` (``scripts/ensure-chromium.sh`` installs it; no
  browser is ever downloaded). Playwright gives each launch a fresh, empty profile
  directory of its own (Chromium's ``--user-data-dir``), removed when it closes.
- ``page`` (function): a new browser context (no cookies shared between tests) and a
  page whose relative URLs resolve against ``live_server.url``. Requesting it pulls in
  ``live_server``, so the test runs with ``transactional_db``: rows the test creates are
  visible to the server thread, and the tables are emptied afterwards.
- Every test under ``tests/browser/`` is marked ``browser``, so ``-m "not browser"``
  leaves them out.
- A failing test leaves a full-page screenshot and the page's HTML in ``test-artifacts/``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.test import override_settings

# Playwright's sync API keeps an asyncio event loop in this thread while the browser is
# open; Django would then refuse ORM calls made by the test itself (and by tests that
# run after it in the same process) with SynchronousOnlyOperation. The test code is
# plain synchronous code, so this is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = os.environ.get("ALONGSIDE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Milliseconds Playwright waits for an element or a navigation before failing.
TIMEOUT_MS = int(os.environ.get("ALONGSIDE_BROWSER_TIMEOUT_MS", "10000"))
BROWSER_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if BROWSER_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item so ``page`` can tell whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session", autouse=True)
def _live_server_speaks_plain_http():
    """Turn off the HTTPS redirect before the live server builds its middleware.

    The root conftest's ``_plain_http`` does this per test, but the session-scoped live
    server starts first, and SecurityMiddleware reads SECURE_SSL_REDIRECT only once.
    """
    with override_settings(
        SECURE_SSL_REDIRECT=False,
        SECURE_HSTS_SECONDS=0,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
    ):
        yield


@pytest.fixture(scope="session")
def browser() -> Browser:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: browser tests drive Debian's Chromium. "
            "Run `make test` (as root it installs it) or `apt-get install -y chromium`.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        # Playwright gives the launch a new empty --user-data-dir of its own; it refuses
        # that flag in args.
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(request, browser: Browser, live_server) -> Page:
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            _save_artifacts(request.node.nodeid, page)
        context.close()


def _save_artifacts(nodeid: str, page: Page) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_")
    try:
        page.screenshot(path=str(ARTIFACTS / f"{stem}.png"), full_page=True)
        (ARTIFACTS / f"{stem}.html").write_text(page.content(), encoding="utf-8")
    except Exception as error:  # the page may be gone; the test's own failure matters more
        print(f"could not save browser artifacts for {nodeid}: {error}")
    else:
        print(f"browser artifacts: {ARTIFACTS / stem}.png (and .html)")
