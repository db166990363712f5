"""The load test's browser habits: reading forms and signing in, with no locust import.

Shared by the locustfile and the kill test (plain ``requests``), so sign-in lives in
one function, ``sign_in``.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
import time
from html.parser import HTMLParser

import requests


class FormReader(HTMLParser):
    """The forms of a page with the values a browser would send untouched."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action") or "", "method": a.get("method", "get")}
            self._form["fields"] = {}
            self.forms.append(self._form)
        if self._form is None:
            return
        fields = self._form["fields"]
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    fields[name] = a.get("value", "on")
            elif kind not in ("submit", "button", "file"):
                fields[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            # A browser sends the selected option, else the first one (even if empty).
            if "selected" in a or self._select not in fields:
                fields[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = ""

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            # As in a browser: the line break right after <textarea> is not content.
            fields = self._form["fields"] if self._form is not None else {}
            if self._textarea in fields and fields[self._textarea].startswith("\n"):
                fields[self._textarea] = fields[self._textarea][1:]
            self._textarea = None
        elif tag == "form":
            self._form = None


def form_with(html: str, field: str) -> dict:
    """The values of the page's form that has ``field`` (not the nav's sign-out form)."""
    reader = FormReader()
    reader.feed(html)
    for form in reader.forms:
        if field in form["fields"]:
            return dict(form["fields"])
    raise LookupError(f"no form with {field!r} on the page")


def totp(key_hex: str, at: float | None = None) -> str:
    """RFC 6238 code (SHA-1, 30 s, 6 digits), as authenticator apps and django-otp make."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{code % 1_000_000:06d}"


def sign_in(client, account: dict) -> None:
    """Sign in through the sign-in page as a person would: the one place to adapt.

    ``client`` is locust's or ``Browser`` (requests, with a base address). Password
    first; when the server then asks for the code (staff: an authenticator app), the
    code from the account's TOTP key; a code is good once, so a refused one is tried
    again with the next one. Raises when the person is not signed in at the end.
    """
    page = client.get("/accounts/login/", name="sign in (page)")
    data = form_with(page.text, "password")
    data.update(username=account["username"], password=account["password"])
    answer = client.post("/accounts/login/", data=data, name="sign in (password)")
    for _attempt in range(2):
        if not (account.get("totp_key") and 'name="code"' in answer.text):
            break
        data = form_with(answer.text, "code")
        data["code"] = used = totp(account["totp_key"])
        step = answer.url
        answer = client.post(step, data=data, name="sign in (code)")
        if answer.status_code == 400:
            # Refused: too old by the time a busy server read it (try a fresh one), or
            # used already (wait for the next).
            if totp(account["totp_key"]) == used:
                time.sleep(30 - time.time() % 30 + 0.5)
            answer = client.get(step, name="sign in (code page)")
    if "/accounts/login" in answer.url or answer.status_code != 200:
        raise RuntimeError(f"sign-in as {account['username']} failed ({answer.status_code})")


class Browser(requests.Session):
    """A requests session with a base address that ignores locust's ``name`` argument."""

    def __init__(self, base: str, timeout: float = 15):
        super().__init__()
        self.base, self.timeout = base.rstrip("/"), timeout

    def request(self, method, url, *args, name=None, **kwargs):
        kwargs.setdefault("timeout", self.timeout)
        return super().request(
            method, self.base + url if url.startswith("/") else url, *args, **kwargs
        )
