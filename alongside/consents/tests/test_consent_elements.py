"""A consent holds every element 42 CFR §2.31 requires, or it is not saved."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alongside.audit.models import AuditEvent
from alongside.consents import statements
from alongside.consents.models import Consent
from alongside.consents.tests.factories import make_consent

MISSING = [
    # (changes that drop the element, the field named, words of the message)
    ({"participant_name": ""}, "participant_name", "participant's name"),
    ({"discloser": " "}, "discloser", "who may release"),
    ({"categories": []}, "categories", "what kind of information"),
    ({"categories": ["other"]}, "other_description", "“other” information"),
    ({"amount": ""}, "amount", "how much information"),
    ({"recipient_kind": ""}, "recipient_kind", "how the recipients are designated"),
    ({"recipient_name": ""}, "recipient_name", "the recipient's name"),
    ({"purposes": []}, "purposes", "the purpose"),
    ({"purposes": ["other"]}, "purpose_detail", "“other” purpose"),
    ({"revocation_statement": ""}, "revocation_statement", "right to revoke"),
    ({"expires_on": None, "expiry_event": ""}, "expires_on", "expiry date, or the event"),
    ({"signature_name": ""}, "signature_name", "the signature"),
    ({"signed_on": None}, "signed_on", "the date it was signed"),
    (
        {"signed_by_guardian": True, "guardian_relationship": "Mother"},
        "guardian_name",
        "guardian's name",
    ),
    (
        {"signed_by_guardian": True, "guardian_name": "Ana Rivera"},
        "guardian_relationship",
        "relationship",
    ),
]


@pytest.mark.parametrize(("changes", "field", "words"), MISSING, ids=[m[1] for m in MISSING])
def test_it_refuses_a_consent_missing_an_element(world, changes, field, words):
    with pytest.raises(ValidationError) as refused:
        make_consent(world, **changes)

    assert field in refused.value.message_dict
    assert words in " ".join(refused.value.message_dict[field])
    assert Consent.objects.count() == 0
    assert not AuditEvent.objects.filter(action="consent.created").exists()


def test_it_names_every_missing_element_at_once(world):
    with pytest.raises(ValidationError) as refused:
        make_consent(world, amount="", purposes=[], recipient_name="")

    assert set(refused.value.message_dict) == {"amount", "purposes", "recipient_name"}


def test_a_complete_consent_is_saved_with_its_statements(world):
    consent = make_consent(world)

    assert consent.participant_name == "Pat Rivera"
    assert consent.discloser == world.org.name
    assert world.org.name in consent.revocation_statement
    assert "portal" in consent.revocation_statement
    assert consent.tpo_redisclosure_statement == ""
    assert consent.recorded_by == world.supporter
    assert consent.is_active()
    assert AuditEvent.objects.filter(action="consent.created", object_id=str(consent.pk)).exists()


def test_an_expiry_event_alone_is_enough(world):
    consent = make_consent(world, expires_on=None, expiry_event="when my support here ends")

    assert consent.is_active()


@pytest.mark.parametrize("statement", ["tpo_redisclosure_statement", "tpo_proceedings_statement"])
def test_a_tpo_consent_needs_both_statements(world, statement):
    with pytest.raises(ValidationError) as refused:
        make_consent(world, covers_tpo=True, **{statement: ""})

    assert list(refused.value.message_dict) == [statement]


def test_a_tpo_consent_carries_both_statements_and_the_tpo_purposes(world):
    consent = make_consent(world, covers_tpo=True, recipient_kind="tpo", purposes=[])

    assert consent.tpo_redisclosure_statement == str(statements.TPO_REDISCLOSURE_STATEMENT)
    assert consent.tpo_proceedings_statement == str(statements.TPO_PROCEEDINGS_STATEMENT)
    assert set(consent.purposes) == {"treatment", "payment", "operations"}


def test_the_broad_tpo_designation_needs_a_tpo_consent(world):
    with pytest.raises(ValidationError) as refused:
        make_consent(world, recipient_kind="tpo")

    assert "recipient_kind" in refused.value.message_dict


def test_treating_providers_may_be_designated_generally(world):
    consent = make_consent(world, recipient_kind="treating", recipient_name="ignored")

    assert consent.recipient_name == ""
    assert consent.recipients_display.startswith("My treating providers")


def test_it_refuses_a_signature_dated_in_the_future_or_an_expiry_before_it(world):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as future:
        make_consent(world, signed_on=today + datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as backwards:
        make_consent(world, expires_on=today)

    assert "signed_on" in future.value.message_dict
    assert "expires_on" in backwards.value.message_dict


def test_it_refuses_unknown_codes(world):
    with pytest.raises(ValidationError) as refused:
        make_consent(world, categories=["dreams"], purposes=["gossip"])

    assert {"categories", "purposes"} <= set(refused.value.message_dict)


def test_a_consent_cannot_be_attached_to_a_closed_engagement_by_any_door(world):
    from alongside.consents.models import Consent
    from alongside.core.errors import RuleViolation
    from alongside.engagements.models import State

    world.engagement.state = State.CLOSED
    world.engagement.closed_on = world.engagement.started_on
    world.engagement.save()
    with pytest.raises(RuleViolation, match="closed"):
        make_consent(world)
    assert not Consent.objects.exists()
