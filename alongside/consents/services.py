"""Making and revoking consents, and the one way information leaves the team: disclosure_make."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alongside.audit.services import event_record
from alongside.consents import statements
from alongside.consents.models import (
    TPO_PURPOSES,
    Category,
    Consent,
    Disclosure,
    Purpose,
    RecipientKind,
    Relationship,
    RevocationMethod,
    SignatureMethod,
)
from alongside.core.errors import RuleViolation
from alongside.engagements.services import ensure_writable

# The §2.31 elements a consent cannot be saved without, by field, each message naming it.
ELEMENTS = {
    "participant_name": gettext_lazy("the participant's name"),
    "discloser": gettext_lazy("who may release the information (the program or organization)"),
    "categories": gettext_lazy("what kind of information may be released"),
    "other_description": gettext_lazy("a description of the “other” information"),
    "amount": gettext_lazy("how much information may be released"),
    "recipient_kind": gettext_lazy("how the recipients are designated"),
    "recipient_name": gettext_lazy("the recipient's name"),
    "purposes": gettext_lazy("the purpose of the release"),
    "purpose_detail": gettext_lazy("a description of the “other” purpose"),
    "revocation_statement": gettext_lazy("the statement of the right to revoke and how"),
    "expires_on": gettext_lazy("an expiry date, or the event or condition on which it expires"),
    "signature_name": gettext_lazy("the signature (the full name as signed)"),
    "signed_on": gettext_lazy("the date it was signed"),
    "guardian_name": gettext_lazy("the guardian's name"),
    "guardian_relationship": gettext_lazy("the guardian's relationship or authority"),
    "tpo_redisclosure_statement": gettext_lazy("the statement on redisclosure under HIPAA"),
    "tpo_proceedings_statement": gettext_lazy(
        "the statement on use in proceedings against the participant"
    ),
}


def _blank(value) -> bool:
    return not (value.strip() if isinstance(value, str) else value)


def _missing(consent: Consent) -> list[str]:
    """Fields of the §2.31 elements this consent lacks."""
    missing = [
        name
        for name in (
            "participant_name",
            "discloser",
            "categories",
            "amount",
            "recipient_kind",
            "purposes",
            "revocation_statement",
            "signature_name",
            "signed_on",
        )
        if _blank(getattr(consent, name))
    ]
    if Category.OTHER in (consent.categories or []) and _blank(consent.other_description):
        missing.append("other_description")
    if consent.recipient_kind == RecipientKind.NAMED and _blank(consent.recipient_name):
        missing.append("recipient_name")
    if Purpose.OTHER in (consent.purposes or []) and _blank(consent.purpose_detail):
        missing.append("purpose_detail")
    if consent.expires_on is None and _blank(consent.expiry_event):
        missing.append("expires_on")
    if consent.signed_by_guardian:
        missing += [
            f for f in ("guardian_name", "guardian_relationship") if _blank(getattr(consent, f))
        ]
    if consent.covers_tpo:
        missing += [
            f
            for f in ("tpo_redisclosure_statement", "tpo_proceedings_statement")
            if _blank(getattr(consent, f))
        ]
    return missing


def consent_check(consent: Consent) -> None:
    """Refuse (ValidationError naming each problem) a consent missing a §2.31 element."""
    errors: dict[str, list[str]] = {}
    for name in _missing(consent):
        errors.setdefault(name, []).append(
            _("A consent cannot be saved without %(element)s.") % {"element": ELEMENTS[name]}
        )
    unknown = [c for c in consent.categories or [] if c not in Category.values]
    if unknown:
        errors.setdefault("categories", []).append(
            _("Unknown kinds of information: %(codes)s.") % {"codes": ", ".join(map(str, unknown))}
        )
    unknown = [p for p in consent.purposes or [] if p not in Purpose.values]
    if unknown:
        errors.setdefault("purposes", []).append(
            _("Unknown purposes: %(codes)s.") % {"codes": ", ".join(map(str, unknown))}
        )
    if consent.recipient_kind == RecipientKind.TPO and not consent.covers_tpo:
        errors.setdefault("recipient_kind", []).append(
            _(
                "That general designation is allowed only for a consent covering treatment, "
                "payment and health care operations; name the recipient instead."
            )
        )
    today = timezone.localdate()
    if consent.signed_on and consent.signed_on > today:
        errors.setdefault("signed_on", []).append(_("The signing date cannot be in the future."))
    if consent.expires_on and consent.signed_on and consent.expires_on <= consent.signed_on:
        errors.setdefault("expires_on", []).append(
            _("The expiry date must be after the signing date.")
        )
    if errors:
        raise ValidationError(errors)


def consent_create(
    *,
    participant,
    actor,
    signature_method: str,
    signature_name: str,
    categories: list[str],
    amount: str,
    recipient_kind: str,
    purposes: list[str],
    recipient_name: str = "",
    other_description: str = "",
    purpose_detail: str = "",
    covers_tpo: bool = False,
    expires_on: datetime.date | None = None,
    expiry_event: str = "",
    signed_on: datetime.date | None = None,
    signed_by_guardian: bool = False,
    guardian_name: str = "",
    guardian_relationship: str = "",
    engagement=None,
    participant_name: str | None = None,
    discloser: str | None = None,
    revocation_statement: str | None = None,
    tpo_redisclosure_statement: str | None = None,
    tpo_proceedings_statement: str | None = None,
) -> Consent:
    """Record a signed Authorization to Release Information; refused if an element is missing.

    Statements default to the program's current text (statements.py); the name of the
    participant and of the discloser default to the records'.
    """
    organization = participant.organization
    if engagement is not None and (
        engagement.participant_id != participant.pk
        or engagement.organization_id != organization.pk
    ):
        raise RuleViolation(_("That engagement is not this participant's."))
    if engagement is not None:
        ensure_writable(engagement)
    if signature_method == SignatureMethod.PORTAL:
        signed_on = timezone.localdate()
    if discloser is None:
        discloser = organization.name
    purposes = list(dict.fromkeys(purposes or []))
    if covers_tpo:
        purposes += [p for p in TPO_PURPOSES if p not in purposes]
    consent = Consent(
        organization=organization,
        participant=participant,
        engagement=engagement,
        participant_name=(
            participant_name
            if participant_name is not None
            else f"{participant.first_name} {participant.last_name}".strip()
        ),
        discloser=discloser.strip(),
        categories=list(dict.fromkeys(categories or [])),
        other_description=other_description.strip(),
        amount=amount.strip(),
        recipient_kind=recipient_kind,
        recipient_name=recipient_name.strip() if recipient_kind == RecipientKind.NAMED else "",
        purposes=purposes,
        purpose_detail=purpose_detail.strip(),
        covers_tpo=covers_tpo,
        revocation_statement=(
            revocation_statement
            if revocation_statement is not None
            else str(statements.REVOCATION_STATEMENT).format(organization=discloser.strip())
        ),
        expires_on=expires_on,
        expiry_event=expiry_event.strip(),
        signature_method=signature_method,
        signature_name=signature_name.strip(),
        signed_on=signed_on,
        signed_by_guardian=signed_by_guardian,
        guardian_name=guardian_name.strip() if signed_by_guardian else "",
        guardian_relationship=guardian_relationship.strip() if signed_by_guardian else "",
        recorded_by=actor,
        tpo_redisclosure_statement=_statement(
            covers_tpo, tpo_redisclosure_statement, statements.TPO_REDISCLOSURE_STATEMENT
        ),
        tpo_proceedings_statement=_statement(
            covers_tpo, tpo_proceedings_statement, statements.TPO_PROCEEDINGS_STATEMENT
        ),
    )
    consent_check(consent)
    consent.full_clean()
    with transaction.atomic():
        consent.save()
        event_record(
            actor=actor,
            organization=organization,
            action="consent.created",
            obj=consent,
            data={"signature_method": signature_method, "covers_tpo": covers_tpo},
        )
    return consent


def _statement(covers_tpo: bool, given: str | None, default) -> str:
    if not covers_tpo:
        return ""
    return given if given is not None else str(default)


def consent_revoke(*, consent: Consent, actor, method: str, note: str = "") -> Consent:
    """Stop a consent covering anything from now on; who, when and how are kept."""
    if method not in RevocationMethod.values:
        raise RuleViolation(_("Say how the consent was revoked."))
    with transaction.atomic():
        current = Consent.objects.select_for_update().get(pk=consent.pk)
        if current.revoked_at is not None:
            raise RuleViolation(_("This consent was already revoked."))
        if not current.is_active():
            raise RuleViolation(_("This consent has already expired; there is nothing to revoke."))
        current.revoked_at = timezone.now()
        current.revoked_by = actor
        current.revocation_method = method
        current.revocation_note = note.strip()[:500]
        current.save(
            update_fields=["revoked_at", "revoked_by", "revocation_method", "revocation_note"]
        )
        event_record(
            actor=actor,
            organization=current.organization,
            action="consent.revoked",
            obj=current,
            data={"method": method},
        )
    return current


@dataclass(frozen=True)
class Recipient:
    """Who receives a disclosure, and what they are to the participant."""

    name: str
    relationship: str = Relationship.OTHER


def _covering(consents: list[Consent], recipient: Recipient, purpose: str, categories: list[str]):
    """The consent that covers it all, or a RuleViolation naming what is not covered."""
    name = recipient.name
    reaching = [c for c in consents if c.reaches(name, recipient.relationship)]
    if not reaching:
        return RuleViolation(
            _(
                "No active consent names %(recipient)s as a recipient. Ask the participant "
                "for an authorization that names them."
            )
            % {"recipient": name},
            missing=[_("recipient: %(name)s") % {"name": name}],
        )
    with_purpose = [c for c in reaching if c.covers_purpose(purpose)]
    if not with_purpose:
        label = Purpose(purpose).label if purpose in Purpose.values else purpose
        return RuleViolation(
            _("No active consent for %(recipient)s covers the purpose “%(purpose)s”.")
            % {"recipient": name, "purpose": label},
            missing=[_("purpose: %(purpose)s") % {"purpose": label}],
        )
    for consent in with_purpose:
        if not consent.missing_categories(categories):
            return consent
    closest = min(with_purpose, key=lambda c: len(c.missing_categories(categories)))
    labels = [str(Category(code).label) for code in closest.missing_categories(categories)]
    return RuleViolation(
        _("No active consent for %(recipient)s covers this information: %(what)s.")
        % {"recipient": name, "what": ", ".join(labels)},
        missing=labels,
    )


def consent_scope(consent: Consent) -> str:
    """A plain explanation of what the consent allows, sent with each disclosure (§2.32(b))."""
    expiry = []
    if consent.expires_on:
        expiry.append(_("on %(date)s") % {"date": date_format(consent.expires_on, "DATE_FORMAT")})
    if consent.expiry_event:
        expiry.append(_("upon %(event)s") % {"event": consent.expiry_event})
    purposes = consent.purpose_labels
    if consent.purpose_detail:
        purposes.append(consent.purpose_detail)
    return _(
        "Released under an Authorization to Release Information signed %(signed)s by "
        "%(signer)s. It allows %(discloser)s to release %(what)s (%(amount)s) to "
        "%(recipients)s for: %(purposes)s. It expires %(expiry)s, unless revoked earlier."
    ) % {
        "signed": date_format(consent.signed_on, "DATE_FORMAT"),
        "signer": consent.guardian_name if consent.signed_by_guardian else consent.signature_name,
        "discloser": consent.discloser,
        "what": "; ".join(consent.category_labels),
        "amount": consent.amount,
        "recipients": consent.recipients_display,
        "purposes": "; ".join(purposes),
        "expiry": _(" or ").join(expiry),
    }


def disclosure_make(
    *,
    participant,
    recipient: Recipient | str,
    purpose: str,
    categories: list[str],
    actor,
    content: str,
    engagement=None,
) -> Disclosure:
    """Release information outside the team, only under a consent that covers all of it.

    Checks that an active (unexpired, unrevoked) consent of the participant reaches the
    recipient, covers the purpose and every kind of information; records the disclosure
    (the accounting of disclosures); returns it with ``released_text`` stamped with the
    §2.32 notice and the consent's scope. Anything not covered raises RuleViolation.
    """
    if isinstance(recipient, str):
        recipient = Recipient(name=recipient)
    recipient = Recipient(
        name=" ".join(recipient.name.split()), relationship=recipient.relationship
    )
    categories = list(dict.fromkeys(categories or []))
    if not recipient.name:
        raise RuleViolation(_("Name the recipient."), missing=["recipient"])
    if not categories:
        raise RuleViolation(
            _("Choose what kind of information is released."), missing=["categories"]
        )
    if not content.strip():
        raise RuleViolation(_("Add the information to release."), missing=["content"])
    if engagement is not None and engagement.participant_id != participant.pk:
        raise RuleViolation(_("That engagement is not this participant's."))
    with transaction.atomic():
        now = timezone.now()
        # Locked, so a revocation made at the same moment waits for this release or wins.
        consents = [
            c
            for c in Consent.objects.select_for_update()
            .filter(participant=participant, revoked_at__isnull=True)
            .order_by("-signed_on", "-pk")
            if c.is_active(now)
        ]
        if not consents:
            raise RuleViolation(
                _(
                    "%(name)s has no active authorization to release information. Nothing "
                    "can be released until they sign one."
                )
                % {"name": participant},
                missing=[_("an active consent")],
            )
        found = _covering(consents, recipient, purpose, categories)
        if isinstance(found, RuleViolation):
            raise found
        disclosure = Disclosure.objects.create(
            organization=participant.organization,
            participant=participant,
            consent=found,
            engagement=engagement,
            recipient_name=recipient.name,
            recipient_relationship=recipient.relationship,
            purpose=purpose,
            categories=categories,
            content=content.strip(),
            notice=str(statements.REDISCLOSURE_NOTICE),
            scope=consent_scope(found),
            disclosed_at=now,
            released_by=actor,
        )
        event_record(
            actor=actor,
            organization=participant.organization,
            action="disclosure.made",
            obj=disclosure,
            data={"consent": found.pk, "purpose": purpose, "categories": categories},
        )
    return disclosure
