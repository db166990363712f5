"""The contact log: logging contacts, returning call-backs, what is overdue, the pages."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alongside.audit.models import AuditEvent
from alongside.contacts.models import Contact
from alongside.contacts.selectors import (
    callback_due_at,
    callback_summary,
    is_overdue,
    overdue_cutoff,
    time_to_return,
)
from alongside.contacts.services import contact_callback_return, contact_log
from alongside.core.errors import RuleViolation
from alongside.engagements.models import State

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def _log(world, **overrides) -> Contact:
    arguments = {
        "engagement": world.engagement,
        "actor": world.supporter,
        "occurred_at": timezone.now() - datetime.timedelta(hours=2),
        "channel": "phone",
        "initiated_by": "participant",
        "note": "Wanted to move Thursday.",
    }
    arguments.update(overrides)
    return contact_log(**arguments)


def _at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=NEW_YORK)


def test_it_logs_a_contact_with_an_open_call_back(world):
    contact = _log(world, callback_requested=True)

    assert contact.callback_requested_at == contact.occurred_at
    assert contact.callback_open
    assert contact.created_by == world.supporter
    event = AuditEvent.objects.get(object_type="contact")
    assert (event.action, event.data) == (
        "contact.logged",
        {"engagement": world.engagement.pk, "callback": True},
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"occurred_at": timezone.now() + datetime.timedelta(hours=2)}, "in the future"),
        ({"channel": "pigeon"}, "how the contact happened"),
        ({"initiated_by": "nobody"}, "who reached out"),
        ({"callback_requested_at": timezone.now()}, "call-back"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(world, overrides, message):
    with pytest.raises(RuleViolation, match=message):
        _log(world, **overrides)

    assert not Contact.objects.exists()


def test_a_closed_engagement_takes_no_new_contacts(world):
    world.engagement.state = State.CLOSED
    world.engagement.closed_on = timezone.localdate()
    world.engagement.save()

    with pytest.raises(RuleViolation, match="closed"):
        _log(world)
    assert not Contact.objects.exists()


def test_returning_a_call_back_records_when_and_how_long_it_took(world):
    asked = timezone.now() - datetime.timedelta(hours=5)
    contact = _log(world, occurred_at=asked, callback_requested=True)

    returned = contact_callback_return(
        contact=contact, actor=world.supporter, returned_at=asked + datetime.timedelta(hours=3)
    )

    assert returned.callback_returned_by == world.supporter
    assert time_to_return(returned) == datetime.timedelta(hours=3)
    assert AuditEvent.objects.filter(action="contact.callback_returned").count() == 1


def test_a_call_back_is_returned_once_and_never_before_it_was_asked_for(world):
    asked = timezone.now() - datetime.timedelta(hours=5)
    contact = _log(world, occurred_at=asked, callback_requested=True)
    plain = _log(world)

    with pytest.raises(RuleViolation, match="before it was asked"):
        contact_callback_return(
            contact=contact, actor=world.supporter, returned_at=asked - datetime.timedelta(1)
        )
    with pytest.raises(RuleViolation, match="No call-back"):
        contact_callback_return(contact=plain, actor=world.supporter)
    contact_callback_return(contact=contact, actor=world.supporter)
    with pytest.raises(RuleViolation, match="already marked returned"):
        contact_callback_return(contact=contact, actor=world.supporter)
    assert Contact.objects.filter(callback_returned_at__isnull=False).count() == 1


@pytest.mark.parametrize(
    ("asked", "due"),
    [
        (_at(2025, 3, 6, 10, 0), _at(2025, 3, 7, 10, 0)),  # Thursday → Friday
        (_at(2025, 3, 7, 16, 0), _at(2025, 3, 10, 16, 0)),  # Friday → Monday
        (_at(2025, 3, 8, 11, 0), _at(2025, 3, 11, 0, 0)),  # Saturday: Monday counts whole
    ],
)
def test_a_call_back_is_overdue_after_one_business_day_weekends_aside(settings, asked, due):
    settings.TIME_ZONE = "America/New_York"

    assert callback_due_at(asked) == due
    # The cutoff agrees: a request is overdue exactly when its due time has passed.
    assert not asked < overdue_cutoff(due)
    assert asked < overdue_cutoff(due + datetime.timedelta(minutes=1))


def test_a_friday_call_back_is_not_overdue_on_sunday(world, settings):
    settings.TIME_ZONE = "America/New_York"
    contact = Contact(callback_requested_at=_at(2025, 3, 7, 16, 0))

    assert not is_overdue(contact, now=_at(2025, 3, 9, 20, 0))
    assert is_overdue(contact, now=_at(2025, 3, 10, 16, 5))


def test_the_summary_counts_open_and_overdue_call_backs_and_the_median_return(world):
    now = timezone.now()
    for hours in (1, 2, 6):  # returned after 1, 2 and 6 hours
        contact = _log(
            world, occurred_at=now - datetime.timedelta(days=2), callback_requested=True
        )
        contact_callback_return(
            contact=contact,
            actor=world.supporter,
            returned_at=contact.occurred_at + datetime.timedelta(hours=hours),
        )
    _log(world, occurred_at=now - datetime.timedelta(days=5), callback_requested=True)
    _log(world, occurred_at=now - datetime.timedelta(minutes=30), callback_requested=True)

    summary = callback_summary(Contact.objects.all(), now=now)

    assert (summary["open"], summary["overdue"], summary["returned"]) == (2, 1, 3)
    assert summary["median_return"] == datetime.timedelta(hours=2)
    assert [c.occurred_at for c in summary["overdue_items"]] == [now - datetime.timedelta(days=5)]


# Pages


def _form(**overrides) -> dict:
    data = {
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "channel": "text",
        "initiated_by": "supporter",
        "note": "Checked in after the appointment.",
        "callback_requested": "on",
    }
    data.update(overrides)
    return data


def test_a_supporter_logs_a_contact_on_one_page_and_sees_it_in_the_log(client, world):
    client.force_login(world.supporter)

    response = client.post(reverse("contacts:create", args=[world.engagement.pk]), _form())

    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:list", args=[world.engagement.pk])
    page = client.get(response["Location"])
    assert "Checked in after the appointment." in page.content.decode()
    assert Contact.objects.get().callback_open


def test_bad_input_on_the_page_shows_a_message_and_saves_nothing(client, world):
    client.force_login(world.supporter)
    future = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    response = client.post(
        reverse("contacts:create", args=[world.engagement.pk]), _form(occurred_at=future)
    )

    assert response.status_code == 409
    assert "cannot be in the future" in response.content.decode()
    assert not Contact.objects.exists()


def test_marking_a_call_back_returned_from_the_log(client, world):
    contact = _log(world, callback_requested=True)
    client.force_login(world.supporter)

    response = client.post(reverse("contacts:callback_returned", args=[contact.pk]))

    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.callback_returned_at is not None
    # Once returned, the page refuses another return with a message (409), changing nothing.
    again = client.post(reverse("contacts:callback_returned", args=[contact.pk]))
    assert again.status_code == 409
    assert "no open call-back" in again.content.decode()


def test_the_log_pages_in_a_constant_number_of_queries(client, world):
    client.force_login(world.supporter)
    url = reverse("contacts:list", args=[world.engagement.pk])
    _log(world, callback_requested=True)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for _ in range(60):
        _log(world, callback_requested=True)

    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert response.status_code == 200
    assert "Page 1 of 2" in response.content.decode()
    assert len(many) == len(one)


@pytest.mark.parametrize(
    ("persona", "read", "write"),
    [
        ("supporter", 200, 200),
        ("coordinator", 200, 200),
        ("supervisor", 200, 403),
        ("other_supporter", 404, 404),
        ("outsider", 404, 404),
        ("admin", 403, 403),
        ("participant_user", 403, 403),
    ],
)
def test_who_reaches_the_contact_pages(client, world, persona, read, write):
    contact = _log(world, callback_requested=True)
    client.force_login(getattr(world, persona))

    assert client.get(reverse("contacts:list", args=[world.engagement.pk])).status_code == read
    assert client.get(reverse("contacts:create", args=[world.engagement.pk])).status_code == write
    returned = client.get(reverse("contacts:callback_returned", args=[contact.pk]))
    assert returned.status_code == write


def test_anonymous_people_are_sent_to_sign_in(client, world):
    response = client.get(reverse("contacts:list", args=[world.engagement.pk]))

    assert response.status_code == 302
    assert "login" in response["Location"]
