"""Changing a participant's details after intake: validated, only what changed, audited,
and never over someone else's edit made meanwhile."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alongside.audit.models import AuditEvent
from alongside.core.errors import RuleViolation, StaleEdit
from alongside.participants.models import Participant
from alongside.participants.services import participant_update


def update(world, **changes) -> Participant:
    participant = Participant.objects.get(pk=world.participant.pk)
    return participant_update(
        participant=participant,
        actor=world.supporter,
        expected_version=changes.pop("version", participant.version),
        **changes,
    )


def events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="participant.updated").order_by("pk"))


def test_it_saves_new_contact_details_and_records_who_changed_which(world):
    saved = update(world, phone=" 555-201-3344 ", pronouns="they/them", preferred_language="es")

    stored = Participant.objects.get(pk=world.participant.pk)
    assert (stored.phone, stored.pronouns, stored.preferred_language) == (
        "555-201-3344",
        "they/them",
        "es",
    )
    assert saved.version == stored.version == 2
    [event] = events()
    assert event.actor == world.supporter
    assert event.organization == world.org
    assert event.object_type == "participant"
    assert event.object_id == str(world.participant.pk)
    # Which details changed, never their values.
    assert event.data == {"fields": ["phone", "pronouns", "preferred_language"]}
    last = stored.history.first()
    assert last.history_user == world.supporter
    assert last.phone == "555-201-3344"


def test_it_saves_only_the_fields_that_changed(world):
    world.participant.phone = "555-201-3344"
    world.participant.save()

    with CaptureQueriesContext(connection) as queries:
        saved = update(world, first_name="Pat", phone="555-201-3344", email="pat@example.org")

    assert events()[0].data == {"fields": ["email"]}
    assert saved.email == "pat@example.org"
    [sql] = [
        q["sql"]
        for q in queries
        if q["sql"].startswith("UPDATE") and "participants_participant" in q["sql"]
    ]
    assert '"email"' in sql and '"version"' in sql
    assert '"phone"' not in sql and '"first_name"' not in sql


def test_saving_the_same_details_changes_nothing(world):
    update(world, first_name="Pat", last_name="Rivera", race_ethnicity=[])

    assert events() == []
    assert Participant.objects.get(pk=world.participant.pk).version == 1


def test_races_are_kept_once_each_in_the_listed_order(world):
    update(world, race_ethnicity=["white", "black", "white"])

    assert Participant.objects.get(pk=world.participant.pk).race_ethnicity == ["black", "white"]
    # The same, listed in another order, is no change.
    update(world, race_ethnicity=["white", "black"])
    assert len(events()) == 1


def test_demographics_told_later_are_recorded(world):
    update(world, gender="nonbinary", veteran_status="yes", race_ethnicity=["hispanic"])

    stored = Participant.objects.get(pk=world.participant.pk)
    assert (stored.gender, stored.veteran_status, stored.race_ethnicity) == (
        "nonbinary",
        "yes",
        ["hispanic"],
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"phone": "call me"}, "phone"),
        ({"phone": "123"}, "phone"),
        ({"date_of_birth": timezone.localdate() + datetime.timedelta(days=1)}, "date_of_birth"),
        ({"date_of_birth": datetime.date(1850, 1, 1)}, "date_of_birth"),
        ({"race_ethnicity": ["martian"]}, "race_ethnicity"),
        ({"gender": "robot"}, "gender"),
        ({"veteran_status": "maybe"}, "veteran_status"),
        ({"preferred_language": "xx"}, "preferred_language"),
        ({"email": "not an address"}, "email"),
        ({"first_name": "  "}, "first_name"),
        ({"preferred_name": "x" * 101}, "preferred_name"),
    ],
)
def test_bad_details_are_refused_and_nothing_changes(world, changes, field):
    with pytest.raises(ValidationError) as refusal:
        update(world, pronouns="she/her", **changes)

    assert field in refusal.value.message_dict
    stored = Participant.objects.get(pk=world.participant.pk)
    assert (stored.pronouns, stored.version) == ("", 1)
    assert events() == []


def test_an_old_value_stored_before_a_rule_does_not_block_another_change(world):
    Participant.objects.filter(pk=world.participant.pk).update(phone="ask at the desk")

    update(world, pronouns="he/him")

    assert Participant.objects.get(pk=world.participant.pk).pronouns == "he/him"


def test_it_refuses_an_edit_made_on_an_older_version(world):
    update(world, phone="555-201-3344")  # someone else saved: version 2

    with pytest.raises(StaleEdit) as refusal:
        update(world, phone="555-999-0000", version=1)

    assert "Someone else changed this participant" in refusal.value.message
    stored = Participant.objects.get(pk=world.participant.pk)
    assert (stored.phone, stored.version) == ("555-201-3344", 2)
    assert len(events()) == 1


def test_it_changes_details_only(world):
    with pytest.raises(TypeError):
        update(world, organization=world.other_org)

    assert Participant.objects.get(pk=world.participant.pk).organization == world.org


def test_a_portal_invitation_moves_the_version_too(world):
    """Any save through the services counts as a change an open edit must see."""
    from alongside.participants.services import participant_portal_invite

    participant = Participant.objects.get(pk=world.other_participant.pk)
    participant_portal_invite(
        participant=participant,
        actor=world.coordinator,
        username="quinn",
        password="a long enough passphrase",
    )

    assert Participant.objects.get(pk=participant.pk).version == 2


def test_the_portal_sign_in_follows_the_name_email_and_language(world):
    update(world, preferred_name="Patsy", email="patsy@example.org", preferred_language="es")

    user = type(world.participant_user).objects.get(pk=world.participant_user.pk)
    assert (user.first_name, user.email, user.preferred_language) == (
        "Patsy",
        "patsy@example.org",
        "es",
    )


def test_a_person_without_a_portal_sign_in_is_changed_alone(world):
    Participant.objects.filter(pk=world.participant.pk).update(user=None)

    saved = update(world, email="pat@example.org")

    assert saved.email == "pat@example.org"
    assert type(world.participant_user).objects.get(pk=world.participant_user.pk).email != (
        "pat@example.org"
    )


def test_it_refuses_someone_outside_the_team_and_changes_nothing(world):
    participant = Participant.objects.get(pk=world.participant.pk)
    with pytest.raises(RuleViolation, match="Only a coordinator"):
        participant_update(
            participant=participant,
            actor=world.other_supporter,
            expected_version=participant.version,
            phone="555-201-3344",
        )
    assert Participant.objects.get(pk=world.participant.pk).phone == participant.phone
    assert not events()


def test_the_person_changes_only_how_to_reach_and_address_them(world):
    participant = Participant.objects.get(pk=world.participant.pk)
    with pytest.raises(RuleViolation, match="Ask your peer supporter"):
        participant_update(
            participant=participant,
            actor=world.participant_user,
            expected_version=participant.version,
            last_name="Other",
        )
    saved = participant_update(
        participant=participant,
        actor=world.participant_user,
        expected_version=participant.version,
        pronouns="she/her",
    )
    assert saved.pronouns == "she/her"
