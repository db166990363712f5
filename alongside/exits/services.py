"""Ending an engagement: start the exit, work through the concluding checklist, complete it.

The concluding checklist opens before the exit starts (at the program's point before the
guideline's end) so the conversation about the ending can start early. Completion is
refused while a step is open, with the list of what remains; an abrupt ending may record
a step as "could not be done" with the reason instead. Completing closes the engagement
in one transaction, and from then on its record is read-only.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from alongside.audit.services import event_record
from alongside.core.errors import RuleViolation
from alongside.core.services import save_changes
from alongside.engagements.models import Engagement, State
from alongside.engagements.services import (
    engagement_transition,
    ensure_writable,
    locked_current,
    transition_refusal,
)
from alongside.exits.models import (
    REASONS_BY_KIND,
    ConcludingStep,
    Exit,
    ExitKind,
    ExitReason,
    kind_for_reason,
)

Step = ConcludingStep.Step
StepStatus = ConcludingStep.Status
EXIT_SURVEY = "exit-survey"
# A step-down longer than this is not a step-down but ongoing support.
STEP_DOWN_MAX_DAYS = 366
STEP_DOWN_MAX_PER_MONTH = 31
# The lengths the forms and the API accept; the service refuses longer text itself.
REASON_DETAIL_MAX = 400
NOTE_MAX = 4000
STEP_NOTE_MAX = 2000


# Reads the rules need ---------------------------------------------------------------


def checklist_opens_on(engagement: Engagement, exit_: Exit | None) -> datetime.date | None:
    """When the concluding checklist opens: the exit's start or the program's point before
    the guideline's end, whichever comes first; None while neither is known."""
    from alongside.engagements.selectors import concluding_opens_on

    dates = [concluding_opens_on(engagement)]
    if exit_ is not None:
        dates.append(timezone.localdate(exit_.started_at))
    dates = [d for d in dates if d is not None]
    return min(dates) if dates else None


def checklist_is_open(
    engagement: Engagement, exit_: Exit | None, today: datetime.date | None = None
) -> bool:
    opens_on = checklist_opens_on(engagement, exit_)
    return opens_on is not None and opens_on <= (today or timezone.localdate())


def records_open(engagement: Engagement) -> list[str]:
    """What keeps the record from being final: draft notes and staff survey drafts.

    A participant's own portal draft is theirs to finish or leave; it does not count.
    """
    from alongside.meetings.models import Note, NoteStatus
    from alongside.surveys.models import FillMethod, Response, ResponseStatus

    notes = (
        Note.objects.filter(meeting__engagement=engagement, status=NoteStatus.DRAFT)
        .select_related("meeting")
        .order_by("meeting__starts_at", "pk")
    )
    responses = (
        Response.objects.filter(engagement=engagement, status=ResponseStatus.DRAFT)
        .exclude(method=FillMethod.PORTAL)
        .select_related("instrument_version__instrument")
        .order_by("started_at", "pk")
    )
    missing = [
        _("Draft note of the meeting on %(date)s")
        % {"date": date_format(timezone.localtime(note.meeting.starts_at), "SHORT_DATE_FORMAT")}
        for note in notes
    ]
    missing += [
        _("Unfinished survey: %(title)s started %(date)s")
        % {
            "title": response.instrument_version.instrument.title,
            "date": date_format(timezone.localtime(response.started_at), "SHORT_DATE_FORMAT"),
        }
        for response in responses
    ]
    return missing


def step_down_refusal(exit_: Exit, today: datetime.date | None = None) -> str:
    """Why a step-down cannot close yet ("" when it can)."""
    today = today or timezone.localdate()
    if (
        exit_.kind == ExitKind.STEP_DOWN
        and exit_.step_down_until
        and today < exit_.step_down_until
    ):
        return _("The step-down runs until %(date)s; the exit can be completed from that day.") % {
            "date": date_format(exit_.step_down_until, "SHORT_DATE_FORMAT")
        }
    return ""


def completion_missing(
    engagement: Engagement,
    exit_: Exit,
    steps: dict[str, ConcludingStep] | None = None,
    *,
    open_records: list[str] | None = None,
    today: datetime.date | None = None,
) -> list[str]:
    """What still stands between this exit and closing, as labels; empty when it may close.

    Every step is done, or (abrupt endings only) recorded as not possible with why; a
    finalized record has no drafts left; a step-down has reached its end date.
    """
    if steps is None:
        steps = {s.step: s for s in ConcludingStep.objects.filter(engagement=engagement)}
    missing = []
    for step in Step:
        row = steps.get(step.value)
        if row is None or (not row.is_done and not exit_.is_abrupt):
            missing.append(str(step.label))
    records = steps.get(Step.RECORDS_FINALIZED)
    if records is not None and records.is_done:
        missing += records_open(engagement) if open_records is None else open_records
    refusal = step_down_refusal(exit_, today)
    if refusal:
        missing.append(refusal)
    return missing


def exit_start_refusal(engagement: Engagement) -> str:
    """Why an exit cannot be started now ("" when it can); the page asks before offering it."""
    if Exit.objects.filter(engagement=engagement).exists():
        return _("The exit has already been started.")
    return transition_refusal(engagement, State.EXITING)


def exit_complete_refusal(engagement: Engagement) -> str:
    """Why the exit cannot be completed now ("" when it can)."""
    if (
        engagement.state != State.EXITING
        or not Exit.objects.filter(engagement=engagement).exists()
    ):
        return _("Start the exit, with its reason, before completing it.")
    return ""


# Starting ---------------------------------------------------------------------------


def _plan_errors(kind: str, per_month: int | None, until: datetime.date | None) -> dict[str, str]:
    """What is wrong with the step-down plan for this kind of ending (empty when sound)."""
    if kind != ExitKind.STEP_DOWN:
        if per_month is not None or until is not None:
            return {"step_down_until": _("A step-down plan goes with a staged step-down only.")}
        return {}
    errors = {}
    today = timezone.localdate()
    if per_month is None or not 1 <= per_month <= STEP_DOWN_MAX_PER_MONTH:
        errors["step_down_per_month"] = _(
            "Say how many meetings a month while stepping down (1 to %(max)s)."
        ) % {"max": STEP_DOWN_MAX_PER_MONTH}
    if until is None or until <= today:
        errors["step_down_until"] = _("Choose the day the step-down ends, after today.")
    elif until > today + datetime.timedelta(days=STEP_DOWN_MAX_DAYS):
        errors["step_down_until"] = _("A step-down lasts at most a year.")
    return errors


def _start_errors(
    *,
    kind: str,
    reason: str,
    reason_detail: str,
    note: str,
    per_month: int | None,
    until: datetime.date | None,
) -> dict[str, str]:
    """Every problem with an exit's start at once, by field: the page shows them together,
    and the form leaves these rules to the service so there is one place for them."""
    errors = {}
    if reason not in REASONS_BY_KIND[kind]:
        errors["reason"] = _(
            "“%(reason)s” is not a reason for a %(kind)s; choose one of: %(ok)s."
        ) % {
            "reason": ExitReason(reason).label,
            "kind": str(ExitKind(kind).label).lower(),
            "ok": ", ".join(str(ExitReason(r).label) for r in REASONS_BY_KIND[kind]),
        }
    if reason == ExitReason.OTHER and not reason_detail:
        errors["reason_detail"] = _("Say what happened when the reason is “Other”.")
    elif len(reason_detail) > REASON_DETAIL_MAX:
        errors["reason_detail"] = _("Keep what happened under %(max)s characters.") % {
            "max": REASON_DETAIL_MAX
        }
    if len(note) > NOTE_MAX:
        errors["note"] = _("Keep the note under %(max)s characters.") % {"max": NOTE_MAX}
    return {**errors, **_plan_errors(kind, per_month, until)}


def exit_start(
    *,
    engagement: Engagement,
    actor,
    reason: str,
    kind: str = "",
    note: str = "",
    reason_detail: str = "",
    step_down_per_month: int | None = None,
    step_down_until: datetime.date | None = None,
) -> Exit:
    """Begin concluding: the engagement moves to exiting with the kind and reason recorded.

    Without ``kind`` the reason decides it (goals met, support no longer needed: planned;
    any other: abrupt). A step-down records its plan: meetings a month until a date.
    """
    ensure_writable(engagement)
    if reason not in ExitReason.values:
        raise RuleViolation(_("Choose why support is ending."))
    kind = kind or kind_for_reason(reason)
    if kind not in ExitKind.values:
        raise ValidationError({"kind": _("Choose how support is ending.")})
    reason_detail, note = (reason_detail or "").strip(), (note or "").strip()
    errors = _start_errors(
        kind=kind,
        reason=reason,
        reason_detail=reason_detail,
        note=note,
        per_month=step_down_per_month,
        until=step_down_until,
    )
    if errors:
        raise ValidationError(errors)
    refusal = exit_start_refusal(engagement)
    if refusal:
        raise RuleViolation(refusal)
    with transaction.atomic():
        engagement = engagement_transition(
            engagement=engagement,
            to_state=State.EXITING,
            actor=actor,
            # A plain string: the label is lazy, and the audit event stores it as JSON.
            reason=str(ExitReason(reason).label),
        )
        exit_ = Exit(
            engagement=engagement,
            kind=kind,
            reason=reason,
            reason_detail=reason_detail,
            note=note,
            step_down_per_month=step_down_per_month,
            step_down_until=step_down_until,
            started_at=timezone.now(),
            started_by=actor,
        )
        exit_._history_user = actor
        exit_.save()
        event_record(
            actor=actor,
            organization=engagement.organization,
            action="exit.started",
            obj=exit_,
            data={
                "kind": kind,
                "reason": reason,
                **({"step_down_until": step_down_until.isoformat()} if step_down_until else {}),
            },
        )
    return exit_


# The concluding checklist -------------------------------------------------------------


def _ensure_checklist_open(engagement: Engagement, exit_: Exit | None) -> None:
    if checklist_is_open(engagement, exit_):
        return
    opens_on = checklist_opens_on(engagement, exit_)
    if opens_on is None:
        raise RuleViolation(_("The concluding checklist opens when the exit starts."))
    raise RuleViolation(
        _("The concluding checklist opens on %(date)s, or earlier if the exit starts.")
        % {"date": date_format(opens_on, "SHORT_DATE_FORMAT")}
    )


def _exit_survey_offer(engagement: Engagement, actor) -> None:
    """Make sure the exit survey can be filled, and tell the participant in their portal."""
    from alongside.notifications.services import notify
    from alongside.surveys.selectors import current_version
    from alongside.teamplans.models import Channel
    from alongside.teamplans.selectors import worksheet_for

    if current_version(EXIT_SURVEY) is None:
        raise RuleViolation(
            _("The exit survey is not installed; an administrator runs install_instruments.")
        )
    user = engagement.participant.user
    if user is not None and user.is_active:
        # Emailed only where the participant agreed to be reached by email (the team plan
        # worksheet); the text names nobody either way.
        worksheet = worksheet_for(engagement)
        notify(
            user=user,
            organization=engagement.organization,
            text=lambda: _("Your peer support team invites you to fill in the exit survey."),
            url=reverse("surveys:portal_fill", args=[EXIT_SURVEY]),
            email=worksheet is not None
            and worksheet.reminders_ok
            and Channel.EMAIL in worksheet.channels,
        )


def step_record(
    *,
    engagement: Engagement,
    step: str,
    actor,
    note: str = "",
    status: str = StepStatus.DONE,
) -> ConcludingStep:
    """Tick a step of the concluding checklist, or record why it could not be done.

    "Could not be done" is for abrupt endings only, and says why. Offering the exit
    survey tells the participant in their portal; "records finalized" is refused while
    drafts remain, with the list of them.
    """
    ensure_writable(engagement)
    if step not in Step.values:
        raise ValidationError({"step": _("Choose a step of the concluding checklist.")})
    if status not in StepStatus.values:
        raise ValidationError({"status": _("Choose done or could not be done.")})
    note = (note or "").strip()
    if len(note) > STEP_NOTE_MAX:
        raise ValidationError(
            {"note": _("Keep the note under %(max)s characters.") % {"max": STEP_NOTE_MAX}}
        )
    with transaction.atomic():
        current = locked_current(engagement)
        ensure_writable(current)
        exit_ = Exit.objects.filter(engagement=current).first()
        _ensure_checklist_open(current, exit_)
        if status == StepStatus.NOT_POSSIBLE:
            if exit_ is None or not exit_.is_abrupt:
                raise RuleViolation(
                    _("Only an abrupt ending may record a step as could not be done.")
                )
            if not note:
                raise ValidationError({"note": _("Say why this step could not be done.")})
        existing = ConcludingStep.objects.filter(engagement=current, step=step).first()
        if existing is not None and existing.is_done:
            raise RuleViolation(_("“%(step)s” is already recorded.") % {"step": Step(step).label})
        if status == StepStatus.DONE and step == Step.RECORDS_FINALIZED:
            remaining = records_open(current)
            if remaining:
                raise RuleViolation(
                    _("Finish these records first: %(list)s.") % {"list": "; ".join(remaining)},
                    missing=remaining,
                )
        if status == StepStatus.DONE and step == Step.EXIT_SURVEY_OFFERED:
            _exit_survey_offer(current, actor)
        row = existing or ConcludingStep(engagement=current, step=step)
        row.status, row.note = status, note
        row.recorded_at, row.recorded_by = timezone.now(), actor
        row._history_user = actor
        row.save()
        event_record(
            actor=actor,
            organization=current.organization,
            action="exit.step_recorded",
            obj=current,
            data={"step": step, "status": status},
        )
    return row


# Completing -------------------------------------------------------------------------


def exit_complete(
    *,
    engagement: Engagement,
    actor,
    note: str = "",
    steps: dict[str, dict] | None = None,
) -> Exit:
    """Close the engagement; from here on its record is read-only.

    ``steps`` (the guided close) records open steps first, as ``{step: {"status", "note"}}``;
    all of it happens at once or not at all. Refused while required steps remain, with
    the list (``RuleViolation.missing``).
    """
    ensure_writable(engagement)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(
            {"note": _("Keep the note under %(max)s characters.") % {"max": NOTE_MAX}}
        )
    with transaction.atomic():
        current = locked_current(engagement)
        ensure_writable(current)
        refusal = exit_complete_refusal(current)
        if refusal:
            raise RuleViolation(refusal)
        for step, entry in (steps or {}).items():
            step_record(
                engagement=current,
                step=step,
                actor=actor,
                status=entry.get("status", StepStatus.DONE),
                note=entry.get("note", ""),
            )
            current.refresh_from_db(fields=["version"])
        exit_ = Exit.objects.select_for_update().get(engagement=current)
        missing = completion_missing(current, exit_)
        if missing:
            raise RuleViolation(
                _("Before closing, complete: %(missing)s.") % {"missing": "; ".join(missing)},
                missing=missing,
            )
        exit_.completed_at = timezone.now()
        exit_.completed_by = actor
        fields = ["completed_at", "completed_by"]
        if note:
            exit_.note = f"{exit_.note}\n\n{note}".strip()
            fields.append("note")
        save_changes(exit_, actor, fields)
        engagement_transition(
            engagement=current,
            to_state=State.CLOSED,
            actor=actor,
            reason=_("Exit completed: %(reason)s") % {"reason": exit_.get_reason_display()},
        )
        event_record(
            actor=actor,
            organization=current.organization,
            action="exit.completed",
            obj=exit_,
            data={
                "kind": exit_.kind,
                "not_possible": sorted(
                    ConcludingStep.objects.filter(
                        engagement=current, status=StepStatus.NOT_POSSIBLE
                    ).values_list("step", flat=True)
                ),
            },
        )
    for name in ("state", "state_changed_at", "closed_on", "version"):
        setattr(engagement, name, getattr(current, name))
    return exit_
