"""The coordinator's referral form (the staff door)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from alongside.accounts.models import ExperienceArea
from alongside.referrals.models import Channel, Referral
from alongside.referrals.services import referral_create


def _post(client, **changes):
    data = {
        "person-first_name": "Robin",
        "person-last_name": "Diaz",
        "person-preferred_language": "es",
        "person-phone": "555-010-2233",
        "referral-program": changes.pop("program"),
        "referral-source": "clinic",
        "referral-source_detail": "Eastside Clinic",
        "referral-referrer_name": "Dana Case",
        "referral-referrer_organization": "Eastside Clinic",
        "referral-referrer_email": "dana@clinic.example",
        "referral-referrer_phone": "555-010-9999",
        "referral-needs": "Support after discharge.",
        "referral-preferred_language": "es",
        "referral-language_required": "on",
        "referral-supporter_gender_preference": "woman",
        "referral-gender_required": "on",
        "referral-lived_experience_wanted": ["substance_use"],
        "referral-meeting_place": "Eastside",
        "referral-urgency": "soon",
        "referral-contact_channel": "phone",
    }
    data.update(changes)
    return client.post(reverse("referrals:create"), data)


def test_the_staff_form_records_the_wishes_and_the_referrer(client, world):
    client.force_login(world.coordinator)

    response = _post(client, program=world.program.pk)

    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.channel == Channel.STAFF
    assert referral.received_by == world.coordinator
    assert referral.language_required and referral.gender_required
    assert referral.meeting_place == "Eastside"
    assert referral.remote_ok is False  # the box was left unticked
    assert (referral.referrer_name, referral.referrer_email) == (
        "Dana Case",
        "dana@clinic.example",
    )
    assert referral.referrer_organization == "Eastside Clinic"
    assert referral.referrer_phone == "555-010-9999"


def test_a_required_gender_needs_a_gender(client, world):
    client.force_login(world.coordinator)

    response = _post(
        client, program=world.program.pk, **{"referral-supporter_gender_preference": ""}
    )

    assert response.status_code == 200
    assert "Choose the supporter gender that is a must" in response.content.decode()
    assert not Referral.objects.exists()


def test_the_organizations_own_experience_areas_can_be_chosen(client, world):
    ExperienceArea.objects.create(organization=world.org, code="farming", label="Farm life")
    client.force_login(world.coordinator)
    assert "Farm life" in client.get(reverse("referrals:create")).content.decode()

    _post(client, program=world.program.pk, **{"referral-lived_experience_wanted": ["farming"]})

    referral = Referral.objects.get()
    assert referral.lived_experience_wanted == ["farming"]
    page = client.get(reverse("referrals:detail", kwargs={"pk": referral.pk})).content.decode()
    assert "Farm life" in page
    assert "Dana Case" in page and "must be spoken by the supporter" in page


def test_the_staff_form_records_good_times_to_meet_and_the_page_shows_them(client, world):
    client.force_login(world.coordinator)

    _post(
        client,
        program=world.program.pk,
        **{"referral-preferred_times": ["weekday_morning", "weekday_evening"]},
    )

    referral = Referral.objects.get()
    assert referral.preferred_times == ["weekday_morning", "weekday_evening"]
    page = client.get(reverse("referrals:detail", kwargs={"pk": referral.pk})).content.decode()
    assert "Good times to meet" in page
    assert "Weekday mornings (before noon), Weekday evenings (after 5 pm)" in page
    suggest = client.get(reverse("matching:suggest", kwargs={"pk": referral.pk})).content.decode()
    assert "Good times to meet: Weekday mornings (before noon), Weekday evenings" in suggest


def test_without_times_the_page_says_any_time(client, world):
    client.force_login(world.coordinator)
    _post(client, program=world.program.pk)

    referral = Referral.objects.get()
    assert referral.preferred_times == []
    page = client.get(reverse("referrals:detail", kwargs={"pk": referral.pk})).content.decode()
    assert "Any time" in page


def test_an_unknown_time_is_refused_and_nothing_saved(client, world):
    client.force_login(world.coordinator)

    response = _post(client, program=world.program.pk, **{"referral-preferred_times": ["brunch"]})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Referral.objects.exists()


def test_the_service_refuses_unknown_times_from_any_door(world):
    with pytest.raises(ValidationError, match="Choose good times to meet from"):
        referral_create(
            organization=world.org,
            program=world.program,
            actor=world.coordinator,
            participant={"first_name": "Robin"},
            source="clinic",
            needs="Support.",
            preferred_times=["weekend", "brunch"],
        )
    assert not Referral.objects.exists()
