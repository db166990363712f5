"""disclosure_make: nothing leaves the team without a consent covering all of it."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from alongside.audit.models import AuditEvent
from alongside.consents import statements
from alongside.consents.models import Disclosure, RevocationMethod
from alongside.consents.services import Recipient, consent_revoke, disclosure_make
from alongside.consents.tests.factories import make_consent
from alongside.core.errors import RuleViolation

ONE_MICROSECOND = datetime.timedelta(microseconds=1)


def release(world, **changes):
    arguments = {
        "participant": world.participant,
        "recipient": "Eastside Clinic",
        "purpose": "treatment",
        "categories": ["attendance"],
        "actor": world.supporter,
        "content": "Pat met their peer supporter weekly in March.",
    }
    arguments.update(changes)
    return disclosure_make(**arguments)


def test_it_records_a_covered_disclosure_and_stamps_the_notice(world):
    consent = make_consent(world)

    disclosure = release(
        world, recipient="  eastside   CLINIC ", categories=["attendance", "goals"]
    )

    assert disclosure.consent == consent
    assert disclosure.recipient_name == "eastside CLINIC"
    assert disclosure.categories == ["attendance", "goals"]
    assert disclosure.purpose == "treatment"
    assert disclosure.released_by == world.supporter
    assert disclosure.released_text.startswith("Pat met their peer supporter weekly")
    assert str(statements.REDISCLOSURE_NOTICE) in disclosure.released_text
    assert "42 CFR part 2" in disclosure.released_text
    assert "Eastside Clinic" in disclosure.scope
    event = AuditEvent.objects.get(action="disclosure.made")
    assert event.data["consent"] == consent.pk


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"recipient": "Westside Hospital"}, "Westside Hospital"),
        ({"purpose": "legal"}, "Court, probation or other legal matters"),
        ({"categories": ["attendance", "notes"]}, "Meeting notes"),
    ],
    ids=["recipient", "purpose", "category"],
)
def test_it_refuses_what_no_consent_covers_and_names_it(world, changes, named):
    make_consent(world)

    with pytest.raises(RuleViolation) as refused:
        release(world, **changes)

    assert named in refused.value.message
    assert Disclosure.objects.count() == 0


def test_it_refuses_without_any_consent(world):
    with pytest.raises(RuleViolation) as refused:
        release(world)

    assert "no active authorization" in refused.value.message
    assert not AuditEvent.objects.filter(action="disclosure.made").exists()


def test_a_revoked_consent_covers_nothing_from_then_on(world):
    consent = make_consent(world)
    release(world)
    consent_revoke(consent=consent, actor=world.supporter, method=RevocationMethod.WRITTEN)

    with pytest.raises(RuleViolation):
        release(world)
    assert Disclosure.objects.count() == 1


def test_an_expired_consent_covers_nothing_from_the_expiry_day(world):
    expires_on = timezone.localdate() + datetime.timedelta(days=5)
    make_consent(world, expires_on=expires_on)
    midnight = timezone.make_aware(datetime.datetime.combine(expires_on, datetime.time.min))

    with mock.patch("django.utils.timezone.now", return_value=midnight - ONE_MICROSECOND):
        assert release(world).pk
    with (
        mock.patch("django.utils.timezone.now", return_value=midnight),
        pytest.raises(RuleViolation),
    ):
        release(world)


def test_a_general_designation_reaches_treating_providers_only(world):
    make_consent(world, recipient_kind="treating")

    disclosure = release(
        world, recipient=Recipient(name="Dr. Lee, Eastside Clinic", relationship="treating")
    )
    assert disclosure.recipient_relationship == "treating"
    with pytest.raises(RuleViolation):
        release(world, recipient=Recipient(name="Acme Employer", relationship="other"))


def test_it_takes_the_consent_that_covers_everything(world):
    make_consent(world, categories=["attendance"])
    wider = make_consent(world, categories=["attendance", "surveys"])

    assert release(world, categories=["surveys", "attendance"]).consent == wider


def test_another_participants_consent_covers_nothing(world):
    from alongside.consents.services import consent_create
    from alongside.consents.tests.factories import elements

    consent_create(participant=world.other_participant, actor=world.other_supporter, **elements())

    with pytest.raises(RuleViolation):
        release(world)
