"""Progress assessments that assign a tier."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.assessments.models import Assessment
from alongside.audit.services import event_record
from alongside.core.errors import RuleViolation
from alongside.engagements.models import Engagement, State
from alongside.engagements.services import due_dates, ensure_writable


def assessment_record(
    *,
    engagement,
    actor,
    tier: int,
    rationale: str,
    assessed_on: datetime.date,
    ongoing_plan: str = "",
) -> Assessment:
    ensure_writable(engagement)
    if engagement.state not in (State.ACTIVE, State.EXITING):
        raise RuleViolation(_("Assess progress once the engagement is active."))
    if assessed_on > timezone.localdate():
        raise RuleViolation(_("The assessment date cannot be in the future."))
    if assessed_on < engagement.started_on:
        raise RuleViolation(_("The assessment date cannot be before the engagement started."))
    if not rationale.strip():
        raise RuleViolation(_("Say why this tier fits."))
    with transaction.atomic():
        assessment = Assessment(
            engagement=engagement,
            tier=tier,
            rationale=rationale.strip(),
            ongoing_plan=ongoing_plan.strip(),
            assessed_on=assessed_on,
            assessed_by=actor,
        )
        assessment._history_user = actor
        assessment.full_clean()
        assessment.save()
        next_due, _end = due_dates(engagement, last_assessed_on=assessed_on)
        if engagement.assessment_due_on is None or next_due > engagement.assessment_due_on:
            # A derived date, not an edit: it must not make others' copies stale.
            Engagement.objects.filter(pk=engagement.pk).update(assessment_due_on=next_due)
            engagement.assessment_due_on = next_due
        # The current tier is the latest assessment's (a back-dated one does not replace it);
        # derived like the due date, it weighs the supporter's caseload in matching.
        current_tier = (
            Assessment.objects.filter(engagement=engagement)
            .order_by("-assessed_on", "-id")
            .values_list("tier", flat=True)
            .first()
        )
        Engagement.objects.filter(pk=engagement.pk).update(tier=current_tier)
        engagement.tier = current_tier
        event_record(
            actor=actor,
            organization=engagement.organization,
            action="assessment.recorded",
            obj=assessment,
            data={"tier": tier},
        )
    return assessment
