"""The team plan worksheet: versioned edits with history, the yearly review, due work."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from alongside.audit.models import AuditEvent
from alongside.core.dates import add_months
from alongside.core.errors import RuleViolation, StaleEdit
from alongside.engagements.models import State
from alongside.engagements.selectors import due_work
from alongside.teamplans.models import TeamPlanWorksheet
from alongside.teamplans.selectors import engagement_section, worksheet_history
from alongside.teamplans.services import worksheet_review, worksheet_save


def _write(engagement, actor, expected_version=0, **changes) -> TeamPlanWorksheet:
    changes.setdefault("channels", ["text", "phone"])
    changes.setdefault("frequency", "Once a week")
    changes.setdefault("boundaries", "No calls after 8 pm\nWe meet in public places")
    return worksheet_save(
        engagement=engagement, actor=actor, expected_version=expected_version, **changes
    )


def _age(worksheet: TeamPlanWorksheet, days: int) -> None:
    reviewed = timezone.localdate() - datetime.timedelta(days=days)
    TeamPlanWorksheet.objects.filter(pk=worksheet.pk).update(
        reviewed_on=reviewed, review_due_on=add_months(reviewed, 12)
    )


def test_writing_it_counts_as_the_first_review_due_again_in_a_year(world):
    worksheet = _write(world.engagement, world.supporter)

    today = timezone.localdate()
    assert worksheet.reviewed_on == today
    assert worksheet.review_due_on == add_months(today, 12)
    assert worksheet.channels == ["phone", "text"]  # in the list's order
    assert worksheet.boundary_list == ["No calls after 8 pm", "We meet in public places"]
    assert worksheet.history.get().history_user == world.supporter
    assert AuditEvent.objects.filter(action="team_plan.created").exists()


def test_an_edit_makes_a_new_version_and_the_history_shows_what_changed(world):
    worksheet = _write(world.engagement, world.supporter)

    edited = _write(world.engagement, world.coordinator, expected_version=1, frequency="Daily")

    assert edited.version == 2
    latest = worksheet_history(worksheet)[0]
    assert latest["who"] == world.coordinator
    assert [(c["before"], c["after"]) for c in latest["changes"]] == [("Once a week", "Daily")]
    assert AuditEvent.objects.get(action="team_plan.updated").data == {"fields": ["frequency"]}


def test_a_stale_edit_is_refused_and_nothing_changes(world):
    _write(world.engagement, world.supporter)
    _write(world.engagement, world.coordinator, expected_version=1, frequency="Daily")

    with pytest.raises(StaleEdit):
        _write(world.engagement, world.supporter, expected_version=1, frequency="Monthly")

    worksheet = TeamPlanWorksheet.objects.get()
    assert (worksheet.version, worksheet.frequency) == (2, "Daily")
    assert worksheet.history.count() == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"channels": []}, "channels"), ({"channels": ["pigeon"]}, "channels")],
)
def test_bad_input_is_refused_and_nothing_is_saved(world, changes, field):
    with pytest.raises(ValidationError) as refused:
        _write(world.engagement, world.supporter, **changes)

    assert field in refused.value.message_dict
    assert not TeamPlanWorksheet.objects.exists()


def test_marking_it_reviewed_moves_the_next_review_a_year_on(world):
    worksheet = _write(world.engagement, world.supporter)
    _age(worksheet, 400)

    reviewed = worksheet_review(worksheet=worksheet, actor=world.supporter, expected_version=1)

    assert reviewed.reviewed_on == timezone.localdate()
    assert reviewed.review_due_on == add_months(timezone.localdate(), 12)
    assert reviewed.version == 2
    assert worksheet_history(worksheet)[0]["reason"] == "reviewed"
    assert AuditEvent.objects.filter(action="team_plan.reviewed").exists()


def test_a_closed_engagement_keeps_its_worksheet_as_it_was(world):
    worksheet = _write(world.engagement, world.supporter)
    world.engagement.state = State.CLOSED
    world.engagement.closed_on = timezone.localdate()
    world.engagement.save()
    worksheet = TeamPlanWorksheet.objects.select_related("engagement").get(pk=worksheet.pk)

    with pytest.raises(RuleViolation, match="closed"):
        worksheet_review(worksheet=worksheet, actor=world.supporter, expected_version=1)
    with pytest.raises(RuleViolation, match="closed"):
        _write(world.engagement, world.supporter, expected_version=1, frequency="Daily")


def test_due_work_lists_overdue_soon_and_missing_worksheets_but_not_fresh_ones(world):
    overdue = _write(world.engagement, world.supporter)
    _age(overdue, 400)
    soon = _write(world.other_engagement, world.other_supporter)
    _age(soon, 350)

    sunny = due_work(world.supporter, world.org)
    cora = due_work(world.coordinator, world.org)

    assert [e.pk for e in sunny["team_plans"]] == [world.engagement.pk]
    assert sunny["team_plans"][0].team_plan_due_on < sunny["today"]
    assert [e.pk for e in cora["team_plans"]] == [world.engagement.pk, world.other_engagement.pk]
    assert cora["team_plans_count"] == 2
    worksheet_review(worksheet=overdue, actor=world.supporter, expected_version=1)
    assert due_work(world.supporter, world.org)["team_plans_count"] == 0


def test_due_work_lists_an_active_engagement_without_a_worksheet(world):
    due = due_work(world.supporter, world.org)

    assert [e.pk for e in due["team_plans"]] == [world.engagement.pk]
    assert due["team_plans"][0].team_plan_due_on is None


def test_the_engagement_section_takes_one_query(world, django_assert_num_queries):
    _write(world.engagement, world.supporter)

    with django_assert_num_queries(1):
        section = engagement_section(world.engagement)
    assert section["team_plan"].frequency == "Once a week"
    assert section["team_plan_review"] == ""


# pages ---------------------------------------------------------------------------------


def _form(version=0, **overrides) -> dict:
    data = {
        "version": version,
        "channels": ["phone", "text"],
        "days_and_hours": "Weekdays 10-4",
        "frequency": "Once a week",
        "language": "en",
        "boundaries": "No calls after 8 pm",
    }
    data.update(overrides)
    return data


def test_a_supporter_writes_reviews_and_reads_the_history_on_the_page(client, world):
    client.force_login(world.supporter)
    edit = reverse("teamplans:edit", args=[world.engagement.pk])
    view = reverse("teamplans:view", args=[world.engagement.pk])

    assert client.post(edit, _form()).status_code == 302
    assert client.post(edit, _form(version=1, frequency="Twice a week")).status_code == 302
    response = client.post(reverse("teamplans:review", args=[world.engagement.pk]), {"version": 2})
    assert response.status_code == 302
    page = client.get(view).content.decode()

    assert "History of changes" in page
    assert "Once a week → Twice a week" in page
    assert "reviewed" in page
    assert TeamPlanWorksheet.objects.get().version == 3


def test_bad_input_on_the_page_shows_errors_and_saves_nothing(client, world):
    client.force_login(world.supporter)

    response = client.post(
        reverse("teamplans:edit", args=[world.engagement.pk]), _form(channels=[])
    )

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not TeamPlanWorksheet.objects.exists()


def test_a_stale_review_is_refused_with_a_message(client, world):
    _write(world.engagement, world.supporter, frequency="Daily")
    _write(world.engagement, world.coordinator, expected_version=1, frequency="Weekly")
    client.force_login(world.supporter)

    response = client.post(
        reverse("teamplans:review", args=[world.engagement.pk]), {"version": 1}, follow=True
    )

    assert "Someone else changed" in response.content.decode()
    assert TeamPlanWorksheet.objects.get().version == 2


def test_the_participant_sees_the_worksheet_in_the_portal(client, world):
    _write(world.engagement, world.supporter)
    client.force_login(world.participant_user)

    page = client.get(reverse("portal:home")).content.decode()

    assert "How we keep in touch" in page
    assert "No calls after 8 pm" in page


@pytest.mark.parametrize(
    ("persona", "read", "write"),
    [
        ("coordinator", 200, 200),
        ("supervisor", 200, 403),
        ("supporter", 200, 200),
        ("other_supporter", 404, 404),
        ("admin", 403, 403),
        ("participant_user", 403, 403),
        ("outsider", 404, 404),
    ],
)
def test_who_reaches_the_worksheet_pages(client, world, persona, read, write):
    _write(world.engagement, world.supporter)
    client.force_login(getattr(world, persona))
    pk = world.engagement.pk

    assert client.get(reverse("teamplans:view", args=[pk])).status_code == read
    assert client.get(reverse("teamplans:edit", args=[pk])).status_code == write
    review = client.post(reverse("teamplans:review", args=[pk]), {"version": 1})
    assert review.status_code == (302 if write == 200 else write)
    assert TeamPlanWorksheet.objects.get().version == (2 if write == 200 else 1)


# Agreed days and hours, as data (reminders and boundary prompts read them)


def test_agreed_days_and_hours_are_kept_as_data(world):
    worksheet = _write(
        world.engagement,
        world.supporter,
        contact_days=[4, "0", 0, 2],
        contact_from=datetime.time(10),
        contact_until=datetime.time(16),
        reminders_ok=False,
    )
    assert worksheet.contact_days == [0, 2, 4]
    assert worksheet.day_labels() == ["Mon", "Wed", "Fri"]
    assert (worksheet.contact_from, worksheet.contact_until) == (
        datetime.time(10),
        datetime.time(16),
    )
    assert worksheet.reminders_ok is False


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"contact_days": [7]}, "days of the week"),
        ({"contact_days": ["Monday"]}, "days of the week"),
        (
            {"contact_from": datetime.time(9), "contact_until": datetime.time(9)},
            "start and end at the same time",
        ),
    ],
)
def test_agreed_hours_that_make_no_sense_are_refused(world, changes, message):
    with pytest.raises(RuleViolation, match=message):
        _write(world.engagement, world.supporter, **changes)
    assert not TeamPlanWorksheet.objects.exists()


def test_the_page_takes_days_and_hours(client, world):
    client.force_login(world.supporter)
    edit = reverse("teamplans:edit", args=[world.engagement.pk])
    form = _form(contact_days=["1", "3"], contact_from="18:00", contact_until="20:30")
    assert client.post(edit, form).status_code == 302
    worksheet = TeamPlanWorksheet.objects.get()
    assert worksheet.contact_days == [1, 3]
    assert worksheet.contact_until == datetime.time(20, 30)
    page = client.get(reverse("teamplans:view", args=[world.engagement.pk])).content.decode()
    assert "Tue, Thu" in page

    same = client.post(
        edit, _form(version=worksheet.version, contact_from="09:00", contact_until="09:00")
    )
    assert same.status_code == 409
    assert "must not start and end at the same time" in same.content.decode()
    # Only a start ("after 2 pm") is an agreement too.
    after_two = _form(version=worksheet.version, contact_from="14:00", contact_until="")
    assert client.post(edit, after_two).status_code == 302
    assert TeamPlanWorksheet.objects.get().contact_until is None
