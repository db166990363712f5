"""Exporting a participant's record as a FHIR bundle, and disclosing it under a consent.

Three readers, three rules (docs/fhir.md):
- the participant, for themself: their own record, logged as a read;
- the team, for care coordination inside it: logged as a read, no disclosure;
- anyone else (``recipient``): a disclosure, made only through
  ``consents.services.disclosure_make``, so an active consent must cover the recipient,
  the purpose and every kind of information the bundle holds; the bundle then carries
  the re-disclosure notice and the consent's scope in ``Bundle.meta``.
Every export records the audit event ``fhir.exported``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from fhir.resources.R4B.bundle import Bundle

from alongside.audit.services import event_record
from alongside.consents.models import Disclosure, Purpose, Relationship
from alongside.consents.services import Recipient, disclosure_make
from alongside.core.errors import RuleViolation
from alongside.fhir.bundle import BundleBuilder, disclosure_meta
from alongside.fhir.selectors import record_load

MEDIA_TYPE = "application/fhir+json"


@dataclass(frozen=True)
class Export:
    bundle: Bundle
    json: str
    counts: dict[str, int]
    categories: list[str]
    disclosure: Disclosure | None = None


def bundle_build(participant, engagements: QuerySet, *, open_referrals=None) -> BundleBuilder:
    """The builder holding every resource of the record (no log, no disclosure)."""
    return BundleBuilder(
        record_load(participant, engagements, open_referrals=open_referrals)
    ).build()


def _summary(builder: BundleBuilder, bundle: Bundle) -> str:
    counts = ", ".join(f"{n} {kind}" for kind, n in sorted(builder.counts().items()))
    return _("FHIR R4 bundle %(id)s (%(counts)s).") % {
        "id": bundle.identifier.value,
        "counts": counts,
    }


def fhir_export(
    *,
    actor,
    participant,
    engagements: QuerySet,
    subject=None,
    open_referrals: QuerySet | None = None,
    recipient: str = "",
    purpose: str = "",
    relationship: str = Relationship.OTHER,
    engagement=None,
    reason: str = "internal",
) -> Export:
    """Build the bundle of ``participant`` over ``engagements`` (scoped by the caller).

    ``subject``: the record the audit event names (the participant or the engagement).
    With a ``recipient`` the export is a disclosure (see the module docstring); without
    one it is the participant's own copy or the team's (``reason``: "participant",
    "internal", "request"). A refused disclosure raises RuleViolation and records nothing.
    """
    recipient = " ".join((recipient or "").split())
    if recipient and purpose not in Purpose.values:
        raise RuleViolation(
            _("Say for what purpose the record is released to %(recipient)s.")
            % {"recipient": recipient},
            missing=["purpose"],
        )
    if recipient and relationship not in Relationship.values:
        raise RuleViolation(
            _("Say what the recipient is to the participant."), missing=["relationship"]
        )
    builder = bundle_build(participant, engagements, open_referrals=open_referrals)
    categories = builder.categories()
    with transaction.atomic():
        disclosure = None
        meta = None
        draft = builder.bundle()
        if recipient:
            disclosure = disclosure_make(
                participant=participant,
                recipient=Recipient(name=recipient, relationship=relationship),
                purpose=purpose,
                categories=categories,
                actor=actor,
                content=_summary(builder, draft),
                engagement=engagement,
            )
            meta = disclosure_meta(disclosure, participant.organization.slug)
        bundle = draft if meta is None else draft.model_copy(update={"meta": meta})
        text = bundle.model_dump_json()
        event_record(
            actor=actor,
            organization=participant.organization,
            action="fhir.exported",
            obj=subject or participant,
            data={
                "bundle": bundle.identifier.value,
                "for": "disclosure" if disclosure else reason,
                "disclosure": disclosure.pk if disclosure else None,
                "resources": builder.counts(),
                "sha256": hashlib.sha256(text.encode()).hexdigest(),
            },
        )
    return Export(
        bundle=bundle,
        json=text,
        counts=builder.counts(),
        categories=categories,
        disclosure=disclosure,
    )
