"""The participant's own record, downloaded: a readable PDF or a FHIR R4 Bundle.

The right of access: the participant (in the portal) or a coordinator at their request
downloads the whole record. Both the request and the delivery are recorded (audit
events ``record.requested`` and ``record.delivered``); this is not a disclosure (it goes
to the participant), so no consent is needed.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.audit.services import event_record
from alongside.core.errors import RuleViolation
from alongside.fhir.services import MEDIA_TYPE, fhir_export
from alongside.records.pdf import record_pdf


class Format:
    PDF = "pdf"
    FHIR = "fhir"
    CHOICES = (PDF, FHIR)


# Who asked, as the request records it.
PARTICIPANT = "participant"
REPRESENTATIVE = "representative"
REQUESTERS = (PARTICIPANT, REPRESENTATIVE)
NOTE_MAX_LENGTH = 1000


@dataclass(frozen=True)
class Download:
    content: bytes
    content_type: str
    filename: str


def _filename(participant, fmt: str) -> str:
    today = timezone.localdate().isoformat()
    name = f"{participant.first_name} {participant.last_name}".strip() or "participant"
    suffix = "pdf" if fmt == Format.PDF else "fhir.json"
    return f"Record {name} {today}.{suffix}"


def record_download(
    *,
    actor,
    participant,
    engagements: QuerySet,
    fmt: str,
    channel: str,
    requested_by: str = PARTICIPANT,
    requested_on: datetime.date | None = None,
    note: str = "",
) -> Download:
    """Record the request, make the download, record its delivery; answer the download.

    ``channel``: "portal" (the participant themself) or "staff" (a coordinator at the
    participant's request, which needs ``note``: who asked, how, when). A refused
    request (RuleViolation) records nothing.
    """
    if fmt not in Format.CHOICES:
        raise RuleViolation(_("Choose PDF or FHIR."), missing=["format"])
    note = " ".join((note or "").split())
    requested_on = requested_on or timezone.localdate()
    if channel == "staff":
        if requested_by not in REQUESTERS:
            raise RuleViolation(_("Say who asked for the record."), missing=["requested_by"])
        if not note:
            raise RuleViolation(_("Note the request: who asked, how and when."), missing=["note"])
        if len(note) > NOTE_MAX_LENGTH:
            raise RuleViolation(
                _("Keep the note under %(n)d characters.") % {"n": NOTE_MAX_LENGTH},
                missing=["note"],
            )
        if requested_on > timezone.localdate():
            raise RuleViolation(
                _("The request cannot be dated in the future."), missing=["requested_on"]
            )
    organization = participant.organization
    with transaction.atomic():
        event_record(
            actor=actor,
            organization=organization,
            action="record.requested",
            obj=participant,
            data={
                "format": fmt,
                "channel": channel,
                "requested_by": requested_by,
                "requested_on": requested_on.isoformat(),
                "note": note,
            },
        )
        if fmt == Format.PDF:
            content = record_pdf(participant, engagements)
            content_type = "application/pdf"
        else:
            export = fhir_export(
                actor=actor,
                participant=participant,
                engagements=engagements,
                reason="participant" if channel == "portal" else "request",
            )
            content, content_type = export.json.encode(), MEDIA_TYPE
        event_record(
            actor=actor,
            organization=organization,
            action="record.delivered",
            obj=participant,
            data={
                "format": fmt,
                "channel": channel,
                "bytes": len(content),
                "sha256": hashlib.sha256(content).hexdigest(),
            },
        )
    return Download(content, content_type, _filename(participant, fmt))
