"""A complete consent for the personas of the root conftest, to vary one element at a time."""

from __future__ import annotations

import datetime

from django.utils import timezone

from alongside.consents.models import SignatureMethod
from alongside.consents.services import consent_create


def elements(**changes) -> dict:
    today = timezone.localdate()
    values = {
        "signature_method": SignatureMethod.PAPER,
        "signature_name": "Pat Rivera",
        "signed_on": today,
        "categories": ["attendance", "goals"],
        "amount": "Dates of meetings and current goals",
        "recipient_kind": "named",
        "recipient_name": "Eastside Clinic",
        "purposes": ["treatment"],
        "expires_on": today + datetime.timedelta(days=365),
    }
    values.update(changes)
    return values


def make_consent(world, **changes):
    return consent_create(
        participant=world.participant,
        engagement=world.engagement,
        actor=world.supporter,
        **elements(**changes),
    )
