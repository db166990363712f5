"""Telling staff about something that needs them: in the app, and by email where set."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.functional import Promise

from alongside.notifications.models import Notification


def notify(
    *, user, organization, text: str | Callable[[], str], url: str = "", email: bool = True
) -> Notification:
    """Record an in-app notice; email it after the transaction commits.

    The text must not name the participant: email leaves the server. Given as a function
    (or a lazy string), it is written in the recipient's language rather than the actor's.
    """
    text = in_language_of(user, text)
    notice = Notification.objects.create(
        user=user, organization=organization, text=text[:300], url=url[:300]
    )
    if email and user.email:
        link = f"{settings.ALONGSIDE_BASE_URL}{url}" if url else ""
        transaction.on_commit(
            lambda: send_mail(
                subject=f"Alongside: {text[:80]}",
                message=f"{text}\n\n{link}".strip(),
                from_email=None,
                recipient_list=[user.email],
                fail_silently=True,
            )
        )
    return notice


def in_language_of(user, text: str | Callable[[], str]) -> str:
    """``text`` made in the language ``user`` chose (plain strings are already made)."""
    if not callable(text) and not isinstance(text, Promise):
        return text
    language = getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        return str(text if isinstance(text, Promise) else text())


def notifications_read(*, user, ids: list[int] | None = None) -> int:
    from django.utils import timezone

    queryset = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    return queryset.update(read_at=timezone.now())
