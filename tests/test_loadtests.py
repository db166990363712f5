"""The load test's browser habits (loadtests/web.py): codes as apps make them, forms as
browsers send them. The load test itself runs in CI as its own step (make loadtest)."""

from __future__ import annotations

import sys
from pathlib import Path

from django_otp.oath import TOTP

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "loadtests"))

from web import form_with, totp

RFC_KEY = b"12345678901234567890".hex()  # RFC 6238's SHA-1 test key


def test_codes_match_rfc_6238_and_django_otp():
    assert totp(RFC_KEY, at=59) == "287082"  # RFC 6238: 94287082, last six digits
    assert totp(RFC_KEY, at=1111111109) == "081804"  # RFC 6238: 07081804
    for moment in (59, 1111111109, 2000000000):
        reference = TOTP(bytes.fromhex(RFC_KEY), step=30, t0=0, digits=6)
        reference.time = moment
        assert totp(RFC_KEY, at=moment) == f"{reference.token():06d}"


PAGE = """
<form method="post" action="/accounts/logout/"><input type="hidden" name="csrfmiddlewaretoken"
  value="t0"></form>
<form method="post">
  <input type="hidden" name="csrfmiddlewaretoken" value="t1">
  <textarea name="statement">
Walk more</textarea>
  <select name="stage"><option value="">Choose</option><option value="action">Action</option>
  </select>
  <select name="dimension"><option value="social">Social</option>
    <option value="physical" selected>Physical</option></select>
  <input type="radio" name="approach" value="harm_reduction">
  <input type="checkbox" name="save_anyway" value="on">
  <input type="checkbox" name="shared" value="yes" checked>
  <input type="submit" name="go" value="Save">
</form>
"""


def test_a_form_is_read_as_a_browser_would_send_it():
    assert form_with(PAGE, "statement") == {
        "csrfmiddlewaretoken": "t1",
        "statement": "Walk more",  # the line break right after <textarea> is not content
        "stage": "",  # nothing selected: the first option, empty or not
        "dimension": "physical",
        "shared": "yes",  # unchecked boxes, unchosen radios and buttons are not sent
    }
