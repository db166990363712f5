"""Referral intake and screening."""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Replace, Right
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.models import experience_choices
from alongside.audit.services import event_record
from alongside.core.errors import RuleViolation
from alongside.core.services import save_changes
from alongside.engagements.models import Engagement
from alongside.engagements.services import OPEN_STATES
from alongside.participants.models import DETAIL_FIELDS, Participant
from alongside.referrals.models import OPEN_STATUSES, Referral, Status

logger = logging.getLogger(__name__)

# Punctuation people type in phone numbers; stripped in the database to compare digits.
_PHONE_PUNCTUATION = " -().+/"
# Fewer digits than this is not a phone number worth comparing.
_MIN_PHONE_DIGITS = 7


def referral_create(
    *, organization, program, actor, participant: Participant | dict, **fields
) -> Referral:
    """Record a referral; a dict of person details creates the participant record.

    A referral for someone who already has an open referral or engagement in the
    organization is flagged (``duplicate_of_referral`` / ``duplicate_of_engagement``),
    never merged and never refused: a person may be referred twice on purpose.
    """
    if program.organization_id != organization.pk:
        raise RuleViolation(_("Choose a program of this organization."))
    if not program.is_active:
        raise RuleViolation(_("%(program)s is not taking referrals.") % {"program": program})
    _check_experience(organization, fields.get("lived_experience_wanted"))
    with transaction.atomic():
        if isinstance(participant, dict):
            person = {k: v for k, v in participant.items() if k in DETAIL_FIELDS}
            participant = Participant(organization=organization, **person)
            participant._history_user = actor
            participant.full_clean()
            match = duplicate_find(organization=organization, person=_person_of(participant))
            participant.save()
        elif participant.organization_id != organization.pk:
            raise RuleViolation(_("That participant belongs to another organization."))
        else:
            match = duplicate_find(organization=organization, participant=participant)
        referral = Referral(
            organization=organization,
            program=program,
            participant=participant,
            received_by=actor if getattr(actor, "pk", None) else None,
            duplicate_of_referral=match.referral,
            duplicate_of_engagement=match.engagement,
            **fields,
        )
        referral._history_user = actor if getattr(actor, "pk", None) else None
        # Who received and who screened are set here, never input; both may be empty.
        referral.full_clean(exclude=["received_by", "screened_by"])
        referral.save()
        event_record(
            actor=actor,
            organization=organization,
            action="referral.received",
            obj=referral,
            data={
                "channel": referral.channel,
                **({"duplicate_of_referral": match.referral.pk} if match.referral else {}),
                **({"duplicate_of_engagement": match.engagement.pk} if match.engagement else {}),
            },
        )
    return referral


def _check_experience(organization, wanted) -> None:
    if not wanted:
        return
    known = {code for code, _label in experience_choices(organization)}
    unknown = [str(code) for code in wanted if code not in known]
    if unknown:
        raise ValidationError(
            {
                "lived_experience_wanted": _(
                    "Unknown lived-experience area: %(codes)s. Choose from the list."
                )
                % {"codes": ", ".join(unknown)}
            }
        )


# duplicates --------------------------------------------------------------------------


@dataclass(frozen=True)
class DuplicateMatch:
    """The open referral and open engagement a new referral may duplicate (either may be None)."""

    referral: Referral | None = None
    engagement: Engagement | None = None


def phone_key(phone: str) -> str:
    """The last ten digits of a phone number ("" when too short to compare)."""
    number = re.split(r"(?i)x|ext", phone or "")[0]  # an extension is not the number
    digits = re.sub(r"\D", "", number)
    return digits[-10:] if len(digits) >= _MIN_PHONE_DIGITS else ""


def name_key(first: str, last: str) -> str:
    """First and last name, case- and accent-insensitive ("José" and "JOSE" compare equal)."""
    text = unicodedata.normalize("NFKD", f"{first or ''} {last or ''}")
    bare = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def _phone_digits(field: str):
    expression = F(field)
    for char in _PHONE_PUNCTUATION:
        expression = Replace(expression, Value(char), Value(""))
    return Right(expression, 10)


def _same_person(queryset: QuerySet, person: dict, participant_id: int | None) -> list:
    """Rows of ``queryset`` (referrals or engagements) about the same person, oldest first.

    One query: email and phone match in the database; name and date of birth are
    narrowed there by the date and compared in Python, where case folding and
    accents are dependable on SQLite and PostgreSQL alike.
    """
    email = (person.get("email") or "").strip()
    phone = phone_key(person.get("phone") or "")
    born = person.get("date_of_birth")
    name = name_key(person.get("first_name", ""), person.get("last_name", ""))
    condition = Q()
    if participant_id:
        condition |= Q(participant_id=participant_id)
    if email:
        condition |= Q(participant__email__iexact=email)
    if phone:
        queryset = queryset.annotate(_phone_key=_phone_digits("participant__phone"))
        condition |= Q(_phone_key=phone)
    if born and name:
        condition |= Q(participant__date_of_birth=born)
    if not condition:
        return []
    rows = list(queryset.filter(condition).select_related("participant"))

    def same(row) -> bool:
        other = row.participant
        if participant_id and other.pk == participant_id:
            return True
        if email and other.email.strip().casefold() == email.casefold():
            return True
        if phone and phone_key(other.phone) == phone:
            return True
        return bool(
            born
            and other.date_of_birth == born
            and name_key(other.first_name, other.last_name) == name
        )

    return [row for row in rows if same(row)]


def _person_of(participant: Participant) -> dict:
    return {field: getattr(participant, field) for field in DETAIL_FIELDS}


def duplicate_find(
    *, organization, person: dict | None = None, participant: Participant | None = None
) -> DuplicateMatch:
    """The open referral (oldest) and open engagement (latest) of the same person, if any.

    Same person: the same participant record, the same email (any case), the same
    phone (last ten digits), or the same first and last name (any case, accents
    ignored) with the same date of birth when both are known. Two queries, whatever
    the data size.
    """
    if participant is not None:
        person = _person_of(participant)
    person = person or {}
    participant_id = participant.pk if participant is not None else None
    referrals = _same_person(
        Referral.objects.filter(organization=organization, status__in=OPEN_STATUSES).order_by(
            "received_at", "pk"
        ),
        person,
        participant_id,
    )
    engagements = _same_person(
        Engagement.objects.filter(organization=organization, state__in=OPEN_STATES)
        .select_related("program")
        .order_by("-started_on", "-pk"),
        person,
        participant_id,
    )
    return DuplicateMatch(
        referral=referrals[0] if referrals else None,
        engagement=engagements[0] if engagements else None,
    )


# screening ---------------------------------------------------------------------------


def _screen(referral: Referral, actor, status: str, fields: list[str], data: dict) -> Referral:
    """Screen the referral as stored now (locked), so two decisions cannot both pass."""
    with transaction.atomic():
        current = Referral.objects.select_for_update().get(pk=referral.pk)
        if current.status not in OPEN_STATUSES:
            raise RuleViolation(
                _("This referral is already %(status)s.")
                % {"status": current.get_status_display()}
            )
        for name in fields:
            setattr(current, name, getattr(referral, name))
        referral = current
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


def referral_decline(
    *, referral: Referral, actor, reason: str, share_reason: bool = False
) -> Referral:
    """Decline with a reason; a referrer who left an email is told, after commit.

    The email says only that the program cannot offer support now (and the reason,
    word for word, when the coordinator chose to share it). The person referred is
    not emailed: their contact details are for the coordinator to call.
    """
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_("Say why the referral is declined."))
    referral.decline_reason = reason
    with transaction.atomic():
        _screen(referral, actor, Status.DECLINED, ["decline_reason"], {"reason": reason})
        if referral.referrer_email:
            _inform_referrer(referral, actor, share_reason=share_reason)
    return referral


def _inform_referrer(referral: Referral, actor, *, share_reason: bool) -> None:
    message = decline_message(referral, share_reason=share_reason)
    subject = _("Your referral to %(organization)s") % {"organization": referral.organization}
    recipient = referral.referrer_email

    def send() -> None:
        try:
            send_mail(
                subject=subject,
                message=message,
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[recipient],
            )
        except Exception:  # the decline stands; the coordinator can still call
            logger.exception("Could not email the referrer of referral %s", referral.pk)

    transaction.on_commit(send)
    event_record(
        actor=actor,
        organization=referral.organization,
        action="referral.referrer_informed",
        obj=referral,
        data={"by": "email", "reason_shared": bool(share_reason)},
    )


def decline_message(referral: Referral, *, share_reason: bool) -> str:
    """The referrer's email: no name of the person, no clinical detail."""
    greeting = (
        _("Dear %(name)s,") % {"name": referral.referrer_name}
        if referral.referrer_name
        else _("Hello,")
    )
    lines = [
        greeting,
        "",
        _(
            "Thank you for your referral of %(date)s (reference %(ref)s) to %(organization)s. "
            "We are unable to offer peer support through %(program)s at this time."
        )
        % {
            "date": timezone.localtime(referral.received_at).date().isoformat(),
            "ref": f"R-{referral.pk}",
            "organization": referral.organization,
            "program": referral.program,
        },
    ]
    if share_reason:
        lines += ["", _("The reason: %(reason)s") % {"reason": referral.decline_reason}]
    lines += [
        "",
        _(
            "If you have questions, please contact %(organization)s and give the reference "
            "above. If someone is in crisis, call or text 988; in an emergency, call 911."
        )
        % {"organization": referral.organization},
    ]
    return "\n".join(lines)


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


__all__ = [
    "DuplicateMatch",
    "decline_message",
    "duplicate_find",
    "referral_accept",
    "referral_create",
    "referral_decline",
    "referral_waitlist",
]
