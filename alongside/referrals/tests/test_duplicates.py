"""Duplicate detection at intake: flagged with a link, never merged, never refused."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alongside.accounts.models import Role
from alongside.api.services import api_token_issue
from alongside.engagements.models import State
from alongside.participants.models import Participant
from alongside.referrals.models import Referral, Source, Status
from alongside.referrals.services import duplicate_find, name_key, phone_key, referral_create
from conftest import grant, make_user, open_engagement


def _refer(world, person: dict, program=None, **fields) -> Referral:
    fields.setdefault("source", Source.SELF)
    fields.setdefault("needs", "Someone to talk to.")
    return referral_create(
        organization=world.org,
        program=program or world.program,
        actor=world.coordinator,
        participant=person,
        **fields,
    )


@pytest.fixture
def first(world) -> Referral:
    """An open referral of Noa Peña, born 1990-04-01."""
    return _refer(
        world,
        {
            "first_name": "Noa",
            "last_name": "Peña",
            "date_of_birth": datetime.date(1990, 4, 1),
            "phone": "(555) 010-2233",
            "email": "Noa.Pena@Example.org",
        },
    )


def test_phone_and_name_keys_compare_what_people_mean():
    assert phone_key("+1 (555) 010-2233") == phone_key("555.010.2233") == "5550102233"
    assert phone_key("12-34") == ""
    assert name_key("José", "PEÑA") == name_key("jose", "pena") == "jose pena"
    assert name_key(" Anna  Maria ", "Straße") == name_key("anna maria", "STRASSE")


@pytest.mark.parametrize(
    "person",
    [
        {"first_name": "N", "email": "noa.pena@example.org"},
        {"first_name": "N", "phone": "+1 555 010 2233"},
        {"first_name": "N", "phone": "555-010-2233 ext 4"},
        {"first_name": "NOA", "last_name": "pena", "date_of_birth": datetime.date(1990, 4, 1)},
    ],
    ids=["email", "phone", "phone-with-extension", "name-and-birth-date"],
)
def test_the_same_person_is_flagged_and_not_merged(world, first, person):
    participants = Participant.objects.count()

    second = _refer(world, person, program=world.respite)

    assert second.duplicate_of_referral == first
    assert second.duplicate_of_engagement is None
    assert second.participant != first.participant  # a new record: nothing merged
    assert Participant.objects.count() == participants + 1
    assert second.status == Status.NEW
    first.refresh_from_db()
    assert first.duplicate_of_referral is None and first.status == Status.NEW


@pytest.mark.parametrize(
    "person",
    [
        {"first_name": "Noa", "last_name": "Peña"},  # no date of birth: not enough
        {"first_name": "Noa", "last_name": "Peña", "date_of_birth": datetime.date(1990, 4, 2)},
        {"first_name": "Noah", "last_name": "Peña", "date_of_birth": datetime.date(1990, 4, 1)},
        {"first_name": "Sam", "phone": "555-010-2234"},
        {"first_name": "Sam", "email": "noa.pena@example.com"},
    ],
)
def test_someone_else_is_not_flagged(world, first, person):
    second = _refer(world, person)

    assert second.duplicate_of_referral is None
    assert second.duplicate_of_engagement is None


def test_a_number_too_short_to_dial_is_refused_at_intake_whatever_the_door(world, first):
    # Too few digits to compare for duplicates, and too few to call back.
    with pytest.raises(ValidationError, match="area code"):
        _refer(world, {"first_name": "Sam", "phone": "2233"})


def test_an_open_engagement_is_flagged(world):
    world.participant.email = "pat@example.org"
    world.participant.save()

    referral = _refer(world, {"first_name": "Pat", "email": "PAT@example.org"})

    assert referral.duplicate_of_engagement == world.engagement
    assert referral.duplicate_of_referral is None


def test_referring_an_existing_participant_flags_their_own_engagement(world):
    referral = _refer(world, world.participant, program=world.respite)

    assert referral.duplicate_of_engagement == world.engagement


@pytest.mark.parametrize("status", [Status.DECLINED, Status.MATCHED])
def test_a_closed_referral_is_not_a_duplicate(world, first, status):
    Referral.objects.filter(pk=first.pk).update(status=status)

    second = _refer(world, {"first_name": "N", "email": "noa.pena@example.org"})

    assert second.duplicate_of_referral is None


def test_a_closed_engagement_is_not_a_duplicate(world):
    world.participant.email = "pat@example.org"
    world.participant.save()
    world.engagement.state = State.CLOSED
    world.engagement.save()

    referral = _refer(world, {"first_name": "Pat", "email": "pat@example.org"})

    assert referral.duplicate_of_engagement is None


def test_another_organization_is_never_searched(world):
    world.foreign_participant.email = "fran@example.org"
    world.foreign_participant.save()

    referral = _refer(world, {"first_name": "Fran", "email": "fran@example.org"})

    assert referral.duplicate_of_engagement is None


def test_the_oldest_open_referral_is_the_one_named(world, first):
    _refer(world, {"first_name": "N", "email": "noa.pena@example.org"})

    third = _refer(world, {"first_name": "N", "email": "noa.pena@example.org"})

    assert third.duplicate_of_referral == first


def test_the_audit_event_records_the_flags(world, first):
    from alongside.audit.models import AuditEvent

    second = _refer(world, {"first_name": "N", "email": "noa.pena@example.org"})

    event = AuditEvent.objects.get(action="referral.received", object_id=str(second.pk))
    assert event.data == {"channel": "staff", "duplicate_of_referral": first.pk}


def _grow(world, n: int, start: int) -> None:
    for i in range(start, start + n):
        person = Participant.objects.create(
            organization=world.org,
            first_name=f"P{i}",
            last_name="Same",
            date_of_birth=datetime.date(1990, 4, 1),
            phone=f"555-020-{i:04d}",
            email=f"p{i}@example.org",
        )
        Referral.objects.create(
            organization=world.org,
            program=world.program,
            participant=person,
            source="self",
            needs="x",
        )
        open_engagement(person, world.respite, world.supporter)


def _queries(world) -> int:
    person = {
        "first_name": "Noa",
        "last_name": "Same",
        "date_of_birth": datetime.date(1990, 4, 1),
        "phone": "555-020-0001",
        "email": "p2@example.org",
    }
    with CaptureQueriesContext(connection) as queries:
        duplicate_find(organization=world.org, person=person)
    return len(queries)


def test_the_search_takes_the_same_queries_whatever_the_data(world):
    _grow(world, 3, 0)
    small = _queries(world)
    _grow(world, 30, 3)

    assert _queries(world) == small == 2


# from each door ----------------------------------------------------------------------


def test_the_staff_form_flags_a_duplicate_and_links_to_it(client, world, first):
    client.force_login(world.coordinator)

    response = client.post(
        reverse("referrals:create"),
        {
            "person-first_name": "Noa",
            "person-last_name": "PENA",
            "person-date_of_birth": "1990-04-01",
            "person-preferred_language": "en",
            "referral-program": world.respite.pk,
            "referral-source": "self",
            "referral-needs": "Help",
            "referral-preferred_language": "en",
            "referral-urgency": "routine",
            "referral-remote_ok": "on",
        },
        follow=True,
    )

    second = Referral.objects.exclude(pk=first.pk).get()
    assert second.duplicate_of_referral == first
    assert second.channel == "staff"
    page = response.content.decode()
    assert "Possible duplicate" in page
    assert f'href="{reverse("referrals:detail", kwargs={"pk": first.pk})}"' in page
    assert "Open referral from" in page


def test_the_referral_page_links_to_the_open_engagement(client, world):
    world.participant.email = "pat@example.org"
    world.participant.save()
    referral = _refer(world, {"first_name": "Pat", "email": "pat@example.org"})
    client.force_login(world.coordinator)

    page = client.get(reverse("referrals:detail", kwargs={"pk": referral.pk})).content.decode()

    assert "Open engagement in" in page
    assert f'href="{reverse("engagements:detail", kwargs={"pk": world.engagement.pk})}"' in page
    assert "Community Peer Support" in page


def test_a_flag_outside_the_viewers_scope_is_shown_without_details(client, world):
    narrow = make_user("nell", "Nell")
    grant(narrow, world.org, Role.COORDINATOR, programs=[world.respite])
    world.participant.email = "pat@example.org"
    world.participant.save()
    referral = _refer(world, {"first_name": "Pat", "email": "pat@example.org"}, world.respite)
    client.force_login(narrow)

    page = client.get(reverse("referrals:detail", kwargs={"pk": referral.pk})).content.decode()

    assert "Possible duplicate" in page
    assert "a program you do not coordinate" in page
    assert reverse("engagements:detail", kwargs={"pk": world.engagement.pk}) not in page


def test_lists_show_a_badge(client, world, first):
    second = _refer(world, {"first_name": "N", "email": "noa.pena@example.org"})
    Referral.objects.filter(pk=second.pk).update(status=Status.ACCEPTED)
    client.force_login(world.coordinator)

    listed = client.get(reverse("referrals:list")).content.decode()
    waiting = client.get(reverse("referrals:waitlist")).content.decode()

    assert listed.count(">Possible duplicate</span>") == 1
    assert waiting.count(">Possible duplicate</span>") == 1


def test_the_public_page_flags_a_duplicate(client, world, first):
    response = client.post(
        reverse("referrals:public", kwargs={"slug": world.org.slug}),
        {
            "kind": "self",
            "first_name": "Noa",
            "phone": "555 010 2233",
            "preferred_language": "en",
            "program": world.program.pk,
            "needs": "Support please",
            "urgency": "routine",
            "remote_ok": "on",
        },
    )

    assert response.status_code == 302
    second = Referral.objects.get(channel="public")
    assert second.duplicate_of_referral == first
    assert second.participant != first.participant


def test_the_api_flags_a_duplicate(client, world, first):
    response = client.post(
        "/api/v1/referrals",
        {
            "participant": {"first_name": "Noa", "email": "NOA.PENA@example.org"},
            "program": world.program.pk,
            "source": "clinic",
            "needs": "Support please",
        },
        content_type="application/json",
        headers={"Authorization": f"Bearer {api_token_issue(user=world.coordinator)}"},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["duplicate_of_referral"] == first.pk
    assert body["duplicate_of_engagement"] is None
    assert body["participant"] != first.participant_id
