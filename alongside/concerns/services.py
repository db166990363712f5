"""Raising a cause for concern and handling it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.audit.services import event_record
from alongside.concerns.models import Concern, ConcernStatus
from alongside.core.errors import RuleViolation
from alongside.core.services import save_changes


def concern_raise(
    *,
    organization,
    actor,
    category: str,
    description: str,
    urgency: str = "normal",
    engagement=None,
) -> Concern:
    if engagement is not None and engagement.organization_id != organization.pk:
        raise RuleViolation(_("That engagement belongs to another organization."))
    with transaction.atomic():
        concern = Concern(
            organization=organization,
            engagement=engagement,
            raised_by=actor,
            category=category,
            urgency=urgency,
            description=description.strip(),
        )
        concern._history_user = actor
        # Who raised and who handles are set here, never input; both may be empty.
        concern.full_clean(exclude=["raised_by", "handled_by"])
        concern.save()
        event_record(
            actor=actor,
            organization=organization,
            action="concern.raised",
            obj=concern,
            data={"category": category, "urgency": urgency},
        )
    return concern


def concern_update(*, concern: Concern, actor, status: str, resolution: str = "") -> Concern:
    """Triage: record the state of handling and what was done."""
    if status not in ConcernStatus.values:
        raise RuleViolation(_("Choose a status."))
    if status == ConcernStatus.RESOLVED and not resolution.strip():
        raise RuleViolation(_("Say what was done before marking the concern resolved."))
    with transaction.atomic():
        concern.status = status
        # Reopening keeps what was written; only new text replaces it.
        concern.resolution = resolution.strip() or concern.resolution
        concern.handled_by = actor
        concern.resolved_at = timezone.now() if status == ConcernStatus.RESOLVED else None
        save_changes(concern, actor, ["status", "resolution", "handled_by", "resolved_at"])
        event_record(
            actor=actor,
            organization=concern.organization,
            action=f"concern.{status}",
            obj=concern,
        )
    return concern
