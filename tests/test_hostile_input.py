"""Hostile input through the main forms over HTTP: script tags, SQL fragments, Unicode edge
cases and very long text never answer 500; refused input changes nothing; accepted text
comes back escaped on the page that shows it. Huge bodies and uploads are refused (4xx)
with a message.

Hypothesis runs a small, derandomized number of examples per form, so the run is short and
the same every time.
"""

from __future__ import annotations

import datetime
import urllib.parse

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alongside.agreements.scans import SCAN_MAX_BYTES
from alongside.concerns.models import Concern
from alongside.meetings.models import Meeting, Note
from alongside.plans.models import Goal
from alongside.referrals.models import Referral

NASTY = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</textarea><script>alert(document.cookie)</script>",
    "javascript:alert(1)",
    "{{ 7*7 }} {% debug %}",
    "'; DROP TABLE participants_participant; --",
    "1' OR '1'='1",
    "Robert'); DELETE FROM referrals_referral WHERE ('1'='1",
    "\u202eevil\u202c name",  # right-to-left override
    "zero\u200bwidth\u200d\ufeffjoiners",
    "nul\x00byte",
    "control\x01\x07\x1bchars",
    "combining e\u0301\u0301\u0301\u0301",
    "emoji 👩🏽‍🦱🏳️‍🌈",
    "\U0010ffff\U000e0001 planes",
    "line\r\nbreak\u2028separator",
    "x" * 5000,
]
# Markers that only appear in a page if the text was not escaped.
UNESCAPED = ("<script>alert", "<img src=x", "</textarea><script")
EXAMPLES = settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
hostile = st.one_of(
    st.sampled_from(NASTY),
    st.text(min_size=1, max_size=200),
    st.builds(lambda a, b: a + b, st.sampled_from(NASTY), st.text(max_size=40)),
)
# Logs of who read what, sessions and rate-limit rows change on any request.
NOT_CONTENT = {"audit.AccessLog", "audit.AccessLogParticipant", "audit.AuditEvent"}


def _counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.label not in NOT_CONTENT
        and model._meta.app_label not in {"sessions", "axes", "otp_totp", "otp_static"}
    }


def _check(client, response, before, shown_at, value):
    """No 500; refused: nothing changed; accepted: the page escapes it."""
    assert response.status_code < 500, (response.status_code, value)
    if response.status_code != 302:  # refused: the form again (the public page says 200)
        assert _counts() == before, value
        page = response.content.decode()
    else:
        shown = client.get(shown_at())
        assert shown.status_code == 200, value
        page = shown.content.decode()
    for marker in UNESCAPED:
        assert marker not in page, (marker, value)


def _post_raw(client, url, data: dict, surrogate_field: str):
    """A body with a lone surrogate (invalid UTF-8), which no client library would encode."""
    body = urllib.parse.urlencode(data, doseq=True) + f"&{surrogate_field}=a%ED%A0%80b"
    return client.generic("POST", url, body, content_type="application/x-www-form-urlencoded")


# --- the public referral page --------------------------------------------------------

REFERRAL_TEXT = [
    "first_name",
    "last_name",
    "preferred_name",
    "pronouns",
    "contact_notes",
    "needs",
    "meeting_place",
    "phone",
    "email",
]


def _referral(world, **changes) -> dict:
    data = {
        "kind": "self",
        "first_name": "Robin",
        "last_name": "Díaz",
        "preferred_language": "es",
        "phone": "(555) 010-2233",
        "email": "robin@example.org",
        "contact_channel": "text",
        "contact_notes": "Weekdays after 3 pm",
        "program": world.program.pk,
        "needs": "Someone who has been through early recovery.",
        "remote_ok": "on",
        "urgency": "soon",
        "website": "",
    }
    data.update(changes)
    return data


@EXAMPLES
@given(field=st.sampled_from(REFERRAL_TEXT), value=hostile)
def test_the_public_referral_page_survives_hostile_text(client, world, field, value):
    cache.clear()  # the page's rate limit counts in the cache
    url = reverse("referrals:public", kwargs={"slug": world.org.slug})
    before = _counts()
    client.logout()
    response = client.post(url, _referral(world, **{field: value}))

    def shown_at():
        client.force_login(world.coordinator)
        return reverse("referrals:detail", args=[Referral.objects.latest("pk").pk])

    _check(client, response, before, shown_at, value)


def test_the_public_referral_page_survives_invalid_utf8(client, world):
    url = reverse("referrals:public", kwargs={"slug": world.org.slug})
    data = _referral(world)
    del data["needs"]
    response = _post_raw(client, url, data, "needs")
    assert response.status_code < 500


# --- notes ---------------------------------------------------------------------------


def _note_form(version: int, **fields) -> dict:
    data = {
        "version": version,
        "topics": "Job interview",
        "body": "Talked about the interview on Friday.",
        "steps-TOTAL_FORMS": 1,
        "steps-INITIAL_FORMS": 0,
        "steps-MIN_NUM_FORMS": 0,
        "steps-MAX_NUM_FORMS": 20,
        "steps-0-owner": "participant",
    }
    data.update(fields)
    return data


@pytest.fixture
def meeting(world):
    return Meeting.objects.create(
        engagement=world.engagement,
        starts_at=timezone.now() - datetime.timedelta(hours=3),
        duration_minutes=50,
        mode="in_person",
        created_by=world.supporter,
    )


@EXAMPLES
@given(field=st.sampled_from(["topics", "body", "steps-0-text"]), value=hostile)
def test_the_note_form_survives_hostile_text(client, world, meeting, field, value):
    client.force_login(world.supporter)
    note = Note.objects.filter(meeting=meeting).first()
    before = _counts()
    response = client.post(
        reverse("notes:write", args=[meeting.pk]),
        _note_form(note.version if note else 0, **{field: value}),
    )
    _check(client, response, before, lambda: reverse("notes:detail", args=[meeting.pk]), value)


# --- goals ---------------------------------------------------------------------------

GOAL_TEXT = ["statement", "why_it_matters", "strengths", "measure", "stage_note"]


@EXAMPLES
@given(field=st.sampled_from(GOAL_TEXT), value=hostile)
def test_the_goal_form_survives_hostile_text(client, world, field, value):
    client.force_login(world.supporter)
    before = _counts()
    data = {
        "statement": "Drink less on weekdays",
        "approach": "harm_reduction",
        "wellness_dimension": "physical",
        "measure": "Dry weekdays in the diary",
        "stage": "contemplation",
        field: value,
    }
    response = client.post(reverse("plans:goal_create", args=[world.engagement.pk]), data)
    _check(
        client,
        response,
        before,
        lambda: reverse("plans:goal_detail", args=[Goal.objects.latest("pk").pk]),
        value,
    )


# --- concerns ------------------------------------------------------------------------


@EXAMPLES
@given(value=hostile)
def test_the_concern_form_survives_hostile_text(client, world, value):
    client.force_login(world.supporter)
    before = _counts()
    response = client.post(
        reverse("concerns:create"),
        {"category": "safety", "urgency": "normal", "description": value},
    )

    def shown_at():
        client.force_login(world.coordinator)
        return reverse("concerns:detail", args=[Concern.objects.latest("pk").pk])

    _check(client, response, before, shown_at, value)


# --- a participant's details ---------------------------------------------------------

DETAIL_TEXT = ["first_name", "last_name", "preferred_name", "pronouns", "phone", "email"]


@EXAMPLES
@given(field=st.sampled_from(DETAIL_TEXT), value=hostile)
def test_the_details_form_survives_hostile_text(client, world, field, value):
    client.force_login(world.supporter)
    world.participant.refresh_from_db()
    before = _counts()
    data = {
        "version": world.participant.version,
        "first_name": "Pat",
        "last_name": "Rivera",
        "preferred_language": "en",
        field: value,
    }
    response = client.post(reverse("participants:edit", args=[world.participant.pk]), data)
    _check(
        client,
        response,
        before,
        lambda: reverse("engagements:detail", args=[world.engagement.pk]),
        value,
    )


# --- huge bodies and uploads ---------------------------------------------------------


def test_a_body_beyond_the_upload_limit_is_a_400_not_a_500(client, world, meeting, settings):
    client.force_login(world.supporter)
    before = _counts()
    huge = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post(reverse("notes:write", args=[meeting.pk]), _note_form(0, body=huge))
    assert response.status_code == 400
    assert _counts() == before


def test_a_scan_over_the_size_limit_is_refused_with_a_message(client, world):
    client.force_login(world.supporter)
    before = _counts()
    big = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n" + b"0" * SCAN_MAX_BYTES)
    response = client.post(
        reverse("agreements:record", args=[world.engagement.pk]),
        {
            "template": world.release.pk,
            "signer_name": "Ana Rivera",
            "role": "guardian",
            "relationship": "Mother",
            "signed_on": timezone.localdate().isoformat(),
            "scan": big,
        },
    )
    # The size rule is the service's (409, as every refused rule); the form keeps the message.
    assert response.status_code in (400, 409, 413)
    assert "too large" in response.content.decode()
    assert _counts() == before


def test_a_request_over_the_site_limit_is_refused_before_it_is_read(
    client, world, meeting, settings
):
    settings.ALONGSIDE_MAX_REQUEST_BYTES = 4096
    client.force_login(world.supporter)
    before = _counts()
    page = client.post(reverse("notes:write", args=[meeting.pk]), _note_form(0, body="x" * 5000))
    api = client.generic("POST", "/api/v1/goals", b"{" + b" " * 5000 + b"}", "application/json")
    assert page.status_code == 413
    assert "too large (at most" in page.content.decode()
    assert api.status_code == 413
    assert "too large" in api.json()["detail"]
    assert _counts() == before


def test_the_site_limit_leaves_room_for_the_largest_scan(settings):
    assert settings.ALONGSIDE_MAX_REQUEST_BYTES > SCAN_MAX_BYTES + 64 * 1024
