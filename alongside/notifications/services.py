"""Telling staff about something that needs them: in the app, and by email where set."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from alongside.notifications.models import Notification


def notify(*, user, organization, text: str, url: str = "", email: bool = True) -> Notification:
    """Record an in-app notice; email it after the transaction commits.

    The text must not name the participant: email leaves the server.
    """
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


def notifications_read(*, user, ids: list[int] | None = None) -> int:
    from django.utils import timezone

    queryset = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    return queryset.update(read_at=timezone.now())
