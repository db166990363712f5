"""Pages ask the database the same number of questions whatever the data size."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alongside.assessments.models import Assessment
from alongside.concerns.models import Concern
from alongside.meetings.models import Meeting, Note
from alongside.participants.models import Participant
from alongside.plans.models import Goal
from alongside.referrals.models import Referral
from conftest import open_engagement


def _grow(world, n: int) -> None:
    """Add n participants to Sunny's caseload with history, referrals and concerns."""
    now = timezone.now()
    for i in range(n):
        person = Participant.objects.create(organization=world.org, first_name=f"P{i}")
        engagement = open_engagement(person, world.program, world.supporter)
        engagement.assessment_due_on = timezone.localdate()
        engagement.guideline_ends_on = timezone.localdate()
        engagement.save()
        for day in range(3):
            meeting = Meeting.objects.create(
                engagement=engagement,
                starts_at=now - datetime.timedelta(days=day + 1),
                duration_minutes=30,
                mode="phone",
                created_by=world.supporter,
            )
            Note.objects.create(meeting=meeting, author=world.supporter, body="note")
        Goal.objects.create(
            engagement=engagement,
            statement="goal",
            wellness_dimension="social",
            created_by=world.supporter,
        )
        Referral.objects.create(
            organization=world.org,
            program=world.program,
            participant=person,
            source="self",
            needs="help",
        )
        Concern.objects.create(
            organization=world.org, engagement=engagement, category="other", description="x"
        )
    for day in range(n * 3):
        meeting = Meeting.objects.create(
            engagement=world.engagement,
            starts_at=now - datetime.timedelta(days=day + 1),
            duration_minutes=30,
            mode="phone",
            created_by=world.supporter,
        )
        Note.objects.create(meeting=meeting, author=world.supporter, body="note")
    Assessment.objects.create(
        engagement=world.engagement,
        tier=1,
        rationale="ok",
        assessed_on=timezone.localdate(),
        assessed_by=world.supporter,
    )


PAGES = [
    ("dashboard", "coordinator", False),
    ("dashboard", "supporter", False),
    ("engagements:list", "supporter", False),
    ("engagements:list", "coordinator", False),
    ("engagements:detail", "supporter", True),
    ("engagements:timeline", "supporter", True),
    ("engagements:timeline", "coordinator", True),
    ("referrals:list", "coordinator", False),
    ("referrals:waitlist", "coordinator", False),
    ("concerns:list", "coordinator", False),
    ("portal:home", "participant_user", False),
]


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(("url_name", "persona", "needs_pk"), PAGES)
def test_query_count_does_not_grow_with_data(client, world, url_name, persona, needs_pk):
    client.force_login(getattr(world, persona))
    url = reverse(url_name, kwargs={"pk": world.engagement.pk} if needs_pk else {})
    _grow(world, 2)
    small = _count(client, url)
    _grow(world, 12)
    large = _count(client, url)
    # "Not more": a timeline page may hold fewer kinds of entry (one load each) as it fills.
    assert large <= small, f"{url_name} as {persona}: {small} queries grew to {large}"
    # The engagement page gathers a dozen sections; one more is the access log's
    # per-participant index row (audit.AccessLogParticipant), written with its log row.
    assert small <= 31
