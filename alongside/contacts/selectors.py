"""Reads of the contact log: an engagement's contacts, call-backs open and overdue,
and how long call-backs take to return."""

from __future__ import annotations

import datetime
import statistics

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from alongside.contacts.models import Contact

CALLBACK_OVERDUE_BUSINESS_DAYS = 1
"""A call-back still open after one business day is overdue.

"Return calls promptly": a participant who asked to be called back should hear back
the same or the next working day. Weekends do not count, so a Friday-afternoon request
is not overdue on Sunday (peer supporters are not on call at weekends).
"""

RETURN_WINDOW_DAYS = 30
"""The median time-to-return is taken over call-backs returned in the last 30 days:
long enough to hold several call-backs, short enough to show a recent change."""

_DAY = datetime.timedelta(days=1)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def callback_due_at(requested_at: datetime.datetime) -> datetime.datetime:
    """When a call-back asked for at ``requested_at`` becomes overdue (weekends skipped)."""
    remaining = CALLBACK_OVERDUE_BUSINESS_DAYS * _DAY
    local = timezone.localtime(requested_at)
    day = local.date()
    start = local - _local_midnight(day)  # time already gone on the first day
    while True:
        if day.weekday() < 5:
            available = _DAY - start
            if available >= remaining:
                return _local_midnight(day) + start + remaining
            remaining -= available
        day, start = day + _DAY, datetime.timedelta(0)


def overdue_cutoff(now: datetime.datetime) -> datetime.datetime:
    """Call-backs asked for before this moment and still open are overdue at ``now``."""
    remaining = CALLBACK_OVERDUE_BUSINESS_DAYS * _DAY
    local = timezone.localtime(now).replace(tzinfo=None)
    day = datetime.datetime.combine(local.date(), datetime.time.min)
    available = local - day  # business time so far on the last day
    while True:
        if day.weekday() < 5:
            if available >= remaining:
                cutoff = day + (available - remaining)
                break
            remaining -= available
        day, available = day - _DAY, _DAY
    # Weekend moments all stand where Monday begins: a cutoff at Monday 00:00 moves back
    # over the weekend, so a Saturday request is overdue only once Monday has passed.
    while cutoff.time() == datetime.time.min and (cutoff - _DAY).weekday() >= 5:
        cutoff -= _DAY
    return timezone.make_aware(cutoff)


def contacts_for(engagement) -> QuerySet[Contact]:
    """An engagement's contacts, newest first, with who returned each call-back."""
    return Contact.objects.filter(engagement=engagement).select_related("callback_returned_by")


def time_to_return(contact: Contact) -> datetime.timedelta | None:
    """How long the call-back took to return; None while open or when none was asked for."""
    if contact.callback_requested_at is None or contact.callback_returned_at is None:
        return None
    return contact.callback_returned_at - contact.callback_requested_at


def is_overdue(contact: Contact, now: datetime.datetime | None = None) -> bool:
    return contact.callback_open and contact.callback_requested_at < overdue_cutoff(
        now or timezone.now()
    )


def callback_summary(
    contacts: QuerySet[Contact], *, now: datetime.datetime | None = None, limit: int = 5
) -> dict:
    """Of ``contacts``: call-backs open and overdue (the oldest overdue listed), and the
    median time-to-return over the last 30 days. Three queries whatever the numbers."""
    now = now or timezone.now()
    cutoff = overdue_cutoff(now)
    open_callbacks = Q(callback_requested_at__isnull=False, callback_returned_at__isnull=True)
    counts = contacts.aggregate(
        open=Count("pk", filter=open_callbacks),
        overdue=Count("pk", filter=open_callbacks & Q(callback_requested_at__lt=cutoff)),
    )
    overdue = list(
        contacts.filter(open_callbacks, callback_requested_at__lt=cutoff)
        .select_related("engagement__participant")
        .order_by("callback_requested_at", "pk")[:limit]
    )
    returned = contacts.filter(
        callback_returned_at__gte=now - datetime.timedelta(days=RETURN_WINDOW_DAYS),
        callback_requested_at__isnull=False,
    ).values_list("callback_requested_at", "callback_returned_at")
    waits = [(back - asked).total_seconds() for asked, back in returned]
    return {
        "open": counts["open"],
        "overdue": counts["overdue"],
        "overdue_items": overdue,
        "returned": len(waits),
        "median_return": datetime.timedelta(seconds=statistics.median(waits)) if waits else None,
    }


def with_callback_state(contacts, now: datetime.datetime | None = None) -> list[Contact]:
    """The contacts with ``overdue`` and ``waited`` (time-to-return) set, for a list page."""
    cutoff = overdue_cutoff(now or timezone.now())
    rows = list(contacts)
    for contact in rows:
        contact.overdue = contact.callback_open and contact.callback_requested_at < cutoff
        contact.waited = time_to_return(contact)
    return rows
