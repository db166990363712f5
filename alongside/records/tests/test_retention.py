"""The retention purge: who is due, what goes, what stays, and who may run it."""

from __future__ import annotations

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.models import User
from alongside.agreements.services import document_record_paper
from alongside.audit.models import AccessLog, AuditEvent
from alongside.concerns.models import Concern
from alongside.core.errors import RuleViolation
from alongside.engagements.models import Engagement, State
from alongside.meetings.models import Meeting, Note
from alongside.meetings.notes import note_save
from alongside.participants.models import Participant
from alongside.plans.models import Goal
from alongside.records.retention import retention_plan, retention_purge
from conftest import open_engagement

TODAY = timezone.localdate()
LONG_AGO = TODAY - datetime.timedelta(days=365 * 8)
NOTE_TEXT = "Talked about the new job and the bus pass."


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


def _close_long_ago(engagement: Engagement, closed_on: datetime.date = LONG_AGO) -> None:
    Engagement.objects.filter(pk=engagement.pk).update(
        state=State.CLOSED,
        started_on=closed_on - datetime.timedelta(days=200),
        activated_on=None,
        closed_on=closed_on,
    )


def _created_long_ago(participant: Participant) -> None:
    Participant.objects.filter(pk=participant.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=365 * 10)
    )


@pytest.fixture
def past(world):
    """Pat's support ended eight years ago, with a note, a goal, a scan and a concern;
    Riverbend keeps records seven years. Quinn is still in support."""
    world.org.retention_years = 7
    world.org.save()
    meeting = Meeting.objects.create(
        engagement=world.engagement,
        created_by=world.supporter,
        starts_at=timezone.now() - datetime.timedelta(days=3000),
        duration_minutes=45,
        mode="in_person",
    )
    note_save(meeting=meeting, actor=world.supporter, expected_version=0, body=NOTE_TEXT)
    kept_goal = Goal.objects.create(
        engagement=world.engagement,
        statement="Take the bus to work",
        wellness_dimension="occupational",
        created_by=world.supporter,
    )
    dropped_goal = Goal.objects.create(
        engagement=world.engagement,
        statement="Call my sister",
        wellness_dimension="social",
        created_by=world.supporter,
    )
    dropped_goal.delete()  # its history stays behind, and must go with the rest
    scan = document_record_paper(
        engagement=world.engagement,
        version=world.release.current,
        signer_name="Ana Rivera",
        role="guardian",
        relationship="Mother",
        signed_on=TODAY,
        actor=world.supporter,
        scan=SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"),
    )
    Concern.objects.create(
        organization=world.org,
        engagement=world.engagement,
        raised_by=world.participant_user,
        category="service",
        description="Meetings keep being moved.",
        status="resolved",
        resolved_at=timezone.now() - datetime.timedelta(days=365 * 8),
    )
    _close_long_ago(world.engagement)
    _created_long_ago(world.participant)
    world.note = meeting.note
    world.kept_goal, world.dropped_goal_pk = kept_goal, dropped_goal.pk
    world.scan_path = Path(settings.PRIVATE_FILES_DIR) / scan.scan.name
    assert world.scan_path.exists()
    return world


def test_the_dry_run_lists_who_and_what_and_changes_nothing(past):
    before = _row_counts()
    plan = retention_purge(past.org, past.admin, dry_run=True)
    assert plan.participant_ids == [past.participant.pk]
    assert plan.counts["participants.Participant"] == 1
    assert plan.counts["meetings.Note"] == 1
    assert plan.counts["meetings.Note (history)"] >= 1
    assert plan.counts["plans.Goal (history)"] >= 2  # the kept goal's and the dropped one's
    assert plan.files == 1
    assert _row_counts() == before
    assert past.scan_path.exists()


def test_a_purge_deletes_rows_history_and_files_and_records_counts_only(
    past, django_capture_on_commit_callbacks
):
    pat, quinn = past.participant, past.other_participant
    kept = {
        "quinn": Participant.objects.filter(pk=quinn.pk).count(),
        "quinn engagements": Engagement.objects.filter(participant=quinn).count(),
        "access log": AccessLog.objects.count(),
    }
    with django_capture_on_commit_callbacks(execute=True):  # files go after the commit
        plan = retention_purge(past.org, past.admin, dry_run=False)
    assert plan.participant_ids == [pat.pk]
    assert not Participant.objects.filter(pk=pat.pk).exists()
    assert not Participant.history.filter(id=pat.pk).exists()
    assert not Engagement.objects.filter(participant_id=pat.pk).exists()
    assert not Engagement.history.filter(participant_id=pat.pk).exists()
    assert not Note.objects.filter(pk=past.note.pk).exists()
    assert not Note.history.filter(id=past.note.pk).exists()
    assert not Goal.history.filter(id__in=[past.kept_goal.pk, past.dropped_goal_pk]).exists()
    assert not Concern.objects.filter(engagement_id=past.engagement.pk).exists()
    assert not past.scan_path.exists()
    # Nobody else's records, and the append-only access log, are touched.
    assert Participant.objects.filter(pk=quinn.pk).count() == kept["quinn"]
    assert Engagement.objects.filter(participant=quinn).count() == kept["quinn engagements"]
    assert AccessLog.objects.count() == kept["access log"]
    # The portal sign-in stays (audit rows name it) but says nothing and opens nothing.
    user = User.objects.get(pk=past.participant_user.pk)
    assert (user.username, user.first_name, user.last_name, user.is_active) == (
        f"purged-{user.pk}",
        "",
        "",
        False,
    )
    assert not user.has_usable_password()
    assert not user.memberships.exists() if hasattr(user, "memberships") else True
    event = AuditEvent.objects.get(action="retention.purged")
    assert event.data["participants"] == 1
    assert event.data["counts"]["meetings.Note"] == 1
    assert NOTE_TEXT not in str(event.data) and "Rivera" not in str(event.data)
    # Nothing is left due.
    assert retention_plan(past.org).participant_ids == []


def test_nothing_inside_the_period_is_touched(past):
    _close_long_ago(past.engagement, TODAY - datetime.timedelta(days=365 * 6))
    before = _row_counts()
    plan = retention_purge(past.org, past.admin, dry_run=False)
    assert plan.participant_ids == []
    after = _row_counts()
    after["audit.AuditEvent"] -= 1  # the purge's own record
    assert after == before


def test_an_open_engagement_protects_the_participant(past):
    open_engagement(past.participant, past.respite, past.supporter)
    assert retention_plan(past.org).participant_ids == []


def test_an_open_concern_protects_the_participant(past):
    Concern.objects.create(
        organization=past.org,
        engagement=past.engagement,
        category="service",
        description="Still looking into it.",
    )
    assert retention_plan(past.org).participant_ids == []


def test_no_period_set_purges_nothing(past):
    past.org.retention_years = None
    past.org.save()
    with pytest.raises(RuleViolation):
        retention_purge(past.org, past.admin, dry_run=False)
    assert Participant.objects.filter(pk=past.participant.pk).exists()


def test_a_confirmation_of_a_different_set_is_refused(past):
    fingerprint = retention_plan(past.org).fingerprint
    other = Participant.objects.create(organization=past.org, first_name="Old", last_name="Timer")
    engagement = open_engagement(other, past.program, past.other_supporter)
    _close_long_ago(engagement)
    _created_long_ago(other)
    with pytest.raises(RuleViolation):
        retention_purge(past.org, past.admin, dry_run=False, expected=fingerprint)
    assert Participant.objects.filter(pk=past.participant.pk).exists()


def test_the_page_shows_the_dry_run_then_purges_on_confirmation(client, past):
    client.force_login(past.admin)
    url = reverse("records:retention")
    page = client.get(url)
    assert page.status_code == 200
    assert f"#{past.participant.pk}" in page.content.decode()
    assert NOTE_TEXT not in page.content.decode()
    fingerprint = page.context["form"].initial["fingerprint"]
    unconfirmed = client.post(url, {"fingerprint": fingerprint})
    assert unconfirmed.status_code == 400
    assert Participant.objects.filter(pk=past.participant.pk).exists()
    done = client.post(url, {"fingerprint": fingerprint, "confirm": "on"})
    assert done.status_code == 302
    assert not Participant.objects.filter(pk=past.participant.pk).exists()


def test_the_page_refuses_a_set_that_changed_since_the_dry_run(client, past):
    client.force_login(past.admin)
    response = client.post(
        reverse("records:retention"), {"fingerprint": "0" * 32, "confirm": "on"}
    )
    assert response.status_code == 409
    assert Participant.objects.filter(pk=past.participant.pk).exists()


@pytest.mark.parametrize("persona", ["coordinator", "supporter", "participant_user", "outsider"])
def test_only_an_organization_admin_reaches_the_page(client, past, persona):
    client.force_login(getattr(past, persona))
    url = reverse("records:retention")
    assert client.get(url).status_code == 403
    assert client.post(url, {"fingerprint": "x", "confirm": "on"}).status_code == 403
    assert Participant.objects.filter(pk=past.participant.pk).exists()


def test_the_command_dry_runs_unless_told_yes(past):
    out = StringIO()
    call_command("retention_purge", "--organization", "riverbend", stdout=out)
    assert "Dry run: would purge 1 participant(s)" in out.getvalue()
    assert Participant.objects.filter(pk=past.participant.pk).exists()
    out = StringIO()
    call_command("retention_purge", "--organization", "riverbend", "--yes", stdout=out)
    assert "Purged 1 participant(s)" in out.getvalue()
    assert not Participant.objects.filter(pk=past.participant.pk).exists()
    with pytest.raises(CommandError):
        call_command("retention_purge", "--organization", "nowhere")


def test_a_link_to_another_participants_record_stops_the_purge(past):
    """An engagement of Quinn's marked as following Pat's must not be deleted with Pat's."""
    Engagement.objects.filter(pk=past.other_engagement.pk).update(previous=past.engagement)
    with pytest.raises(RuleViolation, match="another participant"):
        retention_plan(past.org)
    assert Engagement.objects.filter(pk=past.other_engagement.pk).exists()


def test_the_page_says_why_when_the_dry_run_is_blocked(client, past):
    Engagement.objects.filter(pk=past.other_engagement.pk).update(previous=past.engagement)
    client.force_login(past.admin)
    page = client.get(reverse("records:retention"))
    assert page.status_code == 200
    assert "another participant" in page.content.decode()
    assert "Purge these records" not in page.content.decode()


def _gone_long_ago(world, name: str) -> Participant:
    person = Participant.objects.create(organization=world.org, first_name=name)
    engagement = open_engagement(person, world.program, world.other_supporter)
    meeting = Meeting.objects.create(
        engagement=engagement,
        created_by=world.other_supporter,
        starts_at=timezone.now() - datetime.timedelta(days=3000),
        duration_minutes=30,
        mode="phone",
    )
    note_save(meeting=meeting, actor=world.other_supporter, expected_version=0, body="Met.")
    _close_long_ago(engagement)
    _created_long_ago(person)
    return person


def test_the_dry_runs_queries_do_not_grow_with_the_participants_due(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    world.org.retention_years = 7
    world.org.save()
    for name in ("Ann", "Bea"):
        _gone_long_ago(world, name)
    with CaptureQueriesContext(connection) as few:
        assert len(retention_plan(world.org).participant_ids) == 2
    for name in ("Cal", "Dee", "Eve", "Fay"):
        _gone_long_ago(world, name)
    with CaptureQueriesContext(connection) as more:
        assert len(retention_plan(world.org).participant_ids) == 6
    assert len(more) == len(few)
