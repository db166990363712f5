"""Ending an engagement: start the exit, then complete it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.audit.services import event_record
from alongside.core.errors import RuleViolation
from alongside.core.services import save_changes
from alongside.engagements.models import Engagement, State
from alongside.engagements.services import (
    engagement_transition,
    ensure_writable,
    transition_refusal,
)
from alongside.exits.models import Exit, ExitReason


def exit_start_refusal(engagement: Engagement) -> str:
    """Why an exit cannot be started now ("" when it can); the page asks before offering it."""
    if Exit.objects.filter(engagement=engagement).exists():
        return _("The exit has already been started.")
    return transition_refusal(engagement, State.EXITING)


def exit_complete_refusal(engagement: Engagement) -> str:
    """Why the exit cannot be completed now ("" when it can)."""
    if (
        engagement.state != State.EXITING
        or not Exit.objects.filter(engagement=engagement).exists()
    ):
        return _("Start the exit, with its reason, before completing it.")
    return ""


def exit_start(*, engagement: Engagement, actor, reason: str, note: str = "") -> Exit:
    """Begin concluding: the engagement moves to exiting with the reason recorded."""
    ensure_writable(engagement)
    if reason not in ExitReason.values:
        raise RuleViolation(_("Choose why support is ending."))
    refusal = exit_start_refusal(engagement)
    if refusal:
        raise RuleViolation(refusal)
    with transaction.atomic():
        engagement = engagement_transition(
            engagement=engagement,
            to_state=State.EXITING,
            actor=actor,
            # A plain string: the label is lazy, and the audit event stores it as JSON.
            reason=str(ExitReason(reason).label),
        )
        exit_ = Exit(
            engagement=engagement,
            reason=reason,
            note=note.strip(),
            started_at=timezone.now(),
            started_by=actor,
        )
        exit_._history_user = actor
        exit_.save()
        event_record(
            actor=actor,
            organization=engagement.organization,
            action="exit.started",
            obj=exit_,
            data={"reason": reason},
        )
    return exit_


def exit_complete(*, engagement: Engagement, actor, note: str = "") -> Exit:
    """Close the engagement; from here on its record is read-only."""
    ensure_writable(engagement)
    refusal = exit_complete_refusal(engagement)
    if refusal:
        raise RuleViolation(refusal)
    exit_ = Exit.objects.get(engagement=engagement)
    with transaction.atomic():
        exit_.completed_at = timezone.now()
        exit_.completed_by = actor
        fields = ["completed_at", "completed_by"]
        if note.strip():
            exit_.note = f"{exit_.note}\n\n{note.strip()}".strip()
            fields.append("note")
        save_changes(exit_, actor, fields)
        engagement_transition(
            engagement=engagement,
            to_state=State.CLOSED,
            actor=actor,
            reason=_("Exit completed: %(reason)s") % {"reason": exit_.get_reason_display()},
        )
        event_record(
            actor=actor,
            organization=engagement.organization,
            action="exit.completed",
            obj=exit_,
        )
    return exit_
