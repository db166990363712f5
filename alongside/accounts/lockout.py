"""Sign-in paused after repeated failures (django-axes), and an administrator's unlock."""

from __future__ import annotations

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from alongside.accounts.models import SignInEvent, User
from alongside.accounts.second_factor import record_sign_in_event
from alongside.audit.services import event_record


def paused_attempts() -> QuerySet:
    """Axes' records of accounts whose sign-in is paused now."""
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME,
    )


@transaction.atomic
def sign_in_unlock(user: User, actor: User) -> int:
    """Forget the failed attempts on this account so the person can try again now."""
    cleared = axes_reset(username=user.username)
    record_sign_in_event(user, SignInEvent.Kind.UNLOCKED)
    event_record(
        actor=actor,
        organization=None,
        action="accounts.sign_in_unlocked",
        obj=user,
        data={"attempts_cleared": cleared},
    )
    return cleared
