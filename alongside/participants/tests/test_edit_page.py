"""The "Edit details" page: who may, what it checks, and what happens when two people edit
at once."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alongside.audit.models import AuditEvent
from alongside.core.permissions import participants_changeable_by
from alongside.participants.models import Participant
from alongside.participants.services import participant_update
from alongside.referrals.models import Referral


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def edit_url(participant, next_url: str = "") -> str:
    url = reverse("participants:edit", args=[participant.pk])
    return f"{url}?next={next_url}" if next_url else url


def details(**changes) -> dict:
    values = {
        "version": 1,
        "first_name": "Pat",
        "last_name": "Rivera",
        "preferred_name": "",
        "pronouns": "they/them",
        "date_of_birth": "1990-04-02",
        "preferred_language": "es",
        "phone": "555-201-3344",
        "email": "pat@example.org",
        "gender": "nonbinary",
        "race_ethnicity": ["hispanic", "white"],
        "veteran_status": "no",
    }
    values.update(changes)
    return values


def stored(world) -> Participant:
    return Participant.objects.get(pk=world.participant.pk)


def test_the_supporter_changes_the_details_and_returns_to_the_engagement(world):
    engagement_url = reverse("engagements:detail", args=[world.engagement.pk])
    client = signed_in(world.supporter)

    page = client.get(edit_url(world.participant, engagement_url))
    response = client.post(edit_url(world.participant, engagement_url), details())

    assert page.status_code == 200
    assert response.status_code == 302
    assert response["Location"] == engagement_url
    pat = stored(world)
    assert (pat.phone, pat.pronouns, pat.preferred_language) == ("555-201-3344", "they/them", "es")
    assert pat.race_ethnicity == ["hispanic", "white"]
    assert str(pat.date_of_birth) == "1990-04-02"
    assert AuditEvent.objects.get(action="participant.updated").actor == world.supporter
    assert "Details saved." in client.get(engagement_url).content.decode()


def test_the_form_suits_a_phone(world):
    html = signed_in(world.supporter).get(edit_url(world.participant)).content.decode()

    assert 'type="tel"' in html
    assert 'type="date"' in html
    assert 'name="version" value="1"' in html


def test_the_coordinator_changes_details_from_the_referral(world):
    referral = Referral.objects.create(
        organization=world.org,
        program=world.respite,
        participant=world.other_participant,
        source="self",
        needs="Someone to talk to",
    )
    referral_url = reverse("referrals:detail", args=[referral.pk])
    client = signed_in(world.coordinator)

    assert edit_url(world.other_participant) in client.get(referral_url).content.decode()
    response = client.post(
        edit_url(world.other_participant, referral_url),
        details(first_name="Quinn", last_name="Lee", race_ethnicity=[]),
    )

    assert response.status_code == 302
    assert Participant.objects.get(pk=world.other_participant.pk).phone == "555-201-3344"


@pytest.mark.parametrize(
    ("persona", "shown"),
    [("supporter", True), ("coordinator", True), ("supervisor", False)],
)
def test_the_engagement_page_links_to_the_page_for_those_who_may(world, persona, shown):
    world.participant.phone = "555-201-3344"
    world.participant.save()
    engagement_url = reverse("engagements:detail", args=[world.engagement.pk])

    html = signed_in(getattr(world, persona)).get(engagement_url).content.decode()

    assert "555-201-3344" in html
    assert (reverse("participants:edit", args=[world.participant.pk]) in html) is shown


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"phone": "call me"}, "Enter a phone number with its area code"),
        ({"date_of_birth": "2999-01-01"}, "cannot be in the future"),
        ({"email": "pat at home"}, "Enter a valid email address"),
        ({"first_name": ""}, "This field is required"),
        ({"race_ethnicity": ["martian"]}, "Select a valid choice"),
        ({"version": "x"}, "Enter a whole number"),
    ],
)
def test_bad_input_answers_400_with_the_reason_and_saves_nothing(world, changes, message):
    response = signed_in(world.supporter).post(edit_url(world.participant), details(**changes))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert (stored(world).phone, stored(world).version) == ("", 1)
    assert not AuditEvent.objects.filter(action="participant.updated").exists()


def test_a_stale_edit_shows_both_versions_and_saves_nothing(world):
    participant_update(
        participant=stored(world),
        actor=world.coordinator,
        expected_version=1,
        phone="555-000-1111",
    )
    client = signed_in(world.supporter)

    response = client.post(edit_url(world.participant), details(version=1))

    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this participant" in html
    assert "Both versions" in html and "555-000-1111" in html and "555-201-3344" in html
    assert "Save my version" in html
    assert stored(world).phone == "555-000-1111"
    # Saving again, having seen theirs, replaces it on purpose.
    again = client.post(edit_url(world.participant), details(version=2))
    assert again.status_code == 302
    assert (stored(world).phone, stored(world).version) == ("555-201-3344", 3)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("supervisor", 403),  # reads Sunny's caseload, changes nothing
        ("admin", 403),
        ("participant_user", 403),
        ("other_supporter", 404),
        ("outsider", 404),
    ],
)
def test_others_may_not_change_the_details(world, persona, status):
    client = signed_in(getattr(world, persona))

    assert client.get(edit_url(world.participant)).status_code == status
    assert client.post(edit_url(world.participant), details()).status_code == status
    assert stored(world).version == 1


def test_once_support_closed_the_supporter_is_told_who_can(world):
    world.engagement.state = "closed"
    world.engagement.closed_on = timezone.localdate()
    world.engagement.save()
    client = signed_in(world.supporter)

    page = client.get(edit_url(world.participant))
    response = client.post(edit_url(world.participant), details())

    assert page.status_code == response.status_code == 403
    assert "Only a coordinator of their program" in page.content.decode()
    assert stored(world).version == 1
    # The coordinators still keep them up to date.
    assert world.participant in participants_changeable_by(world.coordinator, world.org)
    assert (
        signed_in(world.coordinator).post(edit_url(world.participant), details()).status_code
        == 302
    )


def test_it_returns_only_to_pages_of_this_site(world):
    response = signed_in(world.supporter).post(
        edit_url(world.participant, "https://evil.example/"), details()
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
