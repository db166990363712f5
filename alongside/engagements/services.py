"""The engagement lifecycle: opening at match, moving between states, closing."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.models import PeerSupporterProfile
from alongside.audit.services import event_record
from alongside.core.dates import add_months
from alongside.core.errors import RuleViolation, StaleEdit
from alongside.core.services import save_changes
from alongside.engagements.models import (
    Engagement,
    OnboardingStep,
    State,
    StateChange,
    SupporterAssignment,
)

TRANSITIONS: dict[str, frozenset[str]] = {
    State.REFERRED: frozenset({State.MATCHED, State.CLOSED}),
    State.MATCHED: frozenset({State.ONBOARDING, State.CLOSED}),
    State.ONBOARDING: frozenset({State.ACTIVE, State.EXITING}),
    State.ACTIVE: frozenset({State.EXITING}),
    State.EXITING: frozenset({State.ACTIVE, State.CLOSED}),
    State.CLOSED: frozenset(),
}
OPEN_STATES = [s for s in State.values if s != State.CLOSED]


def ensure_writable(engagement: Engagement) -> None:
    """A closed engagement is read-only."""
    if engagement.is_closed:
        raise RuleViolation(_("This engagement is closed; its record can no longer be changed."))


def due_dates(
    engagement: Engagement, last_assessed_on: datetime.date | None = None
) -> tuple[datetime.date | None, datetime.date | None]:
    """When the next assessment is due and when the program's duration guideline ends."""
    program = engagement.program
    anchor = last_assessed_on or engagement.activated_on
    assessment_due = add_months(anchor, program.assessment_interval_months) if anchor else None
    guideline_end = (
        engagement.started_on + datetime.timedelta(days=program.duration_guideline_days)
        if program.duration_guideline_days
        else None
    )
    return assessment_due, guideline_end


def goal_review_due(engagement: Engagement, last_review_on: datetime.date) -> datetime.date | None:
    """The next periodic goal review between assessments, or None when the program has none."""
    months = engagement.program.goal_review_interval_months
    return add_months(last_review_on, months) if months else None


def missing_for_activation(engagement: Engagement) -> list[str]:
    """What activation still needs, in the order of the onboarding checklist.

    The conversations (process, rights and privacy), the required documents (signed
    on their current version where the program asks for re-signing), the emergency
    plan, and the team plan worksheet (communication preferences and boundaries).
    """
    from alongside.agreements.selectors import missing_documents
    from alongside.emergencyplans.services import participant_has_plan
    from alongside.teamplans.selectors import worksheet_for

    return activation_gaps(
        steps_done=set(engagement.onboarding_steps.values_list("step", flat=True)),
        documents_missing=missing_documents(engagement),
        has_plan=participant_has_plan(engagement.participant_id),
        has_worksheet=worksheet_for(engagement) is not None,
    )


def activation_gaps(
    *, steps_done: set[str], documents_missing: list[str], has_plan: bool, has_worksheet: bool
) -> list[str]:
    """The gate's rule over facts already gathered, so the engagement page need not re-ask."""
    missing = [str(step.label) for step in OnboardingStep.Step if step.value not in steps_done]
    missing += documents_missing
    if not has_plan:
        missing.append(_("Emergency plan"))
    if not has_worksheet:
        missing.append(_("Communication preferences and boundaries"))
    return missing


def transition_refusal(engagement: Engagement, to_state: str) -> str:
    """Why this move is not allowed now ("" when it is), for pages that ask before offering it."""
    refusal = _refusal(engagement, to_state)
    return refusal.message if refusal else ""


def _refusal(engagement: Engagement, to_state: str) -> RuleViolation | None:
    """Why this move is not allowed now, or None."""
    if to_state not in State.values:
        return RuleViolation(_("“%(state)s” is not an engagement state.") % {"state": to_state})
    if to_state not in TRANSITIONS[engagement.state]:
        return RuleViolation(
            _("An engagement cannot move from %(from)s to %(to)s.")
            % {"from": State(engagement.state).label, "to": State(to_state).label}
        )
    if to_state == State.ACTIVE:
        missing = missing_for_activation(engagement)
        if missing:
            return RuleViolation(
                _("Before activating, complete: %(missing)s.") % {"missing": ", ".join(missing)},
                missing=missing,
            )
    if to_state == State.CLOSED and engagement.state == State.EXITING:
        exit_ = getattr(engagement, "exit", None)
        if exit_ is None or exit_.completed_at is None:
            return RuleViolation(
                _("Complete the exit (with its reason) to close this engagement."),
                missing=[_("completed exit")],
            )
    return None


def engagement_transition(
    *, engagement: Engagement, to_state: str, actor, reason: str = ""
) -> Engagement:
    """Move an engagement to another state, if the rules of design.md §3 allow it."""
    with transaction.atomic():
        current = locked_current(engagement)
        refusal = _refusal(current, to_state)
        if refusal is not None:
            raise refusal
        now = timezone.now()
        from_state = current.state
        current.state = to_state
        current.state_changed_at = now
        fields = ["state", "state_changed_at"]
        if to_state == State.ACTIVE and current.activated_on is None:
            current.activated_on = timezone.localdate()
            current.assessment_due_on, _end = due_dates(current)
            current.goal_review_due_on = goal_review_due(current, current.activated_on)
            fields += ["activated_on", "assessment_due_on", "goal_review_due_on"]
        if to_state == State.CLOSED:
            current.closed_on = max(timezone.localdate(), current.started_on)
            fields.append("closed_on")
            current.assignments.filter(ended_on__isnull=True).update(ended_on=current.closed_on)
        save_changes(current, actor, fields, reason=reason)
        if from_state == State.EXITING and to_state == State.ACTIVE:
            _exit_withdraw(current, actor)
        StateChange.objects.create(
            engagement=current,
            from_state=from_state,
            to_state=to_state,
            actor=actor,
            reason=reason,
            at=now,
        )
        event_record(
            actor=actor,
            organization=current.organization,
            action=f"engagement.{to_state}",
            obj=current,
            data={"from": from_state, "reason": reason},
        )
    # The caller's copy now matches what is stored, so it can be used for the next step.
    for name in [*fields, "version"]:
        setattr(engagement, name, getattr(current, name))
    return current


def _exit_withdraw(engagement: Engagement, actor) -> None:
    """Support goes on after all: the unfinished exit is withdrawn, so a later one starts fresh."""
    from alongside.exits.models import Exit

    exit_ = Exit.objects.filter(engagement=engagement, completed_at__isnull=True).first()
    if exit_ is None:
        return
    event_record(
        actor=actor,
        organization=engagement.organization,
        action="exit.withdrawn",
        obj=exit_,
        data={"reason": exit_.reason, "started_at": exit_.started_at.isoformat()},
    )
    exit_._history_user = actor
    exit_.delete()


def locked_current(engagement: Engagement) -> Engagement:
    """The engagement as stored now, locked; refused if it changed since it was read."""
    current = (
        Engagement.objects.select_for_update()
        .select_related("program", "organization")
        .get(pk=engagement.pk)
    )
    if current.version != engagement.version:
        raise StaleEdit(
            _("This engagement was changed by someone else meanwhile. Reload and try again.")
        )
    return current


def _site_of(supporter, organization) -> int | None:
    if supporter is None:
        return None
    return (
        PeerSupporterProfile.objects.filter(user=supporter, organization=organization)
        .values_list("site_id", flat=True)
        .first()
    )


def engagement_open(*, referral, supporter, actor) -> Engagement:
    """Start the recovery team for a matched referral: the engagement begins onboarding."""
    now = timezone.now()
    with transaction.atomic():
        if Engagement.objects.filter(
            participant=referral.participant, program=referral.program, state__in=OPEN_STATES
        ).exists():
            raise RuleViolation(
                _("%(name)s already has an open engagement in %(program)s.")
                % {"name": referral.participant, "program": referral.program}
            )
        previous = (
            Engagement.objects.filter(participant=referral.participant, state=State.CLOSED)
            .order_by("-closed_on", "-pk")
            .first()
        )
        engagement = Engagement(
            organization=referral.organization,
            program=referral.program,
            participant=referral.participant,
            supporter=supporter,
            site_id=_site_of(supporter, referral.organization),
            referral=referral,
            previous=previous,
            state=State.MATCHED,
            state_changed_at=now,
            started_on=timezone.localdate(),
        )
        engagement.guideline_ends_on = due_dates(engagement)[1]
        engagement._history_user = actor
        engagement.save()
        assignment_start(
            engagement=engagement, supporter=supporter, actor=actor, reason=_("Matched")
        )
        StateChange.objects.create(
            engagement=engagement,
            from_state="",
            to_state=State.MATCHED,
            actor=actor,
            reason=_("Matched from referral"),
            at=now,
        )
        event_record(
            actor=actor,
            organization=engagement.organization,
            action="engagement.matched",
            obj=engagement,
            data={"supporter": supporter.pk, "referral": referral.pk},
        )
        return engagement_transition(
            engagement=engagement,
            to_state=State.ONBOARDING,
            actor=actor,
            reason=_("Onboarding starts at the match"),
        )


def assignment_start(
    *, engagement: Engagement, supporter, actor, reason: str
) -> SupporterAssignment:
    """Make ``supporter`` the engagement's supporter from today, ending the previous one."""
    today = timezone.localdate()
    engagement.assignments.filter(ended_on__isnull=True).update(ended_on=today)
    return SupporterAssignment.objects.create(
        engagement=engagement, supporter=supporter, started_on=today, reason=reason, actor=actor
    )


def onboarding_step_record(*, engagement: Engagement, step: str, actor) -> OnboardingStep:
    """Record that a getting-started conversation took place (once per engagement)."""
    ensure_writable(engagement)
    if step not in OnboardingStep.Step.values:
        raise RuleViolation(_("Choose a step of the onboarding checklist."))
    with transaction.atomic():
        if engagement.onboarding_steps.filter(step=step).exists():
            raise RuleViolation(
                _("“%(step)s” is already recorded.") % {"step": OnboardingStep.Step(step).label}
            )
        done = OnboardingStep.objects.create(
            engagement=engagement, step=step, done_at=timezone.now(), done_by=actor
        )
        event_record(
            actor=actor,
            organization=engagement.organization,
            action="engagement.onboarding_step",
            obj=engagement,
            data={"step": step},
        )
    return done
