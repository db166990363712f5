"""Progress assessments, their signatures, and goal reviews: every write, and its rules.

Saving an assessment gathers the facts since the last one (``facts.gather``), asks the
organization's rule for a suggested tier (``rules.suggest_tier``) and keeps both; a tier
other than the suggested one needs a reason. The engagement keeps derived values, written
with ``update()`` so others' copies do not go stale: the current tier and the next due
assessment (from the latest assessment by date, so a back-dated one replaces neither),
and the next goal review (an assessment counts as a goal review).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alongside.assessments.facts import gather
from alongside.assessments.models import (
    Assessment,
    AssessmentSignature,
    GoalReview,
    PlanChoice,
    SignatureMethod,
    SignerRole,
    Tier,
)
from alongside.assessments.rules import rule_for, suggest_tier
from alongside.assessments.text import assessment_text
from alongside.audit.services import event_record
from alongside.core.errors import RuleViolation
from alongside.core.services import check_version, save_changes
from alongside.engagements.models import Engagement, State
from alongside.engagements.services import due_dates, ensure_writable, goal_review_due
from alongside.engagements.signers import check_signer, signature_record

EDITABLE = (
    "tier",
    "rationale",
    "tier_override_reason",
    "plan_choice",
    "ongoing_plan",
    "achievable_goals",
    "actions",
    "measure",
    "corrections",
    "assessed_on",
    "reassess_on",
)
# What a signed assessment must say (field → label), checked before anyone signs.
NEEDED_TO_SIGN = {
    "plan_choice": gettext_lazy("the ongoing plan"),
    "achievable_goals": gettext_lazy("achievable goals"),
    "actions": gettext_lazy("specific actions"),
    "measure": gettext_lazy("how progress will be measured"),
    "corrections": gettext_lazy("how problems will be corrected"),
    "reassess_on": gettext_lazy("the re-assessment date"),
}
ASSESSABLE_STATES = (State.ACTIVE, State.EXITING)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _check_dates(engagement, assessed_on: datetime.date, reassess_on) -> None:
    if assessed_on > timezone.localdate():
        raise RuleViolation(_("The assessment date cannot be in the future."))
    if assessed_on < engagement.started_on:
        raise RuleViolation(_("The assessment date cannot be before the engagement started."))
    if reassess_on is not None and reassess_on <= assessed_on:
        raise RuleViolation(_("The re-assessment date must be after the assessment date."))


def default_reassess_on(engagement, assessed_on: datetime.date) -> datetime.date:
    """The program's interval after the assessment (12 months unless the program says)."""
    next_due, _end = due_dates(engagement, last_assessed_on=assessed_on)
    return next_due


def _compose(assessment: Assessment) -> None:
    """Check the fields, gather the facts, suggest a tier, write the text to sign."""
    engagement = assessment.engagement
    if engagement.state not in ASSESSABLE_STATES:
        raise RuleViolation(_("Assess progress once the engagement is active."))
    if not assessment.rationale:
        raise RuleViolation(_("Say why this tier fits."), missing=[_("why this tier")])
    if assessment.plan_choice not in PlanChoice.values:
        raise ValidationError({"plan_choice": _("Choose how the plan goes on.")})
    if assessment.tier not in Tier.values:
        raise ValidationError({"tier": _("Choose tier 1, 2 or 3.")})
    if assessment.reassess_on is None:
        assessment.reassess_on = default_reassess_on(engagement, assessment.assessed_on)
    _check_dates(engagement, assessment.assessed_on, assessment.reassess_on)
    facts = gather(engagement, until=assessment.assessed_on, exclude_pk=assessment.pk)
    suggestion = suggest_tier(facts, rule_for(engagement.organization))
    assessment.facts = facts
    assessment.suggested_tier = suggestion.tier
    assessment.suggestion_reasons = suggestion.as_json()
    if suggestion.tier is not None and int(assessment.tier) != suggestion.tier:
        if not assessment.tier_override_reason:
            raise RuleViolation(
                _("The suggested tier is %(tier)s. Say why you chose another.")
                % {"tier": Tier(suggestion.tier).label},
                missing=[_("why not the suggested tier")],
            )
    else:
        # Only an override has a reason to give.
        assessment.tier_override_reason = ""
    assessment.full_clean(exclude=["text", "facts", "suggestion_reasons"])
    assessment.text = assessment_text(assessment)


def _engagement_dates(engagement) -> None:
    """The engagement's derived tier and due dates, from its assessments and reviews."""
    latest = (
        Assessment.objects.filter(engagement=engagement)
        .order_by("-assessed_on", "-id")
        .values("tier", "assessed_on", "reassess_on")
        .first()
    )
    changes: dict = {}
    if latest is not None:
        changes["tier"] = latest["tier"]
        changes["assessment_due_on"] = latest["reassess_on"] or default_reassess_on(
            engagement, latest["assessed_on"]
        )
    last_review = max(
        (
            day
            for day in (
                latest["assessed_on"] if latest else None,
                GoalReview.objects.filter(engagement=engagement).aggregate(d=Max("reviewed_on"))[
                    "d"
                ],
                engagement.activated_on,
            )
            if day is not None
        ),
        default=None,
    )
    if last_review is not None:
        changes["goal_review_due_on"] = goal_review_due(engagement, last_review)
    changes = {k: v for k, v in changes.items() if getattr(engagement, k) != v}
    if changes:
        # Derived values, not edits: they must not make others' copies stale.
        Engagement.objects.filter(pk=engagement.pk).update(**changes)
        for name, value in changes.items():
            setattr(engagement, name, value)


def assessment_record(
    *,
    engagement,
    actor,
    tier: int,
    rationale: str,
    assessed_on: datetime.date,
    ongoing_plan: str = "",
    plan_choice: str = PlanChoice.STAY_COURSE,
    tier_override_reason: str = "",
    achievable_goals: str = "",
    actions: str = "",
    measure: str = "",
    corrections: str = "",
    reassess_on: datetime.date | None = None,
) -> Assessment:
    """Record an assessment; the tier suggested from the facts is kept beside the chosen one.

    ``reassess_on`` defaults to the program's interval after ``assessed_on``. The plan's
    parts may be written later (the assessment is editable until both signed); signing
    needs them.
    """
    ensure_writable(engagement)
    assessment = Assessment(
        engagement=engagement,
        tier=tier,
        rationale=_strip(rationale),
        tier_override_reason=_strip(tier_override_reason),
        plan_choice=plan_choice or PlanChoice.STAY_COURSE,
        ongoing_plan=_strip(ongoing_plan),
        achievable_goals=_strip(achievable_goals),
        actions=_strip(actions),
        measure=_strip(measure),
        corrections=_strip(corrections),
        assessed_on=assessed_on,
        reassess_on=reassess_on,
        assessed_by=actor,
    )
    with transaction.atomic():
        _compose(assessment)
        assessment._history_user = actor
        assessment.save()
        _engagement_dates(engagement)
        event_record(
            actor=actor,
            organization=engagement.organization,
            action="assessment.recorded",
            obj=assessment,
            data={"tier": int(tier), "suggested_tier": assessment.suggested_tier},
        )
    return assessment


def signature_state(assessment: Assessment, signatures=None) -> dict:
    """Who signed the current text; signatures of an earlier wording are ``stale``."""
    if signatures is None:
        signatures = list(assessment.signatures.all())
    sha = assessment.sha256
    current = {s.role: s for s in signatures if s.sha256 == sha}
    return {
        "rows": [(role, label, current.get(role)) for role, label in SignerRole.choices],
        "participant": current.get(SignerRole.PARTICIPANT),
        "supporter": current.get(SignerRole.SUPPORTER),
        "complete": {SignerRole.PARTICIPANT, SignerRole.SUPPORTER} <= set(current),
        "any": bool(current),
        "stale": [s for s in signatures if s.sha256 != sha],
    }


def ensure_editable(assessment: Assessment) -> None:
    ensure_writable(assessment.engagement)
    if signature_state(assessment)["complete"]:
        raise RuleViolation(_("Both signed this assessment; it can no longer be changed."))


def assessment_update(
    *, assessment: Assessment, actor, expected_version: int, **changes
) -> Assessment:
    """Change an assessment both have not signed yet, refusing a stale copy.

    The facts and the suggestion are gathered again; a signature of the earlier text no
    longer counts (it stays on record), so whoever signed signs again.
    """
    engagement = assessment.engagement
    ensure_writable(engagement)
    with transaction.atomic():
        current = Assessment.objects.select_for_update().get(pk=assessment.pk)
        current.engagement = engagement
        check_version(current, expected_version)
        ensure_editable(current)
        before_sha = current.sha256
        fields = [
            name
            for name in EDITABLE
            if name in changes and _strip(changes[name]) != getattr(current, name)
        ]
        for name in fields:
            setattr(current, name, _strip(changes[name]))
        if "plan_choice" in fields and not current.plan_choice:
            current.plan_choice = PlanChoice.STAY_COURSE
        _compose(current)
        save_changes(
            current,
            actor,
            [*EDITABLE, "suggested_tier", "suggestion_reasons", "facts", "text"],
        )
        _engagement_dates(engagement)
        voided = (
            sorted({s.role for s in current.signatures.filter(sha256=before_sha)})
            if current.sha256 != before_sha
            else []
        )
        event_record(
            actor=actor,
            organization=engagement.organization,
            action="assessment.updated",
            obj=current,
            data={
                "fields": fields,
                "tier": current.tier,
                "suggested_tier": current.suggested_tier,
                "signatures_to_renew": voided,
            },
        )
    return current


def missing_to_sign(assessment: Assessment) -> list[str]:
    return [str(label) for name, label in NEEDED_TO_SIGN.items() if not getattr(assessment, name)]


def assessment_sign(
    *,
    assessment: Assessment,
    role: str,
    typed_name: str,
    shown_hash: str,
    actor,
    signer,
    method: str,
    ip: str | None = None,
    user_agent: str = "",
) -> AssessmentSignature:
    """Someone signs the assessment text they were shown (its SHA-256 proves which text).

    As for a formal plan: ``signer`` is the signing user (None when the supporter attested,
    in person, the identity of a participant who has no sign-in); ``actor`` records it.
    """
    engagement = assessment.engagement
    ensure_writable(engagement)
    if method not in SignatureMethod.values:
        raise RuleViolation(_("Sign in the portal or in person."))
    if role not in SignerRole.values:
        raise RuleViolation(
            _("An assessment is signed by the participant and the peer supporter.")
        )
    with transaction.atomic():
        current = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if shown_hash != current.sha256:
            raise RuleViolation(
                _("The assessment changed since you opened it. Read it again, then sign.")
            )
        missing = missing_to_sign(current)
        if missing:
            raise RuleViolation(
                _("Before signing, write: %(missing)s.") % {"missing": ", ".join(missing)},
                missing=missing,
            )
        if current.signatures.filter(role=role, sha256=current.sha256).exists():
            raise RuleViolation(
                _("This assessment is already signed by the %(role)s.")
                % {"role": str(SignerRole(role).label).lower()}
            )
        check_signer(engagement, role, typed_name, actor, method)
        signature = signature_record(
            AssessmentSignature,
            current,
            field="assessment",
            action="assessment.signed",
            taken=_("This assessment is already signed in that role."),
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


# Goal reviews


def goal_review_record(
    *, engagement, actor, reviewed_on: datetime.date | None = None, note: str = ""
) -> GoalReview:
    """Record a periodic goal review; the next one falls due the program's interval later."""
    ensure_writable(engagement)
    reviewed_on = reviewed_on or timezone.localdate()
    if engagement.state not in ASSESSABLE_STATES:
        raise RuleViolation(_("Review goals once the engagement is active."))
    if reviewed_on > timezone.localdate():
        raise RuleViolation(_("The review date cannot be in the future."))
    if reviewed_on < engagement.started_on:
        raise RuleViolation(_("The review date cannot be before the engagement started."))
    with transaction.atomic():
        review = GoalReview(
            engagement=engagement, reviewed_on=reviewed_on, reviewed_by=actor, note=_strip(note)
        )
        review.full_clean()
        review.save()
        _engagement_dates(engagement)
        event_record(
            actor=actor,
            organization=engagement.organization,
            action="goal_review.recorded",
            obj=review,
            data={"reviewed_on": reviewed_on.isoformat()},
        )
    return review
