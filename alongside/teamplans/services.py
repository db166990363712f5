"""Writing the team plan worksheet and recording its yearly review."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.audit.services import event_record
from alongside.core.dates import add_months
from alongside.core.errors import RuleViolation, StaleEdit
from alongside.core.services import check_version, save_changes
from alongside.engagements.services import ensure_writable
from alongside.teamplans.models import REVIEW_INTERVAL_MONTHS, Channel, TeamPlanWorksheet

WORKSHEET_EDITABLE = (
    "channels",
    "days_and_hours",
    "frequency",
    "language",
    "messages_ok",
    "boundaries",
    "contact_days",
    "contact_from",
    "contact_until",
    "reminders_ok",
)


def _clean_days(days) -> list[int]:
    """Weekdays 0 (Monday) to 6, sorted, once each; anything else is refused."""
    try:
        cleaned = sorted({int(day) for day in days or []})
    except (TypeError, ValueError):
        raise RuleViolation(_("Choose days of the week.")) from None
    if any(day not in range(7) for day in cleaned):
        raise RuleViolation(_("Choose days of the week."))
    return cleaned


def review_due(reviewed_on: datetime.date) -> datetime.date:
    return add_months(reviewed_on, REVIEW_INTERVAL_MONTHS)


def _clean_channels(channels) -> list[str]:
    channels = list(dict.fromkeys(channels or []))
    unknown = [c for c in channels if c not in Channel.values]
    if unknown:
        raise ValidationError({"channels": _("Choose ways to keep in touch from the list.")})
    if not channels:
        raise ValidationError({"channels": _("Choose at least one way to keep in touch.")})
    return [c for c in Channel.values if c in channels]


def worksheet_save(
    *, engagement, actor, expected_version: int | None, **changes
) -> TeamPlanWorksheet:
    """Write the worksheet (the first save counts as its first review); stale edits refused.

    ``expected_version`` is the version the editor read, or None/0 for a new worksheet.
    """
    ensure_writable(engagement)
    data = {name: changes[name] for name in WORKSHEET_EDITABLE if name in changes}
    data["channels"] = _clean_channels(data.get("channels"))
    if "contact_days" in data:
        data["contact_days"] = _clean_days(data["contact_days"])
    # Only a start ("after 2") or only an end ("before noon") is fine; the same both is not.
    if data.get("contact_from") is not None and data["contact_from"] == data.get("contact_until"):
        raise RuleViolation(_("The agreed hours must not start and end at the same time."))
    for name in ("days_and_hours", "frequency", "boundaries"):
        if name in data:
            data[name] = str(data[name] or "").strip()
    with transaction.atomic():
        current = (
            TeamPlanWorksheet.objects.select_for_update().filter(engagement=engagement).first()
        )
        if current is None:
            if expected_version:
                raise StaleEdit(_("This worksheet is gone. Reload and try again."))
            today = timezone.localdate()
            worksheet = TeamPlanWorksheet(
                engagement=engagement,
                created_by=actor,
                reviewed_on=today,
                review_due_on=review_due(today),
                **data,
            )
            worksheet.full_clean()
            worksheet._history_user = actor
            worksheet._change_reason = "created"
            try:
                with transaction.atomic():
                    worksheet.save()
            except IntegrityError:
                raise StaleEdit(
                    _("Someone else wrote this worksheet meanwhile. Reload to see it.")
                ) from None
            action, fields = "team_plan.created", sorted(data)
        else:
            check_version(current, expected_version if expected_version else -1)
            fields = [
                name
                for name in WORKSHEET_EDITABLE
                if getattr(current, name) != data.get(name, getattr(current, name))
            ]
            for name in fields:
                setattr(current, name, data[name])
            current.full_clean()
            if fields:
                save_changes(current, actor, [*fields, "updated_at"], reason="edited")
            worksheet, action = current, "team_plan.updated"
        if action == "team_plan.created" or fields:
            event_record(
                actor=actor,
                organization=engagement.organization,
                action=action,
                obj=worksheet,
                data={"fields": fields},
            )
    return worksheet


def worksheet_review(
    *, worksheet: TeamPlanWorksheet, actor, expected_version: int | None, reviewed_on=None
) -> TeamPlanWorksheet:
    """The team looked at the worksheet together: next review a year from ``reviewed_on``."""
    ensure_writable(worksheet.engagement)
    reviewed_on = reviewed_on or timezone.localdate()
    if reviewed_on > timezone.localdate():
        raise ValidationError({"reviewed_on": _("A review cannot be dated in the future.")})
    with transaction.atomic():
        current = TeamPlanWorksheet.objects.select_for_update().get(pk=worksheet.pk)
        check_version(current, expected_version if expected_version is not None else -1)
        current.reviewed_on = reviewed_on
        current.review_due_on = review_due(reviewed_on)
        save_changes(
            current, actor, ["reviewed_on", "review_due_on", "updated_at"], reason="reviewed"
        )
        event_record(
            actor=actor,
            organization=worksheet.engagement.organization,
            action="team_plan.reviewed",
            obj=current,
            data={
                "reviewed_on": reviewed_on.isoformat(),
                "due": current.review_due_on.isoformat(),
            },
        )
    return current
