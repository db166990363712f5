"""In the portal, a participant keeps their own contact details, and how to address them,
current; names, birth date and demographics stay with their team."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from alongside.audit.models import AuditEvent
from alongside.participants.models import Participant
from alongside.participants.services import participant_update

URL = "portal:details"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def mine(**changes) -> dict:
    values = {
        "version": 1,
        "preferred_name": "P",
        "pronouns": "they/them",
        "preferred_language": "es",
        "phone": "555-201-3344",
        "email": "pat@example.org",
    }
    values.update(changes)
    return values


def stored(world) -> Participant:
    return Participant.objects.get(pk=world.participant.pk)


def test_the_participant_changes_their_contact_details(world):
    client = signed_in(world.participant_user)

    assert reverse(URL) in client.get(reverse("portal:home")).content.decode()
    response = client.post(reverse(URL), mine())

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    pat = stored(world)
    assert (pat.phone, pat.email, pat.pronouns, pat.preferred_language) == (
        "555-201-3344",
        "pat@example.org",
        "they/them",
        "es",
    )
    event = AuditEvent.objects.get(action="participant.updated")
    assert event.actor == world.participant_user


def test_names_birth_date_and_demographics_are_not_theirs_to_change_here(world):
    response = signed_in(world.participant_user).post(
        reverse(URL),
        mine(first_name="Someone", last_name="Else", gender="man", race_ethnicity=["white"]),
    )

    assert response.status_code == 302
    pat = stored(world)
    assert (pat.first_name, pat.last_name, pat.gender, pat.race_ethnicity) == (
        "Pat",
        "Rivera",
        "",
        [],
    )
    html = signed_in(world.participant_user).get(reverse(URL)).content.decode()
    assert 'name="first_name"' not in html and 'name="race_ethnicity"' not in html


def test_a_bad_phone_number_answers_400_and_saves_nothing(world):
    response = signed_in(world.participant_user).post(reverse(URL), mine(phone="call me"))

    assert response.status_code == 400
    assert "Enter a phone number with its area code" in response.content.decode()
    assert stored(world).version == 1


def test_a_change_by_the_team_meanwhile_is_shown_not_overwritten(world):
    participant_update(
        participant=stored(world), actor=world.supporter, expected_version=1, phone="555-000-1111"
    )

    response = signed_in(world.participant_user).post(reverse(URL), mine(version=1))

    assert response.status_code == 409
    assert "Both versions" in response.content.decode()
    assert stored(world).phone == "555-000-1111"


@pytest.mark.parametrize("persona", ["supporter", "coordinator", "admin"])
def test_staff_have_no_portal_details(world, persona):
    assert signed_in(getattr(world, persona)).get(reverse(URL)).status_code == 403
