"""Referral intake and screening."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.audit.services import event_record
from alongside.core.errors import RuleViolation
from alongside.core.services import save_changes
from alongside.participants.models import Participant
from alongside.referrals.models import OPEN_STATUSES, Referral, Status

PARTICIPANT_FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "pronouns",
    "date_of_birth",
    "preferred_language",
    "phone",
    "email",
)


def referral_create(
    *, organization, program, actor, participant: Participant | dict, **fields
) -> Referral:
    """Record a referral; a dict of person details creates the participant record."""
    if program.organization_id != organization.pk:
        raise RuleViolation(_("Choose a program of this organization."))
    if not program.is_active:
        raise RuleViolation(_("%(program)s is not taking referrals.") % {"program": program})
    with transaction.atomic():
        if isinstance(participant, dict):
            person = {k: v for k, v in participant.items() if k in PARTICIPANT_FIELDS}
            participant = Participant(organization=organization, **person)
            participant._history_user = actor
            participant.full_clean()
            participant.save()
        elif participant.organization_id != organization.pk:
            raise RuleViolation(_("That participant belongs to another organization."))
        referral = Referral(
            organization=organization,
            program=program,
            participant=participant,
            received_by=actor,
            **fields,
        )
        referral._history_user = actor
        # Who received and who screened are set here, never input; both may be empty.
        referral.full_clean(exclude=["received_by", "screened_by"])
        referral.save()
        event_record(
            actor=actor, organization=organization, action="referral.received", obj=referral
        )
    return referral


def _screen(referral: Referral, actor, status: str, fields: list[str], data: dict) -> Referral:
    if referral.status not in OPEN_STATUSES:
        raise RuleViolation(
            _("This referral is already %(status)s.") % {"status": referral.get_status_display()}
        )
    with transaction.atomic():
        referral.status = status
        referral.screened_at = timezone.now()
        referral.screened_by = actor
        save_changes(referral, actor, ["status", "screened_at", "screened_by", *fields])
        event_record(
            actor=actor,
            organization=referral.organization,
            action=f"referral.{status}",
            obj=referral,
            data=data,
        )
    return referral


def referral_accept(*, referral: Referral, actor) -> Referral:
    return _screen(referral, actor, Status.ACCEPTED, [], {})


def referral_decline(*, referral: Referral, actor, reason: str) -> Referral:
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_("Say why the referral is declined."))
    referral.decline_reason = reason
    return _screen(referral, actor, Status.DECLINED, ["decline_reason"], {"reason": reason})


def referral_waitlist(*, referral: Referral, actor, priority: int = 3) -> Referral:
    try:
        priority = int(priority)
    except (TypeError, ValueError):
        priority = 0
    if not 1 <= priority <= 5:
        raise RuleViolation(_("Waitlist priority runs from 1 (highest) to 5."))
    referral.waitlist_priority = priority
    return _screen(
        referral, actor, Status.WAITLISTED, ["waitlist_priority"], {"priority": priority}
    )
