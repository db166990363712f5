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


def user_language_set(*, user, language: str) -> None:
    """Keep the language a person chose for pages and emails; a participant's is one of
    their details, so it changes there (with history) and carries to their sign-in."""
    from alongside.participants.models import Participant
    from alongside.participants.services import participant_update

    participant = Participant.objects.filter(user=user).first()
    if participant is not None:
        participant_update(
            participant=participant,
            actor=user,
            expected_version=participant.version,
            preferred_language=language,
        )
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
