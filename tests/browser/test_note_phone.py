"""A supporter writes a meeting note on a phone: one screen, no sideways scrolling at 360 px."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from alongside.meetings.models import Meeting, Note, NoteStatus
from alongside.plans.models import Goal
from browser.signing_in import sign_in
from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}


def test_a_supporter_writes_and_finalizes_a_note_on_a_phone(page, world):
    Goal.objects.create(
        engagement=world.engagement,
        statement="Walk to the park twice a week, with a friend when I can",
        wellness_dimension="physical",
        created_by=world.supporter,
    )
    meeting = Meeting.objects.create(
        engagement=world.engagement,
        starts_at=timezone.now() - datetime.timedelta(hours=2),
        duration_minutes=45,
        mode="in_person",
        created_by=world.supporter,
    )
    sign_in(page, world.supporter.username, viewport=PHONE)

    page.goto(reverse("notes:write", kwargs={"pk": meeting.pk}))
    width = page.evaluate("document.documentElement.scrollWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "note_form_360.png"), full_page=True)
    assert width <= PHONE["width"], f"the note form scrolls sideways: {width}px wide"

    page.fill("input[name=topics]", "Job interview")
    page.fill("textarea[name=body]", "Talked through Friday's interview.")
    page.get_by_label("Weighing pros and cons").check()
    page.get_by_label("Occupational").check()
    page.get_by_label("Stating a desire to plan").check()
    page.fill("input[name=steps-0-text]", "Print the CV")
    with page.expect_navigation():
        page.get_by_role("button", name="Save and finalize").click()

    note = Note.objects.get(meeting=meeting)
    assert note.status == NoteStatus.FINAL
    assert note.techniques == ["pros_cons"]
    assert note.steps.get().text == "Print the CV"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
