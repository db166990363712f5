"""The emergency plan pages: staff through the engagement, the participant through the portal."""

from __future__ import annotations

import pytest
from django.urls import reverse

from alongside.audit.models import AccessLog
from alongside.emergencyplans.models import EmergencyPlan
from alongside.emergencyplans.selectors import plan_for
from alongside.emergencyplans.testing import emergency_plan_give


def _form(based_on=0, **overrides) -> dict:
    data = {
        "based_on": based_on,
        "warning_signs": "Stops answering the phone.",
        "helps": "A walk outside.",
        "contact-TOTAL_FORMS": 2,
        "contact-INITIAL_FORMS": 0,
        "contact-0-name": "Maria",
        "contact-0-relationship": "sister",
        "contact-0-phone": "555-0101",
        "contact-0-outside_team": "on",
        "line-TOTAL_FORMS": 1,
        "line-INITIAL_FORMS": 0,
        "line-0-name": "988 Suicide & Crisis Lifeline",
        "line-0-phone": "988",
    }
    data.update(overrides)
    return data


def _view(world):
    return reverse("emergencyplans:view", args=[world.engagement.pk])


def _edit(world):
    return reverse("emergencyplans:edit", args=[world.engagement.pk])


def test_a_supporter_writes_the_plan_and_sees_it_with_the_consent_note(client, world):
    client.force_login(world.supporter)

    response = client.post(_edit(world), _form())

    assert response.status_code == 302
    assert response["Location"] == _view(world)
    page = client.get(_view(world)).content.decode()
    assert "Stops answering the phone." in page
    assert "Maria" in page and "555-0101" in page
    assert "share only with a consent" in page
    assert "988" in page
    assert "emergencyplans/plan.css" in page  # the print stylesheet
    log = AccessLog.objects.filter(actor=world.supporter, what__contains="emergency plan")
    assert log.exists()
    assert log.first().participant_ids == [world.participant.pk]


def test_a_new_plan_starts_with_988_among_the_crisis_lines(client, world):
    client.force_login(world.supporter)

    page = client.get(_edit(world)).content.decode()

    assert 'value="988"' in page
    assert 'name="based_on" value="0"' in page


def test_bad_input_shows_errors_and_saves_nothing(client, world):
    client.force_login(world.supporter)

    response = client.post(
        _edit(world), _form(warning_signs="", **{"contact-1-name": "Jo", "contact-1-phone": ""})
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page
    assert "Give this person a name and a phone number." in page
    assert not EmergencyPlan.objects.exists()


def test_a_stale_edit_is_refused_and_shows_what_changed(client, world):
    emergency_plan_give(world.participant, world.supporter)
    client.force_login(world.participant_user)
    client.post(reverse("portal:emergency_plan_edit"), _form(based_on=1, helps="Music, loud."))
    client.force_login(world.supporter)

    response = client.post(_edit(world), _form(based_on=1, helps="Quiet and dark."))

    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this emergency plan" in page
    assert "What they changed" in page and "Music, loud." in page
    assert "Quiet and dark." in page  # the editor's text is kept
    assert 'name="based_on" value="2"' in page
    assert plan_for(world.participant.pk).current.helps == "Music, loud."


def test_an_older_version_can_be_read_with_what_changed(client, world):
    emergency_plan_give(world.participant, world.supporter)
    client.force_login(world.supporter)
    client.post(_edit(world), _form(based_on=1))

    page = client.get(_view(world) + "?version=1").content.decode()
    current = client.get(_view(world)).content.decode()

    assert "An older version" in page
    assert "What changed in version 2" in current and "A walk outside." in current


def test_the_participant_reads_and_edits_their_own_plan_in_the_portal(client, world):
    client.force_login(world.participant_user)

    home = client.get(reverse("portal:home")).content.decode()
    assert "Write my emergency plan" in home
    response = client.post(reverse("portal:emergency_plan_edit"), _form())
    assert response.status_code == 302
    page = client.get(reverse("portal:emergency_plan")).content.decode()

    assert "Stops answering the phone." in page
    version = plan_for(world.participant.pk).current
    assert version.saved_by == world.participant_user
    assert "Open my emergency plan" in client.get(reverse("portal:home")).content.decode()


def test_the_portal_shows_only_the_signed_in_participants_plan(client, world):
    emergency_plan_give(world.other_participant, world.other_supporter)
    client.force_login(world.participant_user)

    page = client.get(reverse("portal:emergency_plan")).content.decode()

    assert "There is no emergency plan yet" in page


@pytest.mark.parametrize(
    ("persona", "view_status", "edit_status"),
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
def test_who_reaches_the_staff_pages(client, world, persona, view_status, edit_status):
    emergency_plan_give(world.participant, world.supporter)
    client.force_login(getattr(world, persona))

    assert client.get(_view(world)).status_code == view_status
    assert client.get(_edit(world)).status_code == edit_status
    assert client.post(_edit(world), _form(based_on=1, helps="x")).status_code in (
        edit_status,
        302,
    )
    changed = plan_for(world.participant.pk).version == 2
    assert changed == (edit_status == 200)


@pytest.mark.parametrize("persona", ["supporter", "admin", "coordinator"])
def test_staff_have_no_portal_plan(client, world, persona):
    client.force_login(getattr(world, persona))

    assert client.get(reverse("portal:emergency_plan")).status_code == 403
    assert client.get(reverse("portal:emergency_plan_edit")).status_code == 403


def test_saving_again_keeps_the_people_and_lines_already_listed(client, world):
    client.force_login(world.supporter)
    client.post(_edit(world), _form())

    response = client.post(_edit(world), _form(based_on=1, helps="Music."))

    assert response.status_code == 302
    current = plan_for(world.participant.pk).current
    assert current.number == 2
    assert [c["name"] for c in current.contacts] == ["Maria"]
    assert current.crisis_lines == [{"name": "988 Suicide & Crisis Lifeline", "phone": "988"}]
