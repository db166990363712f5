"""Raising a cause for concern and handling it.

Routing is conflict-aware (see selectors): the person a concern is about, and their
supervisors, never see it, are never told of it and can never be assigned to it. A
concern never changes the engagement it is about.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.models import Membership, Role
from alongside.audit.services import event_record
from alongside.concerns.models import (
    Concern,
    ConcernAction,
    ConcernStatus,
    ConcernUrgency,
    InformedHow,
    RaisedThrough,
)
from alongside.concerns.selectors import concern_handlers, conflicted, staff_of
from alongside.core.errors import RuleViolation
from alongside.core.services import save_changes
from alongside.notifications.services import notify


def concern_raise(
    *,
    organization,
    actor,
    category: str,
    description: str,
    urgency: str = "normal",
    engagement=None,
    subject=None,
    subject_text: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    wants_different_supporter: bool = False,
    raised_through: str = "",
) -> Concern:
    """Anyone may raise a concern; ``actor`` is None for the public page."""
    if engagement is not None and engagement.organization_id != organization.pk:
        raise RuleViolation(_("That engagement belongs to another organization."))
    if subject is not None:
        if actor is not None and subject.pk == actor.pk:
            raise RuleViolation(_("A concern is about someone else; talk to a coordinator."))
        if not staff_of(organization).filter(pk=subject.pk).exists():
            raise RuleViolation(_("Choose a staff member of this organization."))
    if wants_different_supporter and engagement is None:
        raise RuleViolation(_("Asking for a different peer supporter needs your support."))
    if not raised_through:
        raised_through = RaisedThrough.PUBLIC if actor is None else RaisedThrough.STAFF
    with transaction.atomic():
        concern = Concern(
            organization=organization,
            engagement=engagement,
            raised_by=actor,
            raised_through=raised_through,
            category=category,
            urgency=urgency,
            description=(description or "").strip(),
            subject_user=subject,
            subject_text=(subject_text or "").strip(),
            contact_name=(contact_name or "").strip(),
            contact_phone=(contact_phone or "").strip(),
            contact_email=(contact_email or "").strip(),
            wants_different_supporter=wants_different_supporter,
        )
        concern._history_user = actor
        # Who raised and who handles are set here, never input; both may be empty.
        concern.full_clean(exclude=["raised_by", "handled_by", "acknowledged_by"])
        handlers = list(concern_handlers(concern))
        concern.needs_outside_line = not handlers
        concern.save()
        event_record(
            actor=actor,
            organization=organization,
            action="concern.raised",
            obj=concern,
            data={"category": category, "urgency": urgency},
        )
        _tell_about(concern, handlers)
    return concern


def _tell_about(concern: Concern, handlers: list) -> None:
    """Urgent: every coordinator who may handle it, now. Nobody may: the admins, who can
    bring in someone outside the line. Never the subject, never a participant's details."""
    if concern.urgency == ConcernUrgency.URGENT:
        url = reverse("concerns:detail", args=[concern.pk])
        for user in handlers:
            notify(
                user=user,
                organization=concern.organization,
                text=lambda: _("An urgent concern was raised. Please look at it today."),
                url=url,
            )
    if concern.needs_outside_line:
        admins = Membership.objects.filter(
            organization=concern.organization, role=Role.ADMIN
        ).exclude(user_id__in=conflicted(concern))
        for membership in admins.select_related("user"):
            notify(
                user=membership.user,
                organization=concern.organization,
                text=lambda: _(
                    "A concern needs someone outside the line of management: no coordinator "
                    "may handle it. Give the coordinator role to someone who can."
                ),
            )


def _ensure_may_handle(concern: Concern, actor) -> None:
    if actor.pk in conflicted(concern):
        # Scoping hides it from them; this holds even when a caller forgot to scope.
        raise RuleViolation(_("Someone else must handle this concern."))


def _log(concern: Concern, actor, kind: str, text: str) -> ConcernAction:
    return ConcernAction.objects.create(concern=concern, actor=actor, kind=kind, text=text)


def concern_acknowledge(*, concern: Concern, actor) -> Concern:
    """Record that a coordinator has seen it; the clock for time to acknowledge stops."""
    _ensure_may_handle(concern, actor)
    if concern.acknowledged_at is not None:
        raise RuleViolation(_("This concern was already acknowledged."))
    with transaction.atomic():
        _acknowledge(concern, actor)
    return concern


def _acknowledge(concern: Concern, actor) -> None:
    concern.acknowledged_at = timezone.now()
    concern.acknowledged_by = actor
    fields = ["acknowledged_at", "acknowledged_by"]
    if concern.status == ConcernStatus.OPEN:
        concern.status = ConcernStatus.IN_REVIEW
        fields.append("status")
    save_changes(concern, actor, fields)
    _log(concern, actor, "acknowledged", _("Acknowledged."))
    event_record(
        actor=actor, organization=concern.organization, action="concern.acknowledged", obj=concern
    )


def concern_assign(*, concern: Concern, actor, handler) -> Concern:
    """Give the concern to a coordinator who may handle it (never the subject or their
    supervisor)."""
    _ensure_may_handle(concern, actor)
    if handler is None or not concern_handlers(concern).filter(pk=handler.pk).exists():
        raise RuleViolation(
            _(
                "Choose a coordinator who may handle this concern: not the person it is "
                "about, nor their supervisor."
            )
        )
    with transaction.atomic():
        if concern.acknowledged_at is None:
            _acknowledge(concern, actor)
        concern.handled_by = handler
        save_changes(concern, actor, ["handled_by"])
        _log(concern, actor, "assigned", _("Assigned to %(name)s.") % {"name": _name(handler)})
        event_record(
            actor=actor,
            organization=concern.organization,
            action="concern.assigned",
            obj=concern,
            data={"handler": handler.pk},
        )
    return concern


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def concern_action_record(*, concern: Concern, actor, text: str) -> ConcernAction:
    """Write down one thing done about the concern."""
    _ensure_may_handle(concern, actor)
    text = (text or "").strip()
    if not text:
        raise RuleViolation(_("Say what was done."))
    with transaction.atomic():
        action = _log(concern, actor, "action", text)
        event_record(
            actor=actor, organization=concern.organization, action="concern.action", obj=concern
        )
    return action


def concern_resolve(*, concern: Concern, actor, resolution: str) -> Concern:
    return concern_update(
        concern=concern, actor=actor, status=ConcernStatus.RESOLVED, resolution=resolution
    )


def concern_update(*, concern: Concern, actor, status: str, resolution: str = "") -> Concern:
    """Triage: record the state of handling and what was done."""
    _ensure_may_handle(concern, actor)
    if status not in ConcernStatus.values:
        raise RuleViolation(_("Choose a status."))
    resolution = (resolution or "").strip()
    if status == ConcernStatus.RESOLVED and not resolution:
        raise RuleViolation(_("Say what was done before marking the concern resolved."))
    with transaction.atomic():
        if concern.acknowledged_at is None:
            _acknowledge(concern, actor)
        concern.status = status
        # Reopening keeps what was written; only new text replaces it.
        concern.resolution = resolution or concern.resolution
        if concern.handled_by_id is None:
            concern.handled_by = actor
        concern.resolved_at = timezone.now() if status == ConcernStatus.RESOLVED else None
        save_changes(concern, actor, ["status", "resolution", "handled_by", "resolved_at"])
        _log(concern, actor, status, resolution or concern.get_status_display())
        event_record(
            actor=actor,
            organization=concern.organization,
            action=f"concern.{status}",
            obj=concern,
        )
    return concern


def concern_inform(
    *, concern: Concern, actor, how: str, when: datetime.datetime | None = None
) -> Concern:
    """Record that the person who raised it was told the outcome (how, when)."""
    _ensure_may_handle(concern, actor)
    if how not in InformedHow.values:
        raise RuleViolation(_("Choose how they were told."))
    if not concern.reachable:
        raise RuleViolation(_("They left no way to reach them, so there is no one to tell."))
    when = when or timezone.now()
    if when > timezone.now() + datetime.timedelta(minutes=5):
        raise RuleViolation(_("When they were told cannot be in the future."))
    with transaction.atomic():
        concern.informed_at = when
        concern.informed_how = how
        save_changes(concern, actor, ["informed_at", "informed_how"])
        _log(
            concern,
            actor,
            "informed",
            _("Told the person who raised it (%(how)s).")
            % {"how": concern.get_informed_how_display()},
        )
        event_record(
            actor=actor, organization=concern.organization, action="concern.informed", obj=concern
        )
    return concern
