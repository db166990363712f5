"""The whole journey through the web pages, as the personas would walk it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from alongside.agreements.testing import signing_form
from alongside.audit.models import AccessLog
from alongside.concerns.models import Concern
from alongside.engagements.models import Engagement, State
from alongside.exits.models import ConcludingStep
from alongside.meetings.models import Meeting, Note
from alongside.referrals.models import Referral, Status
from alongside.surveys.services import instruments_install
from conftest import PASSWORD


def _minutes_ago(minutes: int) -> str:
    return (timezone.localtime() - datetime.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")


def _record_referral(client, world) -> Referral:
    response = client.post(
        reverse("referrals:create"),
        {
            "person-first_name": "Robin",
            "person-last_name": "Vale",
            "person-preferred_language": "es",
            "person-phone": "555-0100",
            "referral-program": world.program.pk,
            "referral-source": "clinic",
            "referral-source_detail": "Eastside Clinic",
            "referral-needs": "Support after leaving residential treatment.",
            "referral-preferred_language": "es",
            "referral-supporter_gender_preference": "woman",
            "referral-lived_experience_wanted": ["substance_use"],
            "referral-urgency": "soon",
            "referral-contact_channel": "phone",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Referral.objects.get(participant__first_name="Robin")


def test_referral_to_exit_through_the_pages(client, world):
    client.force_login(world.coordinator)
    referral = _record_referral(client, world)
    assert referral.status == Status.NEW

    response = client.post(reverse("referrals:detail", args=[referral.pk]), {"decision": "accept"})
    assert response["Location"] == reverse("matching:suggest", args=[referral.pk])

    page = client.get(reverse("matching:suggest", args=[referral.pk]))
    body = page.content.decode()
    # Sunny speaks Spanish and shares substance use experience: she ranks first, with reasons.
    assert body.index("Sunny") < body.index("Omar")
    assert "speaks Spanish" in body and "lived experience: Substance use" in body
    assert "no shared language" in body

    response = client.post(
        reverse("matching:suggest", args=[referral.pk]), {"supporter": world.supporter.pk}
    )
    engagement = Engagement.objects.get(referral=referral)
    assert response["Location"] == reverse("engagements:detail", args=[engagement.pk])
    assert engagement.state == State.ONBOARDING

    # The supporter takes it from here.
    client.force_login(world.supporter)
    detail = reverse("engagements:detail", args=[engagement.pk])
    client.post(reverse("engagements:transition", args=[engagement.pk]), {"to": "active"})
    engagement.refresh_from_db()
    assert engagement.state == State.ONBOARDING
    page = client.get(detail).content.decode()
    assert "Before activating, complete:" in page
    assert "Release of Liability" in page

    response = client.post(
        reverse("meetings:create", args=[engagement.pk]),
        {
            "starts_at": _minutes_ago(90),
            "duration_minutes": 45,
            "mode": "in_person",
            "status": "held",
            "note_body": "First meeting: talked about what support could look like.",
        },
    )
    assert response.status_code == 302
    for kind in (world.release, world.contract):
        response = client.post(
            reverse("agreements:record", args=[engagement.pk]),
            {
                "template": kind.pk,
                "signer_name": "Robin Vale",
                "role": "participant",
                "signed_on": timezone.localdate().isoformat(),
            },
        )
        assert response.status_code == 302
    # The contract is signed by the supporter too: Sunny signs it on her own device.
    response = client.post(
        reverse("agreements:sign_in_person", args=[engagement.pk, world.contract.pk, "supporter"]),
        signing_form(
            engagement,
            world.contract,
            world.supporter,
            "supporter",
            typed_name="Sunny Demo",
            password=PASSWORD,
        ),
    )
    assert response.status_code == 302
    response = client.post(
        reverse("emergencyplans:edit", args=[engagement.pk]),
        {
            "based_on": 0,
            "warning_signs": "Stops answering the phone; stops eating.",
            "contact-TOTAL_FORMS": 1,
            "contact-INITIAL_FORMS": 0,
            "contact-0-name": "Maria",
            "contact-0-relationship": "sister",
            "contact-0-phone": "555-0101",
            "contact-0-outside_team": "on",
            "line-TOTAL_FORMS": 1,
            "line-INITIAL_FORMS": 0,
            "line-0-name": "988 Suicide & Crisis Lifeline",
            "line-0-phone": "988",
        },
    )
    assert response.status_code == 302
    for step in ("process_explained", "rights_explained"):
        response = client.post(
            reverse("engagements:onboarding_step", args=[engagement.pk]), {"step": step}
        )
        assert response.status_code == 302
    response = client.post(
        reverse("teamplans:edit", args=[engagement.pk]),
        {
            "version": 0,
            "channels": ["phone", "text"],
            "days_and_hours": "Weekdays 10-4",
            "frequency": "Once a week",
            "language": "es",
            "boundaries": "No calls after 9 pm.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.post(
        reverse("engagements:transition", args=[engagement.pk]),
        {"to": "active", "reason": "Agreements signed"},
    )
    engagement.refresh_from_db()
    assert engagement.state == State.ACTIVE
    assert engagement.assessment_due_on is not None

    response = client.post(
        reverse("plans:goal_create", args=[engagement.pk]),
        {"statement": "Get my driving licence back", "wellness_dimension": "occupational"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("assessments:create", args=[engagement.pk]),
        {
            "tier": 1,
            "rationale": "Meeting weekly, working on the licence.",
            "assessed_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("exits:start", args=[engagement.pk]),
        {"kind": "planned", "reason": "goals_met", "note": "Ready to go on with the new job."},
    )
    assert response.status_code == 302
    # Completing is refused, with what remains, until the concluding checklist is done.
    response = client.post(reverse("exits:complete", args=[engagement.pk]), {"note": "Done."})
    assert response.status_code in (400, 409)
    assert "Records finalized" in response.content.decode()
    instruments_install()  # the exit survey is offered through the portal
    # The meeting's note is still a draft: records cannot be marked final until it is signed.
    response = client.post(
        reverse("exits:step", args=[engagement.pk]),
        {"step": "records_finalized", "status": "done"},
        follow=True,
    )
    assert "Finish these records first: Draft note" in response.content.decode()
    note = Note.objects.get(meeting__engagement=engagement)
    response = client.post(
        reverse("notes:finalize", args=[note.meeting_id]), {"version": note.version}
    )
    assert response.status_code == 302
    for step in ConcludingStep.Step.values:
        response = client.post(
            reverse("exits:step", args=[engagement.pk]), {"step": step, "status": "done"}
        )
        assert response.status_code == 302
    response = client.post(reverse("exits:complete", args=[engagement.pk]), {"note": "Done."})
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.state == State.CLOSED
    assert list(engagement.state_changes.values_list("to_state", flat=True)) == [
        "matched",
        "onboarding",
        "active",
        "exiting",
        "closed",
    ]
    page = client.get(detail).content.decode()
    assert "closed and read-only" in page
    assert "Log or plan a meeting" not in page


def test_an_invalid_referral_shows_field_errors_and_saves_nothing(client, world):
    client.force_login(world.coordinator)
    before = Referral.objects.count()
    response = client.post(
        reverse("referrals:create"),
        {"person-first_name": "", "referral-program": world.program.pk, "referral-source": "x"},
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert Referral.objects.count() == before


def test_a_program_not_coordinated_cannot_be_chosen(client, world):
    client.force_login(world.coordinator)
    response = client.post(
        reverse("referrals:create"),
        {
            "person-first_name": "Ana",
            "person-preferred_language": "en",
            "referral-program": world.other_program.pk,
            "referral-source": "self",
            "referral-needs": "Help",
            "referral-preferred_language": "en",
            "referral-urgency": "routine",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_declining_needs_a_reason(client, world):
    client.force_login(world.coordinator)
    referral = _record_referral(client, world)
    response = client.post(
        reverse("referrals:detail", args=[referral.pk]), {"decision": "decline", "reason": ""}
    )
    assert response.status_code == 200
    assert "Say why the referral is declined." in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.NEW


def test_a_meeting_held_in_the_future_is_refused_with_a_message(client, world):
    client.force_login(world.supporter)
    tomorrow = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("meetings:create", args=[world.engagement.pk]),
        {"starts_at": tomorrow, "duration_minutes": 30, "mode": "phone", "status": "held"},
    )
    assert response.status_code == 409
    assert "cannot be in the future" in response.content.decode()
    assert not Meeting.objects.filter(engagement=world.engagement).exists()


def test_a_stale_goal_edit_is_refused_and_the_newer_text_kept(client, world):
    from alongside.plans.services import goal_create, goal_update

    goal = goal_create(
        engagement=world.engagement,
        actor=world.supporter,
        statement="Sleep better",
        wellness_dimension="physical",
    )
    goal_update(goal=goal, actor=world.coordinator, expected_version=1, statement="Sleep 7 hours")
    client.force_login(world.supporter)
    response = client.post(
        reverse("plans:goal_edit", args=[goal.pk]),
        {
            "statement": "Sleep well",
            "wellness_dimension": "physical",
            "status": "active",
            "version": 1,
        },
    )
    assert response.status_code == 409
    assert "Someone else changed this goal" in response.content.decode()
    goal.refresh_from_db()
    assert goal.statement == "Sleep 7 hours"


def test_the_participant_sees_their_support_but_not_the_notes(client, world):
    from alongside.meetings.services import meeting_log

    meeting_log(
        engagement=world.engagement,
        actor=world.supporter,
        starts_at=timezone.now() - datetime.timedelta(days=2),
        duration_minutes=60,
        mode="in_person",
        note_body="Private reflection about the relapse risk.",
    )
    client.force_login(world.participant_user)
    page = client.get(reverse("portal:home")).content.decode()
    assert "Sunny" in page
    assert "In person" in page
    assert "relapse risk" not in page


def test_a_participant_concern_reaches_the_coordinator(client, world):
    client.force_login(world.participant_user)
    response = client.post(
        reverse("concerns:create"),
        {"category": "boundaries", "urgency": "normal", "description": "Calls late at night."},
    )
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.engagement == world.engagement
    client.force_login(world.coordinator)
    page = client.get(reverse("concerns:list")).content.decode()
    assert "Boundaries" in page and "Pat Rivera" in page
    client.force_login(world.participant_user)
    assert "Open" in client.get(reverse("portal:home")).content.decode()


def latest_access_log_pk() -> int:
    """The access log is append-only: a test reads only the rows written after this."""
    return AccessLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.mark.parametrize(
    "url_name", ["dashboard", "engagements:list", "engagements:detail", "portal:home"]
)
def test_each_read_of_participant_records_writes_one_access_log_row(client, world, url_name):
    persona = world.participant_user if url_name == "portal:home" else world.supporter
    client.force_login(persona)
    kwargs = {"pk": world.engagement.pk} if url_name == "engagements:detail" else {}
    before = latest_access_log_pk()
    client.get(reverse(url_name, kwargs=kwargs))
    (row,) = AccessLog.objects.filter(pk__gt=before)
    assert row.actor == persona
    if url_name != "dashboard":
        assert world.participant.pk in row.participant_ids


def test_refused_requests_are_not_logged_as_reads(client, world):
    client.force_login(world.other_supporter)
    before = latest_access_log_pk()
    response = client.get(reverse("engagements:detail", args=[world.engagement.pk]))
    assert response.status_code == 404
    assert not AccessLog.objects.filter(pk__gt=before).exists()


def test_pages_with_records_are_not_cached(client, world):
    client.force_login(world.supporter)
    response = client.get(reverse("engagements:detail", args=[world.engagement.pk]))
    assert response["Cache-Control"] == "no-store"
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_the_team_gives_a_participant_a_portal_sign_in(client, world):
    from alongside.accounts.models import User

    client.force_login(world.supporter)
    url = reverse("participants:portal_invite", args=[world.other_participant.pk])
    assert client.get(url).status_code == 404  # Quinn is Omar's participant, not Sunny's
    client.force_login(world.other_supporter)
    response = client.post(
        url, {"username": "quinn", "password": "short", "password_again": "short"}
    )
    assert response.status_code == 400
    assert "too short" in response.content.decode()
    assert not User.objects.filter(username="quinn").exists()
    password = "a long and private phrase"
    response = client.post(
        url + "?next=https://evil.example/",
        {"username": "quinn", "password": password, "password_again": password},
    )
    assert response["Location"] == reverse("home")
    world.other_participant.refresh_from_db()
    assert world.other_participant.user.username == "quinn"
    client.force_login(world.other_participant.user)
    page = client.get(reverse("portal:home")).content.decode()
    assert "Omar" in page
