"""Meeting reminders: when, to whom, how, within the agreed hours, once."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from alongside.audit.models import AuditEvent
from alongside.meetings import reminders
from alongside.meetings.models import Meeting, MeetingStatus, Mode, PlaceType, ReminderOutcome
from alongside.meetings.services import meeting_schedule
from alongside.teamplans.models import TeamPlanWorksheet

TEXTS: list[dict] = []


def fake_sms(*, to: str, body: str) -> None:
    """Stands in for an SMS gateway (settings.ALONGSIDE_SMS_SENDER points here)."""
    TEXTS.append({"to": to, "body": body})


@pytest.fixture(autouse=True)
def _outboxes(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ALONGSIDE_SMS_SENDER = ""
    TEXTS.clear()


def local(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A local time in May 2030 (the 6th is a Monday)."""
    return timezone.make_aware(datetime.datetime(2030, 5, day, hour, minute))


NOW = local(8, 10)  # Wednesday 10:00


def worksheet(world, **fields) -> TeamPlanWorksheet:
    values = {
        "channels": ["email", "text"],
        "reminders_ok": True,
        "contact_days": [],
        "contact_from": None,
        "contact_until": None,
        "reviewed_on": NOW.date(),
        "review_due_on": NOW.date() + datetime.timedelta(days=365),
        "created_by": world.supporter,
    }
    values.update(fields)
    return TeamPlanWorksheet.objects.create(engagement=world.engagement, **values)


def planned(world, starts_at=None, reminder_minutes=60, **extra) -> Meeting:
    return Meeting.objects.create(
        engagement=world.engagement,
        starts_at=starts_at or local(8, 10, 30),
        duration_minutes=60,
        planned_minutes=60,
        mode=Mode.IN_PERSON,
        place_type=PlaceType.COMMUNITY,
        status=extra.pop("status", MeetingStatus.PLANNED),
        reminder_minutes=reminder_minutes,
        created_by=world.supporter,
        **extra,
    )


@pytest.fixture
def reachable(world):
    world.participant.email = "pat@example.org"
    world.participant.phone = "+1 555 0100"
    world.participant.save()
    return worksheet(world)


def test_a_due_reminder_goes_by_email_once(world, reachable):
    meeting = planned(world)

    run = reminders.reminders_send_due(now=NOW)
    again = reminders.reminders_send_due(now=NOW + datetime.timedelta(minutes=5))

    assert (run.sent, again.sent) == (1, 0)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["pat@example.org"]
    assert "Sunny" in message.body
    assert "in the community" in message.body
    assert "10:30" in message.body
    meeting.refresh_from_db()
    assert meeting.reminder_sent_at == NOW
    assert meeting.reminder_outcome == ReminderOutcome.SENT
    event = AuditEvent.objects.get(action="meeting.reminder_sent")
    assert event.data == {"channels": ["email"]}  # no SMS sender configured


def test_the_reminder_says_nothing_clinical(world, reachable):
    from alongside.meetings.models import Note

    meeting = planned(world)
    Note.objects.create(meeting=meeting, author=world.supporter, body="Relapse risk discussed")

    reminders.reminders_send_due(now=NOW)

    text = mail.outbox[0].subject + mail.outbox[0].body
    for private in ("Pat", "Rivera", "Relapse", "Peer Support", "Demo"):
        assert private not in text


def test_a_reminder_not_yet_due_waits(world, reachable):
    planned(world, starts_at=local(8, 12))  # reminder at 11:00

    run = reminders.reminders_send_due(now=NOW)

    assert run.sent == 0
    assert mail.outbox == []


def test_text_reminders_go_through_the_sms_hook(world, reachable, settings):
    settings.ALONGSIDE_SMS_SENDER = "alongside.meetings.tests.test_reminders.fake_sms"
    planned(world)

    reminders.reminders_send_due(now=NOW)

    assert len(TEXTS) == 1
    assert TEXTS[0]["to"] == "+1 555 0100"
    assert "Sunny" in TEXTS[0]["body"]
    assert len(mail.outbox) == 1


def test_text_only_without_an_sms_hook_is_skipped_and_recorded(world):
    world.participant.phone = "+1 555 0100"
    world.participant.save()
    worksheet(world, channels=["text"])
    meeting = planned(world)

    run = reminders.reminders_send_due(now=NOW)

    assert run.skipped == 1
    meeting.refresh_from_db()
    assert meeting.reminder_outcome == ReminderOutcome.NO_CHANNEL
    assert meeting.reminder_sent_at is None
    assert AuditEvent.objects.filter(
        action="meeting.reminder_skipped", data__outcome="no_channel"
    ).exists()


@pytest.mark.parametrize(
    ("channels", "email", "outcome"),
    [
        (["phone", "in_person"], "pat@example.org", ReminderOutcome.NO_CHANNEL),
        (["email"], "", ReminderOutcome.NO_CHANNEL),
    ],
)
def test_no_agreed_way_to_send_means_no_reminder(world, channels, email, outcome):
    world.participant.email = email
    world.participant.save()
    worksheet(world, channels=channels)
    meeting = planned(world)

    reminders.reminders_send_due(now=NOW)

    assert mail.outbox == []
    meeting.refresh_from_db()
    assert meeting.reminder_outcome == outcome


def test_a_participant_who_declined_reminders_gets_none(world):
    world.participant.email = "pat@example.org"
    world.participant.save()
    worksheet(world, reminders_ok=False)
    meeting = planned(world)

    reminders.reminders_send_due(now=NOW)

    assert mail.outbox == []
    meeting.refresh_from_db()
    assert meeting.reminder_outcome == ReminderOutcome.DECLINED


def test_without_a_worksheet_nothing_is_sent(world):
    world.participant.email = "pat@example.org"
    world.participant.save()
    meeting = planned(world)

    reminders.reminders_send_due(now=NOW)

    assert mail.outbox == []
    meeting.refresh_from_db()
    assert meeting.reminder_outcome == ReminderOutcome.NO_CHANNEL


def test_outside_the_agreed_hours_it_waits_for_them(world):
    world.participant.email = "pat@example.org"
    world.participant.save()
    worksheet(world, contact_from=datetime.time(12), contact_until=datetime.time(18))
    meeting = planned(world, starts_at=local(8, 15), reminder_minutes=6 * 60)  # due 09:00

    waiting = reminders.reminders_send_due(now=NOW)

    assert (waiting.sent, waiting.waiting, waiting.next_at) == (0, 1, local(8, 12))
    meeting.refresh_from_db()
    assert meeting.reminder_outcome == ""

    later = reminders.reminders_send_due(now=local(8, 12, 1))

    assert later.sent == 1
    assert len(mail.outbox) == 1


def test_when_the_agreed_hours_come_only_after_the_meeting_it_is_skipped(world):
    world.participant.email = "pat@example.org"
    world.participant.save()
    worksheet(world, contact_days=[4], contact_from=datetime.time(9))  # Fridays from 9
    meeting = planned(world)

    run = reminders.reminders_send_due(now=NOW)

    assert run.skipped_by == {ReminderOutcome.QUIET_HOURS: 1}
    assert mail.outbox == []
    meeting.refresh_from_db()
    assert meeting.reminder_outcome == ReminderOutcome.QUIET_HOURS


def test_a_meeting_already_started_gets_no_reminder(world, reachable):
    meeting = planned(world, starts_at=local(8, 9, 30))

    reminders.reminders_send_due(now=NOW)

    assert mail.outbox == []
    meeting.refresh_from_db()
    assert meeting.reminder_outcome == ReminderOutcome.TOO_LATE


@pytest.mark.parametrize("status", [MeetingStatus.CANCELLED, MeetingStatus.HELD])
def test_only_planned_meetings_are_reminded(world, reachable, status):
    planned(world, status=status)

    run = reminders.reminders_send_due(now=NOW)

    assert (run.sent, run.skipped) == (0, 0)
    assert mail.outbox == []


def test_a_failed_send_is_not_marked_and_is_retried(world, reachable):
    meeting = planned(world)

    with mock.patch("alongside.meetings.reminders.send_mail", side_effect=OSError("down")):
        run = reminders.reminders_send_due(now=NOW)

    assert run.failed == 1
    meeting.refresh_from_db()
    assert meeting.reminder_sent_at is None
    assert meeting.reminder_outcome == ""
    assert reminders.reminders_send_due(now=NOW).sent == 1


def test_a_reminder_another_worker_already_took_is_not_sent_again(world, reachable):
    meeting = planned(world)
    # This worker listed it just before another worker sent it.
    Meeting.objects.filter(pk=meeting.pk).update(
        reminder_sent_at=NOW, reminder_outcome=ReminderOutcome.SENT
    )

    with mock.patch.object(reminders, "reminders_due", return_value=[meeting.pk]):
        run = reminders.reminders_send_due(now=NOW)

    assert run.sent == 0
    assert mail.outbox == []


# Agreed hours -----------------------------------------------------------------------------


def _sheet(**fields) -> TeamPlanWorksheet:
    return TeamPlanWorksheet(
        contact_days=fields.get("days", []),
        contact_from=fields.get("start"),
        contact_until=fields.get("end"),
    )


@pytest.mark.parametrize(
    ("sheet", "at", "allowed"),
    [
        (_sheet(), local(8, 3), True),
        (_sheet(days=[0, 1, 2]), local(8, 3), True),
        (_sheet(days=[3]), local(8, 12), False),
        (_sheet(start=datetime.time(9), end=datetime.time(17)), local(8, 9), True),
        (_sheet(start=datetime.time(9), end=datetime.time(17)), local(8, 17), False),
        (_sheet(start=datetime.time(20), end=datetime.time(8)), local(8, 23), True),
        (_sheet(start=datetime.time(20), end=datetime.time(8)), local(8, 7), True),
        (_sheet(start=datetime.time(20), end=datetime.time(8)), local(8, 12), False),
        (_sheet(end=datetime.time(12)), local(8, 11), True),
    ],
)
def test_contact_allowed_reads_the_agreed_days_and_hours(sheet, at, allowed):
    assert reminders.contact_allowed(sheet, at) is allowed


def test_the_next_agreed_moment_can_be_another_day():
    sheet = _sheet(days=[4], start=datetime.time(9), end=datetime.time(17))

    assert reminders.next_allowed(sheet, NOW) == local(10, 9)
    assert reminders.next_allowed(sheet, local(10, 18)) == local(17, 9)


# The task worker and the command ----------------------------------------------------------


def test_planning_with_a_reminder_queues_a_run_at_the_reminder_time(
    world, django_capture_on_commit_callbacks
):
    starts_at = timezone.now().replace(microsecond=0) + datetime.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_schedule(
            engagement=world.engagement,
            actor=world.supporter,
            starts_at=starts_at,
            duration_minutes=60,
            mode=Mode.PHONE,
            place_type=PlaceType.VIRTUAL,
            reminder_minutes=24 * 60,
        )

    queued = DBTaskResult.objects.get()
    assert queued.task_path == "alongside.meetings.reminders.send_due_reminders"
    assert queued.run_after == starts_at - datetime.timedelta(days=1)


def test_planning_without_a_reminder_queues_nothing(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting_schedule(
            engagement=world.engagement,
            actor=world.supporter,
            starts_at=timezone.now() + datetime.timedelta(days=2),
            duration_minutes=60,
            mode=Mode.PHONE,
            place_type=PlaceType.VIRTUAL,
        )

    assert not DBTaskResult.objects.exists()


def test_the_task_sends_and_queues_itself_again_for_a_waiting_reminder(world, reachable):
    reachable.contact_days = [(timezone.localdate().weekday() + 1) % 7]  # tomorrow only
    reachable.save()
    soon = timezone.now() + datetime.timedelta(days=3)
    planned(world, starts_at=soon, reminder_minutes=7 * 24 * 60)

    result = reminders.send_due_reminders.call()

    assert result == {"sent": 0, "skipped": 0, "waiting": 1}
    assert DBTaskResult.objects.count() == 1


def test_the_command_sends_and_prints_a_summary(world, reachable, capsys):
    planned(world, starts_at=timezone.now() + datetime.timedelta(minutes=30))

    call_command("send_meeting_reminders")

    assert "1 sent, 0 skipped" in capsys.readouterr().out
    assert len(mail.outbox) == 1
