"""Kinds of ending, the step-down plan, the concluding checklist and what completion needs."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import timezone

from alongside.audit.models import AuditEvent
from alongside.core.errors import RuleViolation
from alongside.engagements.models import Engagement, State
from alongside.engagements.services import engagement_transition
from alongside.engagements.testing import conversations_and_worksheet, onboarding_complete
from alongside.exits.models import ConcludingStep, Exit, ExitKind, ExitReason
from alongside.exits.services import exit_complete, exit_start, step_record
from alongside.exits.testing import checklist_done
from alongside.meetings.models import Meeting, Note
from alongside.notifications.models import Notification
from alongside.surveys.testing import installed
from alongside.teamplans.models import TeamPlanWorksheet

Step = ConcludingStep.Step
TODAY = datetime.date.today


def _fresh(engagement) -> Engagement:
    return Engagement.objects.get(pk=engagement.pk)


def _abrupt(world, reason=ExitReason.HOSPITALIZED) -> Exit:
    return exit_start(engagement=world.engagement, actor=world.supporter, reason=reason)


def _draft_note(world) -> Note:
    meeting = Meeting.objects.create(
        engagement=world.engagement,
        created_by=world.supporter,
        starts_at=timezone.now() - datetime.timedelta(days=2),
        duration_minutes=45,
        mode="phone",
    )
    return Note.objects.create(meeting=meeting, author=world.supporter, body="Half written")


# Kinds and reasons


def test_the_kind_follows_the_reason_when_not_given(world):
    assert _abrupt(world, ExitReason.MOVED).kind == ExitKind.ABRUPT
    other = exit_start(
        engagement=world.other_engagement,
        actor=world.other_supporter,
        reason=ExitReason.NO_LONGER_NEEDED,
    )
    assert other.kind == ExitKind.PLANNED


def test_a_reason_must_fit_the_kind(world):
    with pytest.raises(ValidationError) as refused:
        exit_start(
            engagement=world.engagement,
            actor=world.supporter,
            kind=ExitKind.PLANNED,
            reason=ExitReason.DEATH,
        )

    assert "reason" in refused.value.message_dict
    assert not Exit.objects.exists()
    assert _fresh(world.engagement).state == State.ACTIVE


def test_other_needs_a_description(world):
    with pytest.raises(ValidationError) as refused:
        exit_start(engagement=world.engagement, actor=world.supporter, reason=ExitReason.OTHER)
    assert "reason_detail" in refused.value.message_dict

    exit_ = exit_start(
        engagement=world.engagement,
        actor=world.supporter,
        reason=ExitReason.OTHER,
        reason_detail="  Family emergency abroad ",
    )
    assert exit_.kind == ExitKind.ABRUPT
    assert exit_.reason_text == "Other: Family emergency abroad"


def test_a_step_down_records_its_plan(world):
    until = TODAY() + datetime.timedelta(days=60)

    exit_ = exit_start(
        engagement=world.engagement,
        actor=world.supporter,
        kind=ExitKind.STEP_DOWN,
        reason=ExitReason.GOALS_MET,
        step_down_per_month=2,
        step_down_until=until,
    )

    exit_.refresh_from_db()
    assert (exit_.step_down_per_month, exit_.step_down_until) == (2, until)
    event = AuditEvent.objects.get(action="exit.started")
    assert event.data["kind"] == "step_down"


@pytest.mark.parametrize(
    ("per_month", "days", "field"),
    [
        (None, 30, "step_down_per_month"),
        (0, 30, "step_down_per_month"),
        (2, None, "step_down_until"),
        (2, 0, "step_down_until"),
        (2, 400, "step_down_until"),
    ],
)
def test_a_step_down_without_a_sound_plan_is_refused(world, per_month, days, field):
    until = TODAY() + datetime.timedelta(days=days) if days is not None else None

    with pytest.raises(ValidationError) as refused:
        exit_start(
            engagement=world.engagement,
            actor=world.supporter,
            kind=ExitKind.STEP_DOWN,
            reason=ExitReason.GOALS_MET,
            step_down_per_month=per_month,
            step_down_until=until,
        )

    assert field in refused.value.message_dict
    assert not Exit.objects.exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"reason": ExitReason.OTHER, "reason_detail": "x" * 401}, "reason_detail"),
        ({"reason": ExitReason.MOVED, "note": "x" * 4001}, "note"),
    ],
)
def test_the_service_refuses_text_longer_than_the_forms_accept(world, extra, field):
    with pytest.raises(ValidationError) as refused:
        exit_start(engagement=world.engagement, actor=world.supporter, **extra)

    assert field in refused.value.message_dict
    assert not Exit.objects.exists()


def test_every_problem_with_a_start_is_named_at_once(world):
    with pytest.raises(ValidationError) as refused:
        exit_start(
            engagement=world.engagement,
            actor=world.supporter,
            kind=ExitKind.STEP_DOWN,
            reason=ExitReason.OTHER,
        )

    assert {"reason", "step_down_per_month", "step_down_until"} <= set(refused.value.message_dict)


def test_a_plan_belongs_to_a_step_down_only(world):
    with pytest.raises(ValidationError):
        exit_start(
            engagement=world.engagement,
            actor=world.supporter,
            reason=ExitReason.GOALS_MET,
            step_down_per_month=2,
        )


def test_a_step_down_completes_once_its_end_date_is_reached(world):
    exit_ = exit_start(
        engagement=world.engagement,
        actor=world.supporter,
        kind=ExitKind.STEP_DOWN,
        reason=ExitReason.GOALS_MET,
        step_down_per_month=1,
        step_down_until=TODAY() + datetime.timedelta(days=30),
    )
    checklist_done(world.engagement, world.supporter)

    with pytest.raises(RuleViolation) as refused:
        exit_complete(engagement=world.engagement, actor=world.supporter)
    assert "step-down runs until" in refused.value.message
    assert _fresh(world.engagement).state == State.EXITING

    Exit.objects.filter(pk=exit_.pk).update(step_down_until=TODAY())
    exit_complete(engagement=world.engagement, actor=world.supporter)
    assert _fresh(world.engagement).state == State.CLOSED


# When the checklist opens


def test_the_checklist_is_closed_before_its_opening_day(world):
    Engagement.objects.filter(pk=world.engagement.pk).update(
        guideline_ends_on=TODAY() + datetime.timedelta(days=90)
    )

    with pytest.raises(RuleViolation, match="opens on"):
        step_record(
            engagement=_fresh(world.engagement),
            actor=world.supporter,
            step=Step.ENDING_DISCUSSED,
        )

    assert not ConcludingStep.objects.exists()


def test_the_checklist_opens_before_the_guideline_ends(world):
    # Community Peer Support: 60 days before the end by default.
    Engagement.objects.filter(pk=world.engagement.pk).update(
        guideline_ends_on=TODAY() + datetime.timedelta(days=59)
    )

    row = step_record(
        engagement=_fresh(world.engagement),
        actor=world.supporter,
        step=Step.ENDING_DISCUSSED,
        note="Talked about what ending could look like.",
    )

    assert (row.recorded_by, row.status) == (world.supporter, "done")
    assert _fresh(world.engagement).state == State.ACTIVE  # no exit needed yet
    assert AuditEvent.objects.filter(action="exit.step_recorded").exists()


def test_open_ended_support_opens_the_checklist_with_the_exit(world):
    Engagement.objects.filter(pk=world.engagement.pk).update(guideline_ends_on=None)
    with pytest.raises(RuleViolation, match="when the exit starts"):
        step_record(
            engagement=_fresh(world.engagement), actor=world.supporter, step=Step.ENDING_DISCUSSED
        )

    exit_start(engagement=_fresh(world.engagement), actor=world.supporter, reason="goals_met")
    step_record(
        engagement=_fresh(world.engagement), actor=world.supporter, step=Step.ENDING_DISCUSSED
    )
    assert ConcludingStep.objects.count() == 1


def test_a_step_is_recorded_once(world):
    _abrupt(world)
    step_record(engagement=world.engagement, actor=world.supporter, step=Step.GROWTH_REFLECTED)

    with pytest.raises(RuleViolation, match="already recorded"):
        step_record(engagement=world.engagement, actor=world.coordinator, step="growth_reflected")

    assert ConcludingStep.objects.get().recorded_by == world.supporter


def test_an_unknown_step_is_bad_input(world):
    _abrupt(world)
    with pytest.raises(ValidationError):
        step_record(engagement=world.engagement, actor=world.supporter, step="party")


def test_the_checklist_survives_a_withdrawn_exit(world):
    _abrupt(world)
    step_record(engagement=world.engagement, actor=world.supporter, step=Step.ENDING_DISCUSSED)
    onboarding_complete(world.engagement, world.supporter)

    engagement_transition(
        engagement=world.engagement, to_state=State.ACTIVE, actor=world.supporter
    )

    assert not Exit.objects.exists()
    assert ConcludingStep.objects.filter(engagement=world.engagement).count() == 1


# Could not be done


def test_only_an_abrupt_ending_records_a_step_as_not_possible(world):
    exit_start(engagement=world.engagement, actor=world.supporter, reason="goals_met")

    with pytest.raises(RuleViolation, match="abrupt"):
        step_record(
            engagement=world.engagement,
            actor=world.supporter,
            step=Step.GROWTH_REFLECTED,
            status="not_possible",
            note="No time",
        )
    assert not ConcludingStep.objects.exists()


def test_not_possible_says_why(world):
    _abrupt(world)

    with pytest.raises(ValidationError) as refused:
        step_record(
            engagement=world.engagement,
            actor=world.supporter,
            step=Step.GROWTH_REFLECTED,
            status="not_possible",
        )
    assert "note" in refused.value.message_dict


def test_a_step_not_possible_can_later_be_done(world):
    _abrupt(world)
    step_record(
        engagement=world.engagement,
        actor=world.supporter,
        step=Step.GROWTH_REFLECTED,
        status="not_possible",
        note="In hospital",
    )

    row = step_record(
        engagement=world.engagement,
        actor=world.coordinator,
        step=Step.GROWTH_REFLECTED,
        note="Visited; reflected together.",
    )

    assert ConcludingStep.objects.get() == row
    assert (row.status, row.recorded_by) == ("done", world.coordinator)


# The exit survey and the records


def test_offering_the_exit_survey_tells_the_participant_in_their_portal(world):
    installed("exit-survey")
    _abrupt(world)

    step_record(engagement=world.engagement, actor=world.supporter, step=Step.EXIT_SURVEY_OFFERED)

    notice = Notification.objects.get(user=world.participant_user)
    assert notice.url == "/portal/surveys/exit-survey/"
    assert "exit survey" in notice.text


@pytest.mark.parametrize(
    ("channels", "reminders_ok", "emailed"),
    [(["email"], True, True), (["email"], False, False), (["phone"], True, False)],
)
def test_the_offer_is_emailed_only_where_the_participant_agreed_to_email(
    world, mailoutbox, django_capture_on_commit_callbacks, channels, reminders_ok, emailed
):
    installed("exit-survey")
    world.participant_user.email = "pat@example.org"
    world.participant_user.save()
    _abrupt(world)
    conversations_and_worksheet(world.engagement, world.supporter)
    TeamPlanWorksheet.objects.filter(engagement=world.engagement).update(
        channels=channels, reminders_ok=reminders_ok
    )

    with django_capture_on_commit_callbacks(execute=True):
        step_record(
            engagement=world.engagement, actor=world.supporter, step=Step.EXIT_SURVEY_OFFERED
        )

    assert Notification.objects.filter(user=world.participant_user).count() == 1
    assert [m.to for m in mailoutbox] == ([["pat@example.org"]] if emailed else [])
    if emailed:
        assert "Pat" not in mailoutbox[0].body and "Rivera" not in mailoutbox[0].body


def test_the_exit_survey_cannot_be_offered_when_it_is_not_installed(world):
    _abrupt(world)

    with pytest.raises(RuleViolation, match="not installed"):
        step_record(
            engagement=world.engagement, actor=world.supporter, step=Step.EXIT_SURVEY_OFFERED
        )
    assert not ConcludingStep.objects.exists()
    assert not Notification.objects.exists()


def test_records_are_not_final_while_a_note_is_a_draft(world):
    _abrupt(world)
    note = _draft_note(world)

    with pytest.raises(RuleViolation) as refused:
        step_record(
            engagement=world.engagement, actor=world.supporter, step=Step.RECORDS_FINALIZED
        )
    assert refused.value.missing[0].startswith("Draft note of the meeting on")
    assert not ConcludingStep.objects.exists()

    Note.objects.filter(pk=note.pk).update(status="final", finalized_at=timezone.now())
    step_record(engagement=world.engagement, actor=world.supporter, step=Step.RECORDS_FINALIZED)
    assert ConcludingStep.objects.get().step == Step.RECORDS_FINALIZED


# Completion


def test_completion_is_refused_with_the_list_of_what_remains(world):
    exit_start(engagement=world.engagement, actor=world.supporter, reason="goals_met")
    step_record(engagement=world.engagement, actor=world.supporter, step=Step.ENDING_DISCUSSED)
    events = AuditEvent.objects.count()

    with pytest.raises(RuleViolation) as refused:
        exit_complete(engagement=world.engagement, actor=world.supporter)

    assert refused.value.missing == [
        "Growth reflected on",
        "Natural supports and community resources connected",
        "What to do if they need help again explained",
        "Exit survey offered",
        "Records finalized",
    ]
    assert "Before closing" in refused.value.message
    assert _fresh(world.engagement).state == State.EXITING
    assert Exit.objects.get().completed_at is None
    assert AuditEvent.objects.count() == events


def test_a_draft_written_after_records_were_finalized_holds_the_close(world):
    exit_start(engagement=world.engagement, actor=world.supporter, reason="goals_met")
    checklist_done(world.engagement, world.supporter)
    _draft_note(world)

    with pytest.raises(RuleViolation) as refused:
        exit_complete(engagement=world.engagement, actor=world.supporter)

    assert len(refused.value.missing) == 1
    assert "Draft note" in refused.value.missing[0]


def test_an_abrupt_exit_closes_with_steps_that_could_not_be_done(world):
    installed("exit-survey")
    _abrupt(world)
    _draft_note(world)
    steps = {
        step: {"status": "not_possible", "note": "Pat is in hospital."}
        for step in Step.values
        if step != Step.EXIT_SURVEY_OFFERED
    }
    steps[Step.EXIT_SURVEY_OFFERED] = {"status": "done", "note": "Sent to the portal."}

    exit_ = exit_complete(engagement=world.engagement, actor=world.coordinator, steps=steps)

    assert exit_.completed_by == world.coordinator
    assert _fresh(world.engagement).state == State.CLOSED
    rows = {r.step: r for r in ConcludingStep.objects.all()}
    assert rows[Step.RECORDS_FINALIZED].status == "not_possible"
    assert rows[Step.RECORDS_FINALIZED].note == "Pat is in hospital."
    assert rows[Step.EXIT_SURVEY_OFFERED].status == "done"
    completed = AuditEvent.objects.get(action="exit.completed")
    assert Step.RECORDS_FINALIZED in completed.data["not_possible"]


def test_a_refused_guided_close_keeps_nothing(world):
    _abrupt(world)
    steps = {Step.ENDING_DISCUSSED: {"status": "done", "note": "Phoned."}}

    with pytest.raises(RuleViolation):
        exit_complete(engagement=world.engagement, actor=world.supporter, steps=steps)

    assert not ConcludingStep.objects.exists()
    assert _fresh(world.engagement).state == State.EXITING


def test_a_step_after_the_close_is_refused(world):
    _abrupt(world)
    checklist_done(world.engagement, world.supporter)
    exit_complete(engagement=world.engagement, actor=world.supporter)

    with pytest.raises(RuleViolation, match="closed"):
        step_record(
            engagement=_fresh(world.engagement), actor=world.supporter, step="growth_reflected"
        )
    with pytest.raises(RuleViolation, match="closed"):
        exit_start(engagement=_fresh(world.engagement), actor=world.supporter, reason="moved")


# Existing rows


def test_the_migration_gives_existing_exits_the_kind_of_their_reason(world):
    migration = importlib.import_module(
        "alongside.exits.migrations.0002_kinds_step_down_concluding_checklist"
    )
    planned = exit_start(engagement=world.engagement, actor=world.supporter, reason="goals_met")
    abrupt = exit_start(
        engagement=world.other_engagement, actor=world.other_supporter, reason="lost_contact"
    )
    Exit.objects.update(kind="step_down", step_down_per_month=1, step_down_until=TODAY())

    migration.kinds_from_reasons(apps, None)

    assert Exit.objects.get(pk=planned.pk).kind == "planned"
    assert Exit.objects.get(pk=abrupt.pk).kind == "abrupt"
