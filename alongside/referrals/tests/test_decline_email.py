"""Declining tells the referrer by email, without clinical detail; never the person."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from alongside.audit.models import AuditEvent
from alongside.core.errors import RuleViolation
from alongside.referrals.models import Referral, Source, Status
from alongside.referrals.services import referral_create, referral_decline

NEEDS = "Early recovery from opioid use; recent overdose."
REASON = "Lives outside our service area; we suggested Hillside Peers."


def _refer(world, **fields) -> Referral:
    fields.setdefault("referrer_name", "Dana Case")
    fields.setdefault("referrer_organization", "Eastside Clinic")
    fields.setdefault("referrer_email", "dana@clinic.example")
    return referral_create(
        organization=world.org,
        program=world.program,
        actor=world.coordinator,
        participant={
            "first_name": "Robin",
            "last_name": "Diaz",
            "email": "robin@example.org",
            "phone": "555-010-2233",
        },
        source=Source.CLINIC,
        needs=NEEDS,
        **fields,
    )


def test_the_referrer_gets_a_short_email_after_commit(world, django_capture_on_commit_callbacks):
    referral = _refer(world)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        referral_decline(referral=referral, actor=world.coordinator, reason=REASON)
    assert mail.outbox == []  # nothing leaves before the decline is committed
    for callback in callbacks:
        callback()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["dana@clinic.example"]
    assert message.subject == "Your referral to Riverbend Peer Network"
    assert "Dear Dana Case," in message.body
    assert (
        "We are unable to offer peer support through Community Peer Support at this time."
        in message.body
    )
    assert f"reference R-{referral.pk}" in message.body
    assert "988" in message.body


def test_the_email_holds_no_clinical_detail_nor_the_persons_name(
    world, django_capture_on_commit_callbacks
):
    referral = _refer(world)

    with django_capture_on_commit_callbacks(execute=True):
        referral_decline(referral=referral, actor=world.coordinator, reason=REASON)

    body = mail.outbox[0].body + mail.outbox[0].subject
    for private in ("Robin", "Diaz", "robin@example.org", "555-010-2233", "opioid", REASON):
        assert private not in body


def test_the_reason_is_shared_only_when_the_coordinator_chooses(
    world, django_capture_on_commit_callbacks
):
    referral = _refer(world)

    with django_capture_on_commit_callbacks(execute=True):
        referral_decline(
            referral=referral, actor=world.coordinator, reason=REASON, share_reason=True
        )

    assert f"The reason: {REASON}" in mail.outbox[0].body
    assert "opioid" not in mail.outbox[0].body


def test_informing_the_referrer_is_audited(world, django_capture_on_commit_callbacks):
    referral = _refer(world)

    with django_capture_on_commit_callbacks(execute=True):
        referral_decline(
            referral=referral, actor=world.coordinator, reason=REASON, share_reason=True
        )

    event = AuditEvent.objects.get(action="referral.referrer_informed")
    assert event.object_id == str(referral.pk)
    assert event.actor == world.coordinator
    assert event.data == {"by": "email", "reason_shared": True}


def test_no_email_without_a_referrer_email(world, django_capture_on_commit_callbacks):
    referral = _refer(world, referrer_email="")

    with django_capture_on_commit_callbacks(execute=True):
        referral_decline(referral=referral, actor=world.coordinator, reason=REASON)

    assert mail.outbox == []  # and the person's own email is never used
    assert not AuditEvent.objects.filter(action="referral.referrer_informed").exists()
    referral.refresh_from_db()
    assert referral.status == Status.DECLINED


def test_a_refused_decline_sends_nothing(world, django_capture_on_commit_callbacks):
    referral = _refer(world)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuleViolation):
        referral_decline(referral=referral, actor=world.coordinator, reason="  ")

    assert mail.outbox == []


def test_a_mail_failure_does_not_undo_the_decline(
    world, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    referral = _refer(world)

    def broken(**kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("alongside.referrals.services.send_mail", broken)
    with django_capture_on_commit_callbacks(execute=True):
        referral_decline(referral=referral, actor=world.coordinator, reason=REASON)

    referral.refresh_from_db()
    assert referral.status == Status.DECLINED
    assert "Could not email the referrer" in caplog.text


def test_the_screening_form_offers_to_share_the_reason(
    client, world, django_capture_on_commit_callbacks
):
    referral = _refer(world)
    client.force_login(world.coordinator)
    url = reverse("referrals:detail", kwargs={"pk": referral.pk})
    assert "Share the reason with the referrer" in client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"decision": "decline", "reason": REASON, "share_reason": "on"}, follow=True
        )

    assert "The referrer is being told by email." in response.content.decode()
    assert f"The reason: {REASON}" in mail.outbox[0].body


def test_without_a_referrer_email_the_form_does_not_offer_it(client, world):
    referral = _refer(world, referrer_email="")
    client.force_login(world.coordinator)

    page = client.get(reverse("referrals:detail", kwargs={"pk": referral.pk})).content.decode()

    assert "Share the reason" not in page
