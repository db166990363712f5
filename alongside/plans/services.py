"""Goals, stages of change, action steps, check-ins and plans: every write, and its rules."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.audit.services import event_record
from alongside.core.errors import RuleViolation
from alongside.core.services import check_version, save_changes
from alongside.engagements.services import ensure_writable
from alongside.engagements.signers import check_signer, signature_record
from alongside.plans.models import (
    PLANNING_STAGES,
    ActionStep,
    CheckIn,
    Goal,
    GoalStage,
    Plan,
    PlanSignature,
    PlanSignatureMethod,
    PlanSignerRole,
    PlanStyle,
    Stage,
)
from alongside.plans.selectors import readiness_recorded
from alongside.plans.text import plan_text

GOAL_EDITABLE = (
    "statement",
    "wellness_dimension",
    "approach",
    "why_it_matters",
    "strengths",
    "measure",
    "stage",
    "status",
)
STEP_EDITABLE = ("text", "owner", "due_on", "notes")
PLAN_EDITABLE = ("style", "agreed", "discussed_on", "review_on")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _stage_record(goal: Goal, stage: str, actor, note: str) -> GoalStage:
    if stage not in Stage.values:
        raise ValidationError({"stage": _("Choose a stage of change from the list.")})
    return GoalStage.objects.create(
        goal=goal, stage=stage, recorded_by=actor, note=(note or "").strip()[:500]
    )


def goal_create(
    *,
    engagement,
    actor,
    statement: str,
    wellness_dimension: str,
    measure: str = "",
    approach: str = "",
    why_it_matters: str = "",
    strengths: str = "",
    stage: str = "",
    stage_note: str = "",
) -> Goal:
    ensure_writable(engagement)
    with transaction.atomic():
        goal = Goal(
            engagement=engagement,
            statement=statement.strip(),
            wellness_dimension=wellness_dimension,
            measure=measure.strip(),
            why_it_matters=why_it_matters.strip(),
            strengths=strengths.strip(),
            stage=stage or "",
            created_by=actor,
        )
        if approach:
            goal.approach = approach
        goal._history_user = actor
        goal.full_clean()
        goal.save()
        if stage:
            _stage_record(goal, stage, actor, stage_note)
        event_record(
            actor=actor,
            organization=engagement.organization,
            action="goal.created",
            obj=goal,
            data={"stage": stage} if stage else None,
        )
    return goal


def goal_update(
    *, goal: Goal, actor, expected_version: int, stage_note: str = "", **changes
) -> Goal:
    """Change a goal, refusing if someone else changed it since ``expected_version``.

    A new ``stage`` is added to the goal's stage history (with ``stage_note``).
    """
    ensure_writable(goal.engagement)
    with transaction.atomic():
        current = Goal.objects.select_for_update().get(pk=goal.pk)
        check_version(current, expected_version)
        before_stage = current.stage
        fields = [
            name
            for name in GOAL_EDITABLE
            if name in changes and _strip(changes[name]) != getattr(current, name)
        ]
        for name in fields:
            setattr(current, name, _strip(changes[name]))
        current.full_clean()
        save_changes(current, actor, fields)
        data: dict = {"fields": fields}
        if "stage" in fields and current.stage:
            _stage_record(current, current.stage, actor, stage_note)
            data["stage"] = {"from": before_stage, "to": current.stage}
        event_record(
            actor=actor,
            organization=goal.engagement.organization,
            action="goal.updated",
            obj=current,
            data=data,
        )
    return current


def readiness_prompt(*, engagement, from_stage: str, to_stage: str) -> str:
    """A gentle Ask-Share-Ask prompt when a goal moves to planning with no readiness seen.

    Never a block: the move is saved either way. "" when there is nothing to suggest.
    """
    if to_stage not in PLANNING_STAGES or to_stage == from_stage:
        return ""
    if readiness_recorded(engagement):
        return ""
    return _(
        "No readiness signal is recorded in the notes yet. Before planning, you might test "
        "readiness with Ask-Share-Ask: ask what they know and what they want, share "
        "information if they would like it, then ask what they make of it. Staying with "
        "exploring for now is fine too."
    )


# Action steps


def step_create(
    *,
    goal: Goal,
    actor,
    text: str,
    owner: str,
    due_on: datetime.date | None = None,
    notes: str = "",
) -> ActionStep:
    ensure_writable(goal.engagement)
    with transaction.atomic():
        step = ActionStep(
            goal=goal,
            text=text.strip(),
            owner=owner,
            due_on=due_on,
            notes=notes.strip(),
            created_by=actor,
        )
        step._history_user = actor
        step.full_clean()
        step.save()
        event_record(
            actor=actor,
            organization=goal.engagement.organization,
            action="goal.step_added",
            obj=step,
            data={"goal": goal.pk},
        )
    return step


def _step_locked(step: ActionStep, expected_version: int) -> ActionStep:
    current = ActionStep.objects.select_for_update().get(pk=step.pk)
    check_version(current, expected_version)
    return current


def step_update(*, step: ActionStep, actor, expected_version: int, **changes) -> ActionStep:
    """Change a step's text, owner, date or notes, checked against the version read."""
    ensure_writable(step.goal.engagement)
    with transaction.atomic():
        current = _step_locked(step, expected_version)
        fields = [
            name
            for name in STEP_EDITABLE
            if name in changes and _strip(changes[name]) != getattr(current, name)
        ]
        for name in fields:
            setattr(current, name, _strip(changes[name]))
        current.full_clean()
        save_changes(current, actor, fields)
        event_record(
            actor=actor,
            organization=step.goal.engagement.organization,
            action="goal.step_updated",
            obj=current,
            data={"goal": step.goal_id, "fields": fields},
        )
    return current


def step_mark(*, step: ActionStep, actor, expected_version: int, done: bool) -> ActionStep:
    """Mark a step done (now) or not done; marking it as it already is changes nothing."""
    ensure_writable(step.goal.engagement)
    with transaction.atomic():
        current = _step_locked(step, expected_version)
        if current.is_done == done:
            return current
        current.done_at = timezone.now() if done else None
        save_changes(current, actor, ["done_at"])
        event_record(
            actor=actor,
            organization=step.goal.engagement.organization,
            action="goal.step_done" if done else "goal.step_undone",
            obj=current,
            data={"goal": step.goal_id},
        )
    return current


# Check-ins


def check_in_record(
    *,
    goal: Goal,
    actor,
    rating: int,
    note: str = "",
    checked_on: datetime.date | None = None,
) -> CheckIn:
    ensure_writable(goal.engagement)
    checked_on = checked_on or timezone.localdate()
    if checked_on > timezone.localdate():
        raise RuleViolation(_("A check-in cannot be dated in the future."))
    with transaction.atomic():
        check_in = CheckIn(
            goal=goal, rating=rating, note=note.strip(), checked_on=checked_on, recorded_by=actor
        )
        check_in.full_clean()
        check_in.save()
        event_record(
            actor=actor,
            organization=goal.engagement.organization,
            action="goal.checked_in",
            obj=check_in,
            data={"goal": goal.pk, "rating": int(rating)},
        )
    return check_in


def check_in_by_participant(*, goal: Goal, actor, rating: int, note: str = "") -> CheckIn:
    """The participant's own check-in from the portal, dated today: only on a goal of their
    own engagement, and only while that engagement is open."""
    engagement = goal.engagement
    if engagement.participant.user_id is None or engagement.participant.user_id != actor.pk:
        raise RuleViolation(_("You can check in only on your own goals."))
    if engagement.is_closed:
        raise RuleViolation(
            _(
                "This support has ended, so its goals take no more check-ins. Talk with the "
                "team if you want support again."
            )
        )
    return check_in_record(goal=goal, actor=actor, rating=rating, note=note)


# Plans


def _own_goals(engagement, goals) -> list[Goal]:
    goals = list(goals)
    if any(goal.engagement_id != engagement.pk for goal in goals):
        raise RuleViolation(_("A plan covers only this engagement's goals."))
    if not goals:
        raise RuleViolation(_("Choose at least one goal the plan covers."))
    return sorted(goals, key=lambda goal: (goal.created_at, goal.pk))


def _compose(plan: Plan, goals: list[Goal]) -> None:
    plan.full_clean(exclude=["text", "number", "engagement", "created_by"])
    plan.text = plan_text(plan, goals)


def plan_create(
    *,
    engagement,
    actor,
    style: str,
    goals,
    agreed: str = "",
    discussed_on: datetime.date | None = None,
    review_on: datetime.date | None = None,
) -> Plan:
    """A new plan for the engagement; it becomes the current one (the next number)."""
    ensure_writable(engagement)
    goals = _own_goals(engagement, goals)
    with transaction.atomic():
        return _plan_write(
            engagement=engagement,
            actor=actor,
            goals=goals,
            action="plan.created",
            style=style,
            agreed=agreed.strip(),
            discussed_on=discussed_on or timezone.localdate(),
            review_on=review_on,
        )


def _plan_write(*, engagement, actor, goals, action: str, **values) -> Plan:
    # Numbers are taken under a lock on the engagement: two saves never share one.
    type(engagement).objects.select_for_update().filter(pk=engagement.pk).first()
    last = Plan.objects.filter(engagement=engagement).aggregate(n=Max("number"))["n"] or 0
    plan = Plan(engagement=engagement, number=last + 1, created_by=actor, **values)
    _compose(plan, goals)
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        raise RuleViolation(_("Someone saved a plan at the same time. Try again.")) from None
    plan.goals.set(goals)
    event_record(
        actor=actor,
        organization=engagement.organization,
        action=action,
        obj=plan,
        data={"number": plan.number, "style": plan.style, "goals": [g.pk for g in goals]},
    )
    return plan


def plan_current(engagement) -> Plan | None:
    return Plan.objects.filter(engagement=engagement).order_by("-number").first()


def plan_update(*, plan: Plan, actor, expected_version: int, goals=None, **changes) -> Plan:
    """Change the current plan: in place while nobody signed it, else as the next plan.

    A signed plan never changes: the change makes a new plan that must be signed again.
    The text is written again from the goals (and their steps) as they are now.
    """
    engagement = plan.engagement
    ensure_writable(engagement)
    with transaction.atomic():
        current = Plan.objects.select_for_update().get(pk=plan.pk)
        check_version(current, expected_version)
        latest = plan_current(engagement)
        if latest is not None and latest.pk != current.pk:
            raise RuleViolation(
                _("This is an earlier plan; plan %(n)d replaced it. Change that one instead.")
                % {"n": latest.number}
            )
        goals = _own_goals(engagement, goals if goals is not None else current.goals.all())
        values = {
            name: _strip(changes.get(name, getattr(current, name))) for name in PLAN_EDITABLE
        }
        if current.signatures.exists():
            return _plan_write(
                engagement=engagement,
                actor=actor,
                goals=goals,
                action="plan.revised",
                **values,
            )
        for name, value in values.items():
            setattr(current, name, value)
        _compose(current, goals)
        save_changes(current, actor, [*PLAN_EDITABLE, "text", "updated_at"])
        current.goals.set(goals)
        event_record(
            actor=actor,
            organization=engagement.organization,
            action="plan.updated",
            obj=current,
            data={"number": current.number, "goals": [g.pk for g in goals]},
        )
    return current


def plan_sign(
    *,
    plan: Plan,
    role: str,
    typed_name: str,
    shown_hash: str,
    actor,
    signer,
    method: str,
    ip: str | None = None,
    user_agent: str = "",
) -> PlanSignature:
    """Someone signs the formal plan text they were shown (its SHA-256 proves which text).

    ``signer`` is the signing user (None when the supporter attested, in person, the
    identity of a participant who has no sign-in); ``actor`` records the signature.
    """
    engagement = plan.engagement
    ensure_writable(engagement)
    if method not in PlanSignatureMethod.values:
        raise RuleViolation(_("Sign in the portal or in person."))
    with transaction.atomic():
        current = Plan.objects.select_for_update().get(pk=plan.pk)
        if current.style != PlanStyle.FORMAL:
            raise RuleViolation(_("Only a formal written plan is signed."))
        latest = plan_current(engagement)
        if latest is not None and latest.pk != current.pk:
            raise RuleViolation(
                _("Plan %(n)d replaced this one; read it, then sign.") % {"n": latest.number}
            )
        if shown_hash != current.sha256:
            raise RuleViolation(
                _("The plan changed since you opened it. Read it again, then sign.")
            )
        if role not in PlanSignerRole.values:
            raise RuleViolation(_("A plan is signed by the participant and the peer supporter."))
        if current.signatures.filter(role=role).exists():
            raise RuleViolation(
                _("This plan is already signed by the %(role)s.")
                % {"role": str(PlanSignerRole(role).label).lower()}
            )
        check_signer(engagement, role, typed_name, actor, method)
        signature = signature_record(
            PlanSignature,
            current,
            field="plan",
            about={"number": current.number},
            action="plan.signed",
            taken=_("This plan is already signed in that role."),
            organization=engagement.organization,
            role=role,
            typed_name=typed_name,
            actor=actor,
            signer=signer,
            method=method,
            ip=ip,
            user_agent=user_agent,
        )
    return signature
