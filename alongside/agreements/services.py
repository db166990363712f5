"""Recording that a required agreement was signed."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.agreements.models import AgreementKind, AgreementRecord
from alongside.audit.services import event_record
from alongside.core.errors import RuleViolation
from alongside.engagements.services import ensure_writable


def agreement_record(
    *, engagement, kind: AgreementKind, signed_on: datetime.date, actor
) -> AgreementRecord:
    ensure_writable(engagement)
    if kind.organization_id != engagement.organization_id:
        raise RuleViolation(_("Choose an agreement of this organization."))
    if signed_on > timezone.localdate():
        raise RuleViolation(_("The signing date cannot be in the future."))
    if engagement.agreements.filter(kind=kind).exists():
        raise RuleViolation(_("%(kind)s is already recorded as signed.") % {"kind": kind})
    with transaction.atomic():
        record = AgreementRecord(
            engagement=engagement, kind=kind, signed_on=signed_on, recorded_by=actor
        )
        record._history_user = actor
        record.save()
        event_record(
            actor=actor,
            organization=engagement.organization,
            action="agreement.recorded",
            obj=record,
            data={"engagement": engagement.pk, "kind": kind.name},
        )
    return record
