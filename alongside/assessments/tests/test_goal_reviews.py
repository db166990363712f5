"""Periodic goal reviews between assessments, and the list of those due."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from alongside.assessments.models import GoalReview
from alongside.assessments.selectors import goal_reviews_due
from alongside.assessments.services import goal_review_record
from alongside.assessments.testing import an_assessment, days_ago
from alongside.audit.models import AccessLog, AuditEvent
from alongside.core.dates import add_months
from alongside.core.errors import RuleViolation
from alongside.core.permissions import engagements_visible_to
from alongside.engagements.models import Engagement, State
from alongside.engagements.testing import conversations_and_worksheet


def test_a_review_moves_the_next_one_by_the_programs_interval(world):
    version = Engagement.objects.get(pk=world.engagement.pk).version

    review = goal_review_record(
        engagement=world.engagement, actor=world.supporter, note="  Two goals moved.  "
    )

    assert review.note == "Two goals moved." and review.reviewed_on == timezone.localdate()
    engagement = Engagement.objects.get(pk=world.engagement.pk)
    assert engagement.goal_review_due_on == add_months(timezone.localdate(), 3)
    assert engagement.version == version  # a derived date: others' copies stay current
    assert AuditEvent.objects.filter(action="goal_review.recorded").count() == 1


def test_a_back_dated_review_does_not_pull_the_due_date_back(world):
    goal_review_record(engagement=world.engagement, actor=world.supporter)

    goal_review_record(engagement=world.engagement, actor=world.supporter, reviewed_on=days_ago(9))

    world.engagement.refresh_from_db()
    assert world.engagement.goal_review_due_on == add_months(timezone.localdate(), 3)


def test_a_program_without_reviews_has_no_due_date(world):
    world.program.goal_review_interval_months = 0
    world.program.save()

    goal_review_record(engagement=world.engagement, actor=world.supporter)

    world.engagement.refresh_from_db()
    assert world.engagement.goal_review_due_on is None


def test_an_assessment_counts_as_a_goal_review(world):
    goal_review_record(engagement=world.engagement, actor=world.supporter, reviewed_on=days_ago(9))

    an_assessment(world.engagement, world.supporter)

    world.engagement.refresh_from_db()
    assert world.engagement.goal_review_due_on == add_months(timezone.localdate(), 3)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"reviewed_on": timezone.localdate() + datetime.timedelta(days=1)}, "future"),
        ({"reviewed_on": days_ago(31)}, "before the engagement started"),
    ],
)
def test_it_refuses_impossible_dates(world, change, words):
    with pytest.raises(RuleViolation, match=words):
        goal_review_record(engagement=world.engagement, actor=world.supporter, **change)

    assert not GoalReview.objects.exists()


@pytest.mark.parametrize(("state", "words"), [("onboarding", "active"), ("closed", "closed")])
def test_it_reviews_only_active_or_exiting_engagements(world, state, words):
    Engagement.objects.filter(pk=world.engagement.pk).update(state=state)
    world.engagement.refresh_from_db()

    with pytest.raises(RuleViolation, match=words):
        goal_review_record(engagement=world.engagement, actor=world.supporter)


def test_reviews_due_within_30_days_or_overdue_of_open_engagements(world):
    today = timezone.localdate()
    Engagement.objects.filter(pk=world.engagement.pk).update(goal_review_due_on=today)
    Engagement.objects.filter(pk=world.other_engagement.pk).update(
        goal_review_due_on=today - datetime.timedelta(days=40)
    )
    Engagement.objects.filter(pk=world.foreign_engagement.pk).update(goal_review_due_on=today)

    coordinator = goal_reviews_due(engagements_visible_to(world.coordinator, world.org), today)
    sunny = goal_reviews_due(engagements_visible_to(world.supporter, world.org), today)
    later = goal_reviews_due(
        engagements_visible_to(world.coordinator, world.org), today - datetime.timedelta(days=31)
    )

    assert list(coordinator) == [world.other_engagement, world.engagement]
    assert list(sunny) == [world.engagement]
    assert list(later) == [world.other_engagement]


def test_closed_engagements_and_far_off_reviews_are_not_due(world):
    today = timezone.localdate()
    Engagement.objects.filter(pk=world.engagement.pk).update(
        goal_review_due_on=today + datetime.timedelta(days=31)
    )
    Engagement.objects.filter(pk=world.other_engagement.pk).update(
        goal_review_due_on=today, state=State.CLOSED, closed_on=today
    )

    assert not goal_reviews_due(engagements_visible_to(world.coordinator, world.org), today)


def test_the_dashboard_lists_goal_reviews_due_as_work(client, world):
    today = timezone.localdate()
    Engagement.objects.filter(pk=world.engagement.pk).update(
        goal_review_due_on=today - datetime.timedelta(days=3)
    )
    # A fresh team plan worksheet: the goal review is the only due work that shows Pat.
    conversations_and_worksheet(world.engagement, world.supporter)
    client.force_login(world.coordinator)

    response = client.get(reverse("dashboard"))

    assert response.status_code == 200
    assert "1 goal review due within 30 days" in response.content.decode()
    assert f"/engagements/{world.engagement.pk}/#goal-reviews" in response.content.decode()
    assert response.context["due"]["goal_reviews"] == [world.engagement]
    # Showing the participant on the dashboard is a read of their record.
    logged = AccessLog.objects.filter(actor=world.coordinator, what="dashboard").get()
    assert world.participant.pk in logged.participant_ids
