"""Logging contacts and returning call-backs."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from alongside.audit.services import event_record
from alongside.contacts.models import Channel, Contact, Initiator
from alongside.core.errors import RuleViolation
from alongside.engagements.services import ensure_writable

# Clocks on phones drift: a contact a few minutes "in the future" is taken as now.
CLOCK_SKEW = datetime.timedelta(minutes=5)


def _when(moment: datetime.datetime) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _not_future(moment: datetime.datetime, message: str) -> None:
    if moment > timezone.now() + CLOCK_SKEW:
        raise RuleViolation(message)


def contact_log(
    *,
    engagement,
    actor,
    occurred_at: datetime.datetime,
    channel: str,
    initiated_by: str,
    note: str = "",
    callback_requested: bool = False,
    callback_requested_at: datetime.datetime | None = None,
) -> Contact:
    """Log one contact; a call-back asked for is open until it is marked returned."""
    ensure_writable(engagement)
    if channel not in Channel.values:
        raise RuleViolation(_("Choose how the contact happened from the list."))
    if initiated_by not in Initiator.values:
        raise RuleViolation(_("Choose who reached out from the list."))
    _not_future(occurred_at, _("A contact cannot be in the future; check the date and time."))
    if callback_requested:
        callback_requested_at = callback_requested_at or occurred_at
        _not_future(
            callback_requested_at,
            _("A call-back cannot be asked for in the future; check the date and time."),
        )
    elif callback_requested_at is not None:
        raise RuleViolation(_("Tick “asked for a call-back” or leave its time empty."))
    with transaction.atomic():
        contact = Contact(
            engagement=engagement,
            occurred_at=occurred_at,
            channel=channel,
            initiated_by=initiated_by,
            note=(note or "").strip(),
            callback_requested_at=callback_requested_at if callback_requested else None,
            created_by=actor,
        )
        contact.full_clean()
        contact._history_user = actor
        contact.save()
        event_record(
            actor=actor,
            organization=engagement.organization,
            action="contact.logged",
            obj=contact,
            data={"engagement": engagement.pk, "callback": bool(callback_requested)},
        )
    return contact


def contact_callback_return(
    *, contact: Contact, actor, returned_at: datetime.datetime | None = None
) -> Contact:
    """The call-back was returned at ``returned_at`` (now if not given)."""
    ensure_writable(contact.engagement)
    returned_at = returned_at or timezone.now()
    _not_future(returned_at, _("A call-back cannot be returned in the future."))
    with transaction.atomic():
        current = Contact.objects.select_for_update().get(pk=contact.pk)
        if current.callback_requested_at is None:
            raise RuleViolation(_("No call-back was asked for in this contact."))
        if current.callback_returned_at is not None:
            raise RuleViolation(
                _("This call-back was already marked returned at %(when)s.")
                % {"when": _when(current.callback_returned_at)}
            )
        if returned_at < current.callback_requested_at:
            raise RuleViolation(
                _("A call-back cannot be returned before it was asked for; check the time.")
            )
        current.callback_returned_at = returned_at
        current.callback_returned_by = actor
        current._history_user = actor
        current.save(update_fields=["callback_returned_at", "callback_returned_by"])
        event_record(
            actor=actor,
            organization=contact.engagement.organization,
            action="contact.callback_returned",
            obj=current,
            data={"engagement": contact.engagement_id},
        )
    return current
