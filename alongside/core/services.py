"""Helpers every app's write functions share."""

from __future__ import annotations

from django.db.models import Model
from django.utils.translation import gettext as _

from alongside.core.errors import StaleEdit


def save_changes(instance: Model, actor, fields: list[str], *, reason: str = "") -> None:
    """Save only ``fields``, bump the version of versioned records, and attribute history."""
    if hasattr(instance, "version"):
        instance.version += 1
        fields = [*fields, "version"]
    instance._history_user = actor if getattr(actor, "pk", None) else None
    if reason:
        instance._change_reason = reason
    instance.save(update_fields=fields)


def check_version(instance: Model, expected_version: int | None) -> None:
    """Refuse an edit made on a copy older than the stored record."""
    if expected_version is not None and int(expected_version) != instance.version:
        raise StaleEdit(
            _(
                "Someone else changed this %(thing)s while you were editing. "
                "Reload to see their version, then make your change again."
            )
            % {"thing": instance._meta.verbose_name}
        )
