"""Recording what changed (audit events) and who read what (access log)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest

from alongside.audit.models import AccessLog, AccessLogParticipant, AuditEvent

_READS_ATTR = "_alongside_reads"


def event_record(
    *, actor, organization, action: str, obj: Model, data: dict[str, Any] | None = None
) -> AuditEvent:
    """Record a domain change; call inside the transaction that makes the change."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        organization=organization,
        action=action,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        data=data or {},
    )


def read_record(request: HttpRequest, what: str, participant_ids: Iterable[int]) -> None:
    """Note that this request shows participant records; written once, after the view."""
    reads = request.__dict__.setdefault(_READS_ATTR, {"what": [], "ids": set()})
    reads["what"].append(what)
    reads["ids"].update(int(pk) for pk in participant_ids if pk is not None)


def pending_reads(request: HttpRequest) -> dict | None:
    return request.__dict__.get(_READS_ATTR)


def access_log_write(
    *,
    organization,
    actor,
    method: str,
    path: str,
    what: str,
    participant_ids: Iterable[int],
    reason: str = "",
) -> AccessLog:
    """The one write of an access-log row, with its per-participant index rows (the
    participant's access history reads those), in one transaction."""
    ids = sorted({int(pk) for pk in participant_ids if pk is not None})
    # No savepoint inside a request's transaction: two INSERTs, nothing more.
    with transaction.atomic(savepoint=False):
        log = AccessLog.objects.create(
            organization=organization,
            actor=actor if getattr(actor, "pk", None) else None,
            method=method[:10],
            path=path[:500],
            what=what[:200],
            participant_ids=ids,
            reason=reason[:200],
        )
        AccessLogParticipant.objects.bulk_create(
            AccessLogParticipant(log=log, participant_id=pk, actor_id=log.actor_id, at=log.at)
            for pk in ids
        )
    return log
