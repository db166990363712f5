"""The participant's own record: the portal downloads, the coordinator's download at their
request, what the PDF holds, and who may."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.models import Role
from alongside.audit.models import AccessLog, AuditEvent
from alongside.core.permissions import ROLE_CAPABILITIES, Cap, engagements_visible_to
from alongside.fhir.testing import NOTE_SECRET, full_record
from alongside.meetings.models import Note, NoteStatus
from alongside.records.pdf import record_html

PORTAL = "portal:record"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def request_url(world) -> str:
    return reverse("records:request", args=[world.participant.pk])


def valid_request(**changes) -> dict:
    values = {
        "fmt": "pdf",
        "requested_by": "participant",
        "requested_on": timezone.localdate().isoformat(),
        "note": "Pat asked in person at today's meeting for a copy to take to a new clinic.",
    }
    values.update(changes)
    return values


def actions() -> list[str]:
    return list(
        AuditEvent.objects.filter(action__startswith="record.")
        .order_by("pk")
        .values_list("action", flat=True)
    )


# What the record holds ----------------------------------------------------------------


def test_the_pdf_holds_the_whole_record_but_not_the_teams_notes(world):
    made = full_record(world)
    shared = Note.objects.get(meeting=made["meetings"][0])
    shared.status, shared.summary = NoteStatus.FINAL, "We planned the park walks."
    shared.save()
    Note.objects.create(
        meeting=made["meetings"][1], author=world.supporter, body="draft body", summary="Draft!"
    )

    html = record_html(world.participant, engagements_visible_to(world.coordinator, world.org))

    for expected in (
        "Pat Rivera",
        "Community Peer Support",
        "Sunny Demo",
        "Walk to the park twice a week",
        "Find the park path",
        "We planned the park walks.",  # a finalized note's summary
        "Release of Liability",  # agreements signed
        "Joint Participation Contract",
        "Eastside Clinic",  # consents
        "Housing Office",
        "WHO-5",  # survey score
        "score 52",
    ):
        assert expected in html, expected
    assert NOTE_SECRET not in html  # the note body stays the team's
    assert "Draft!" not in html  # a draft's summary is not shared yet


def test_the_pdf_renders(world):
    full_record(world)
    response = signed_in(world.participant_user).get(
        reverse("portal:record_download", args=["pdf"])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]


# The portal ---------------------------------------------------------------------------


def test_the_portal_page_offers_both_downloads(world):
    response = signed_in(world.participant_user).get(reverse(PORTAL))

    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("portal:record_download", args=["pdf"]) in body
    assert reverse("portal:record_download", args=["fhir"]) in body
    assert (
        reverse(PORTAL)
        in signed_in(world.participant_user).get(reverse("portal:home")).content.decode()
    )


def test_the_participant_downloads_their_fhir_bundle_and_it_is_logged(world):
    full_record(world)

    response = signed_in(world.participant_user).get(
        reverse("portal:record_download", args=["fhir"])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    bundle = json.loads(response.content)
    assert bundle["resourceType"] == "Bundle"
    patients = [e for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"]
    assert patients[0]["resource"]["name"][0]["family"] == "Rivera"
    assert actions() == ["record.requested", "record.delivered"]
    requested, delivered = AuditEvent.objects.filter(action__startswith="record.").order_by("pk")
    assert requested.data["channel"] == "portal"
    assert requested.object_id == str(world.participant.pk)
    assert delivered.data["format"] == "fhir"
    assert delivered.data["bytes"] == len(response.content)
    assert AuditEvent.objects.get(action="fhir.exported").data["for"] == "participant"
    assert AccessLog.objects.filter(participant_ids=[world.participant.pk]).exists()


def test_an_unknown_format_is_not_found(world):
    response = signed_in(world.participant_user).get(
        reverse("portal:record_download", args=["docx"])
    )

    assert response.status_code == 404
    assert actions() == []


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("participant_user", 200),
        ("supporter", 403),
        ("coordinator", 403),
        ("supervisor", 403),
        ("admin", 403),
        ("outsider", 403),
    ],
)
def test_portal_access(world, persona, status):
    client = signed_in(getattr(world, persona))

    assert client.get(reverse(PORTAL)).status_code == status
    assert client.get(reverse("portal:record_download", args=["fhir"])).status_code == status


def test_anonymous_is_sent_to_sign_in(world):
    for url in (
        reverse(PORTAL),
        reverse("portal:record_download", args=["pdf"]),
        request_url(world),
    ):
        response = Client().get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]


# The coordinator, at the participant's request ---------------------------------------


def test_the_coordinator_downloads_the_record_with_a_note_of_the_request(world):
    full_record(world)
    client = signed_in(world.coordinator)
    page = client.get(request_url(world))
    assert page.status_code == 200
    detail = client.get(reverse("engagements:detail", args=[world.engagement.pk]))
    assert request_url(world) in detail.content.decode()

    response = client.post(request_url(world), valid_request(fmt="fhir"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    assert json.loads(response.content)["resourceType"] == "Bundle"
    assert actions() == ["record.requested", "record.delivered"]
    requested = AuditEvent.objects.get(action="record.requested")
    assert requested.actor == world.coordinator
    assert requested.data["channel"] == "staff"
    assert requested.data["requested_by"] == "participant"
    assert "new clinic" in requested.data["note"]
    assert AuditEvent.objects.get(action="fhir.exported").data["for"] == "request"


def test_the_coordinator_gets_the_pdf(world):
    response = signed_in(world.coordinator).post(request_url(world), valid_request())

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    "changes",
    [
        {"note": ""},
        {"note": "   "},
        {"fmt": "docx"},
        {"requested_by": "neighbour"},
        {"requested_on": "2999-01-01"},
        {"requested_on": "not a date"},
    ],
)
def test_bad_input_is_refused_and_nothing_is_logged(world, changes):
    response = signed_in(world.coordinator).post(request_url(world), valid_request(**changes))

    assert response.status_code == 400
    assert actions() == []
    assert not AuditEvent.objects.filter(action="fhir.exported").exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator", 200),
        ("supporter", 403),
        ("other_supporter", 403),
        ("supervisor", 403),
        ("admin", 403),
        ("participant_user", 403),
        ("outsider", 404),
    ],
)
def test_staff_download_access(world, persona, status):
    client = signed_in(getattr(world, persona))

    assert client.get(request_url(world)).status_code == status
    assert client.post(request_url(world), valid_request()).status_code == status
    if status != 200:
        assert actions() == []


def test_a_participant_outside_the_coordinators_scope_is_not_found(world):
    url = reverse("records:request", args=[world.foreign_participant.pk])

    assert signed_in(world.coordinator).get(url).status_code == 404


def test_only_coordinators_see_the_link_on_the_engagement_page(world):
    detail = reverse("engagements:detail", args=[world.engagement.pk])

    assert request_url(world) not in signed_in(world.supporter).get(detail).content.decode()
    assert request_url(world) in signed_in(world.coordinator).get(detail).content.decode()


def test_releasing_a_record_needs_records_release_not_referral_work(world, monkeypatch):
    """Screening referrals (referrals.manage) does not carry the right to release a record."""
    coordinator_caps = ROLE_CAPABILITIES[Role.COORDINATOR]
    assert Cap.RECORDS_RELEASE in coordinator_caps
    monkeypatch.setitem(
        ROLE_CAPABILITIES, Role.COORDINATOR, coordinator_caps - {Cap.RECORDS_RELEASE}
    )
    client = signed_in(world.coordinator)
    detail = reverse("engagements:detail", args=[world.engagement.pk])

    assert client.get(request_url(world)).status_code == 403
    assert client.post(request_url(world), valid_request()).status_code == 403
    assert request_url(world) not in client.get(detail).content.decode()
    assert actions() == []


def test_the_record_reads_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    from alongside.fhir.testing import meetings_add

    full_record(world)
    meetings_add(world.engagement, world.supporter, 200)

    with django_assert_max_num_queries(12):
        html = record_html(world.participant, engagements_visible_to(world.coordinator, world.org))
    assert html.count("<tr>") > 200
