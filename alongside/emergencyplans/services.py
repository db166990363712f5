"""Saving a participant's emergency plan: each save is a new version, stale edits refused."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from alongside.audit.services import event_record
from alongside.core.errors import StaleEdit
from alongside.emergencyplans.models import (
    CONTENT_FIELDS,
    TEXT_SECTIONS,
    EmergencyPlan,
    EmergencyPlanVersion,
)
from alongside.engagements.services import ensure_writable

MAX_CONTACTS = 10
MAX_CRISIS_LINES = 6


def _text(value) -> str:
    return str(value or "").strip()


def _contacts(rows) -> list[dict]:
    cleaned = []
    for row in rows or []:
        contact = {
            "name": _text(row.get("name"))[:120],
            "relationship": _text(row.get("relationship"))[:80],
            "phone": _text(row.get("phone"))[:40],
            "outside_team": bool(row.get("outside_team")),
        }
        if not (contact["name"] or contact["phone"] or contact["relationship"]):
            continue
        if not (contact["name"] and contact["phone"]):
            raise ValidationError(
                {"contacts": _("Give each person to contact a name and a phone number.")}
            )
        cleaned.append(contact)
    if len(cleaned) > MAX_CONTACTS:
        raise ValidationError(
            {"contacts": _("List at most %(n)d people to contact.") % {"n": MAX_CONTACTS}}
        )
    return cleaned


def _crisis_lines(rows) -> list[dict]:
    cleaned = []
    for row in rows or []:
        line = {"name": _text(row.get("name"))[:120], "phone": _text(row.get("phone"))[:40]}
        if not (line["name"] or line["phone"]):
            continue
        if not (line["name"] and line["phone"]):
            raise ValidationError(
                {"crisis_lines": _("Give each crisis line a name and a number.")}
            )
        cleaned.append(line)
    if len(cleaned) > MAX_CRISIS_LINES:
        raise ValidationError(
            {"crisis_lines": _("List at most %(n)d crisis lines.") % {"n": MAX_CRISIS_LINES}}
        )
    return cleaned


def _content(content: dict) -> dict:
    """The plan's content, cleaned and checked; unknown keys are ignored."""
    cleaned = {name: _text(content.get(name)) for name, _label in TEXT_SECTIONS}
    cleaned["contacts"] = _contacts(content.get("contacts"))
    cleaned["crisis_lines"] = _crisis_lines(content.get("crisis_lines"))
    if not cleaned["warning_signs"]:
        raise ValidationError(
            {"warning_signs": _("Write the signs that mean others should step in.")}
        )
    if not cleaned["contacts"] and not cleaned["crisis_lines"]:
        raise ValidationError(
            {"contacts": _("Name at least one person to contact or one crisis line.")}
        )
    return cleaned


def changed_sections(before: dict | None, after: dict) -> list[str]:
    """Field names whose content differs (every filled one when there is no ``before``)."""
    if before is None:
        return [name for name in CONTENT_FIELDS if after.get(name)]
    return [name for name in CONTENT_FIELDS if before.get(name) != after.get(name)]


def emergency_plan_save(
    *, participant, actor, based_on: int | None, engagement=None, **content
) -> EmergencyPlanVersion:
    """Save the participant's plan as a new version, if it was read at the current one.

    ``based_on`` is the version the editor started from (0 or None for a new plan).
    Staff edit through an ``engagement``, which must not be closed.
    """
    if engagement is not None:
        ensure_writable(engagement)
    cleaned = _content(content)
    stale = StaleEdit(
        _(
            "Someone else changed this emergency plan while you were editing. "
            "Their changes are shown below; check them before you save again."
        )
    )
    with transaction.atomic():
        plan = (
            EmergencyPlan.objects.select_for_update(of=("self",))
            .select_related("current")
            .filter(participant_id=participant.pk)
            .first()
        )
        if plan is None:
            if based_on:
                raise stale
            plan = EmergencyPlan(
                organization_id=participant.organization_id, participant=participant
            )
            plan.version = 0
            try:
                with transaction.atomic():
                    plan.save()
            except IntegrityError:
                raise stale from None  # someone made the first version a moment ago
            before = None
        else:
            if based_on is None or int(based_on) != plan.version:
                raise stale
            before = plan.current.content() if plan.current else None
        changed = changed_sections(before, cleaned)
        if before is not None and not changed:
            return plan.current
        version = EmergencyPlanVersion.objects.create(
            plan=plan, number=plan.version + 1, saved_by=actor, changed=changed, **cleaned
        )
        plan.current = version
        plan.version = version.number
        plan.save(update_fields=["current", "version", "updated_at"])
        event_record(
            actor=actor,
            organization=plan.organization,
            action="emergency_plan.saved",
            obj=plan,
            data={
                "version": version.number,
                "sections": changed,
                "engagement": getattr(engagement, "pk", None),
            },
        )
    return version


def participant_has_plan(participant_id: int) -> bool:
    """The activation gate's question: does this participant have a current plan?"""
    return EmergencyPlan.objects.filter(
        participant_id=participant_id, current__isnull=False
    ).exists()
