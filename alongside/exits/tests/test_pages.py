"""The exit through the pages: start, the checklist on the engagement page, the (guided)
close, the closure summary PDF for staff and for the participant."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from alongside.audit.models import AccessLog
from alongside.engagements.models import Engagement, State
from alongside.exits.models import ConcludingStep, Exit
from alongside.exits.services import exit_complete, exit_start
from alongside.exits.testing import checklist_done
from alongside.meetings.models import Meeting, Note
from alongside.plans.models import GoalStatus
from alongside.plans.testing import a_goal
from alongside.surveys.testing import installed


def _state(world) -> str:
    return Engagement.objects.get(pk=world.engagement.pk).state


def _detail(client, world) -> str:
    response = client.get(reverse("engagements:detail", args=[world.engagement.pk]))
    assert response.status_code == 200
    return response.content.decode()


def closed(world) -> Engagement:
    exit_start(engagement=world.engagement, actor=world.supporter, reason="goals_met")
    checklist_done(world.engagement, world.supporter)
    exit_complete(engagement=world.engagement, actor=world.supporter)
    return Engagement.objects.get(pk=world.engagement.pk)


# Starting


def test_the_supporter_starts_a_step_down_from_the_page(world, client):
    client.force_login(world.supporter)
    until = timezone.localdate() + datetime.timedelta(days=45)

    response = client.post(
        reverse("exits:start", args=[world.engagement.pk]),
        {
            "kind": "step_down",
            "reason": "goals_met",
            "step_down_per_month": "2",
            "step_down_until": until.isoformat(),
            "note": "Tapering off.",
        },
    )

    assert response.status_code == 302
    exit_ = Exit.objects.get()
    assert (exit_.kind, exit_.step_down_per_month, exit_.step_down_until) == (
        "step_down",
        2,
        until,
    )
    page = _detail(client, world)
    assert "Staged step-down" in page
    assert "2 meetings a month until" in page
    assert "Concluding checklist" in page


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "planned", "reason": "death"},
        {"kind": "abrupt", "reason": "other"},
        {"kind": "step_down", "reason": "goals_met"},
        {"kind": "sideways", "reason": "moved"},
    ],
)
def test_bad_input_on_the_start_page_answers_400_and_starts_nothing(world, client, data):
    client.force_login(world.supporter)

    response = client.post(reverse("exits:start", args=[world.engagement.pk]), data)

    assert response.status_code == 400
    assert not Exit.objects.exists()
    assert _state(world) == State.ACTIVE


def test_the_start_page_shows_the_services_reasons_on_their_fields(world, client):
    client.force_login(world.supporter)

    response = client.post(
        reverse("exits:start", args=[world.engagement.pk]),
        {"kind": "planned", "reason": "death", "step_down_per_month": "2"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["reason"]
    assert "is not a reason for a planned exit" in response.content.decode()
    assert not Exit.objects.exists()


# The checklist on the engagement page


def test_the_engagement_page_shows_the_checklist_and_ticks_a_step(world, client):
    exit_start(engagement=world.engagement, actor=world.supporter, reason="goals_met")
    client.force_login(world.supporter)
    page = _detail(client, world)
    assert "Concluding checklist" in page
    assert reverse("exits:step", args=[world.engagement.pk]) in page
    assert "Still to do before closing" in page

    response = client.post(
        reverse("exits:step", args=[world.engagement.pk]),
        {"step": "growth_reflected", "status": "done", "note": "Proud of the job search."},
    )

    assert response.status_code == 302
    assert response["Location"].endswith("#exit")
    row = ConcludingStep.objects.get()
    assert (row.step, row.note, row.recorded_by) == (
        "growth_reflected",
        "Proud of the job search.",
        world.supporter,
    )
    assert "Proud of the job search." in _detail(client, world)


def test_records_still_in_draft_are_listed_instead_of_a_button(world, client):
    exit_start(engagement=world.engagement, actor=world.supporter, reason="goals_met")
    meeting = Meeting.objects.create(
        engagement=world.engagement,
        created_by=world.supporter,
        starts_at=timezone.now() - datetime.timedelta(days=1),
        mode="phone",
    )
    Note.objects.create(meeting=meeting, author=world.supporter, body="draft")
    client.force_login(world.supporter)

    page = _detail(client, world)

    assert "Finish first:" in page and "Draft note of the meeting on" in page
    refused = client.post(
        reverse("exits:step", args=[world.engagement.pk]),
        {"step": "records_finalized", "status": "done"},
        follow=True,
    )
    assert "Finish these records first" in refused.content.decode()
    assert not ConcludingStep.objects.exists()


def test_a_supervisor_sees_the_checklist_without_buttons_and_cannot_tick(world, client):
    exit_start(engagement=world.engagement, actor=world.supporter, reason="goals_met")
    client.force_login(world.supervisor)

    assert reverse("exits:step", args=[world.engagement.pk]) not in _detail(client, world)
    response = client.post(
        reverse("exits:step", args=[world.engagement.pk]), {"step": "growth_reflected"}
    )
    assert response.status_code == 403
    assert not ConcludingStep.objects.exists()


def test_the_completed_exit_survey_shows_on_the_page(world, client):
    from alongside.surveys.services import response_record

    version = installed("exit-survey")
    exit_start(engagement=world.engagement, actor=world.supporter, reason="goals_met")
    response_record(
        engagement=world.engagement,
        version=version,
        actor=world.supporter,
        method="with_supporter",
        answers={"1": 5, "2": 5, "3": 4, "4": 5, "5": 5},
    )
    client.force_login(world.supporter)

    assert "Exit survey completed" in _detail(client, world)


# Completing


def test_the_complete_page_refuses_with_what_remains_and_closes_nothing(world, client):
    exit_start(engagement=world.engagement, actor=world.supporter, reason="goals_met")
    client.force_login(world.supporter)

    response = client.post(reverse("exits:complete", args=[world.engagement.pk]), {})

    assert response.status_code == 409
    assert "Growth reflected on" in response.content.decode()
    assert _state(world) == State.EXITING


def test_the_guided_close_of_an_abrupt_ending(world, client):
    installed("exit-survey")
    exit_start(engagement=world.engagement, actor=world.supporter, reason="hospitalized")
    client.force_login(world.coordinator)
    url = reverse("exits:complete", args=[world.engagement.pk])
    page = client.get(url).content.decode()
    assert "Guided close" in page and "Could not be done" in page

    data = {"note": "Closed while Pat is in hospital."}
    for step in ConcludingStep.Step.values:
        data[f"status_{step}"] = "not_possible"
        data[f"note_{step}"] = "Pat is in hospital."
    data["status_exit_survey_offered"] = "done"
    data["note_exit_survey_offered"] = ""
    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert _state(world) == State.CLOSED
    assert ConcludingStep.objects.filter(status="not_possible").count() == 5
    # The closed record: the PDF and the reopen button, no more ticking.
    detail = _detail(client, world)
    assert reverse("exits:summary_pdf", args=[world.engagement.pk]) in detail
    assert reverse("exits:reopen", args=[world.engagement.pk]) in detail
    assert reverse("exits:step", args=[world.engagement.pk]) not in detail


def test_not_possible_without_why_in_the_guided_close_is_bad_input(world, client):
    exit_start(engagement=world.engagement, actor=world.supporter, reason="lost_contact")
    client.force_login(world.supporter)

    response = client.post(
        reverse("exits:complete", args=[world.engagement.pk]),
        {"status_growth_reflected": "not_possible", "note_growth_reflected": ""},
    )

    assert response.status_code == 400
    assert not ConcludingStep.objects.exists()
    assert _state(world) == State.EXITING


def test_a_closed_engagement_refuses_a_step_from_the_page(world, client):
    closed(world)
    client.force_login(world.supporter)

    response = client.post(
        reverse("exits:step", args=[world.engagement.pk]),
        {"step": "growth_reflected", "status": "done"},
        follow=True,
    )

    assert "closed" in response.content.decode()
    assert ConcludingStep.objects.filter(step="growth_reflected").get().note == ""


# The closure summary


def test_staff_download_the_closure_summary(world, client):
    goal = a_goal(world.engagement, world.supporter)
    goal.status = GoalStatus.ACHIEVED
    goal.save()
    closed(world)
    client.force_login(world.supporter)

    response = client.get(reverse("exits:summary_pdf", args=[world.engagement.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "Closure summary" in response["Content-Disposition"]
    assert AccessLog.objects.filter(what="closure summary").exists()


def test_the_summary_says_what_was_achieved_and_how_to_come_back(world):
    from alongside.exits.pdf import summary_html

    goal = a_goal(world.engagement, world.supporter)
    goal.status = GoalStatus.ACHIEVED
    goal.save()
    engagement = closed(world)

    html = summary_html(engagement)

    assert goal.statement in html
    assert "If you need help again" in html
    assert world.org.name in html
    assert "Phone" not in html  # the organization gave no way to reach it


def test_the_summary_gives_the_organizations_phone_email_and_address(world):
    from alongside.exits.pdf import summary_html

    world.org.phone, world.org.email = "555-0100", "hello@riverbend.example"
    world.org.address = "12 Mill Street\nRiverbend"
    world.org.save()

    html = summary_html(closed(world))

    assert "555-0100" in html and "hello@riverbend.example" in html
    assert "12 Mill Street<br>Riverbend" in html


def test_there_is_no_summary_before_the_close(world, client):
    client.force_login(world.supporter)

    response = client.get(reverse("exits:summary_pdf", args=[world.engagement.pk]))

    assert response.status_code == 404


def test_the_participant_downloads_their_own_summary_only(world, client):
    closed(world)
    other = world.other_engagement
    exit_start(engagement=other, actor=world.other_supporter, reason="moved")
    checklist_done(other, world.other_supporter)
    exit_complete(engagement=other, actor=world.other_supporter)
    client.force_login(world.participant_user)

    mine = client.get(reverse("exits:portal_summary_pdf", args=[world.engagement.pk]))
    theirs = client.get(reverse("exits:portal_summary_pdf", args=[other.pk]))

    assert mine.status_code == 200 and mine.content.startswith(b"%PDF")
    assert theirs.status_code == 404


@pytest.mark.parametrize("persona", ["supporter", "coordinator", "other_supporter", "outsider"])
def test_staff_cannot_use_the_participants_download(world, client, persona):
    closed(world)
    client.force_login(getattr(world, persona))

    response = client.get(reverse("exits:portal_summary_pdf", args=[world.engagement.pk]))

    assert response.status_code == 403


def test_the_engagement_page_costs_the_same_queries_with_a_full_checklist(
    world, client, django_assert_max_num_queries
):
    exit_start(engagement=world.engagement, actor=world.supporter, reason="hospitalized")
    client.force_login(world.supporter)
    url = reverse("engagements:detail", args=[world.engagement.pk])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(url)
    checklist_done(world.engagement, world.supporter, not_possible_reason="In hospital")

    with django_assert_max_num_queries(len(before)):
        client.get(url)
