"""Expiry and revocation stop a consent covering anything, at once."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from alongside.audit.models import AuditEvent
from alongside.consents.models import RevocationMethod
from alongside.consents.services import consent_revoke
from alongside.consents.tests.factories import make_consent
from alongside.core.errors import RuleViolation

ONE_MICROSECOND = datetime.timedelta(microseconds=1)


def test_it_covers_until_the_start_of_its_expiry_day(world):
    expires_on = timezone.localdate() + datetime.timedelta(days=10)
    consent = make_consent(world, expires_on=expires_on)
    boundary = timezone.make_aware(datetime.datetime.combine(expires_on, datetime.time.min))

    assert consent.is_active(at=boundary - ONE_MICROSECOND)
    assert not consent.is_active(at=boundary)
    assert consent.status(at=boundary) == "expired"


def test_revocation_stops_coverage_at_that_moment(world):
    consent = make_consent(world)
    revoked = consent_revoke(
        consent=consent, actor=world.participant_user, method=RevocationMethod.PORTAL
    )

    assert revoked.is_active(at=revoked.revoked_at - ONE_MICROSECOND)
    assert not revoked.is_active(at=revoked.revoked_at)
    assert not revoked.is_active()
    assert revoked.status() == "revoked"
    assert revoked.revoked_by == world.participant_user
    assert revoked.revocation_method == "portal"
    event = AuditEvent.objects.get(action="consent.revoked")
    assert event.data == {"method": "portal"}


def test_it_cannot_be_revoked_twice(world):
    consent = make_consent(world)
    consent_revoke(consent=consent, actor=world.supporter, method=RevocationMethod.WRITTEN)

    with pytest.raises(RuleViolation):
        consent_revoke(consent=consent, actor=world.supporter, method=RevocationMethod.WRITTEN)
