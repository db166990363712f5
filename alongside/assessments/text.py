"""The written text of an assessment: what both people read, sign, and find in the PDF.

Written by the service each time the assessment is saved, in the language of the person
saving it, and stored: the SHA-256 of the stored text is what a signature records. Band
labels of the surveys stay out (they are screening words for the team); scores and the
reasons of the suggestion are in.
"""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext as _

from alongside.assessments.models import PlanChoice, Tier


def _date(value) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def assessment_text(assessment) -> str:
    engagement = assessment.engagement
    supporter = engagement.supporter
    lines = [
        _("Assessment for %(name)s") % {"name": engagement.participant.display_name},
        _("Peer supporter: %(name)s") % {"name": supporter.get_full_name() if supporter else "—"},
        _("Assessed on: %(date)s") % {"date": _date(assessment.assessed_on)},
        _("Tier: %(tier)s") % {"tier": Tier(assessment.tier).label},
    ]
    if assessment.suggested_tier is not None:
        lines.append(
            _("Suggested tier: %(tier)s") % {"tier": Tier(assessment.suggested_tier).label}
        )
    lines += ["", _("Why this tier:"), assessment.rationale]
    if assessment.tier_override_reason:
        lines += ["", _("Why not the suggested tier:"), assessment.tier_override_reason]
    if assessment.suggestion_reasons:
        lines += ["", _("What we looked at:")]
        lines += [f"- {reason['text']}" for reason in assessment.suggestion_reasons]
    if assessment.plan_choice:
        lines += [
            "",
            _("Ongoing plan: %(plan)s") % {"plan": PlanChoice(assessment.plan_choice).label},
        ]
    if assessment.ongoing_plan:
        lines.append(assessment.ongoing_plan)
    sections = [
        (_("Achievable goals:"), assessment.achievable_goals),
        (_("Specific actions:"), assessment.actions),
        (_("How progress will be measured:"), assessment.measure),
        (_("How problems will be corrected:"), assessment.corrections),
    ]
    for title, body in sections:
        if body:
            lines += ["", title, body]
    if assessment.reassess_on:
        lines += ["", _("We assess again on: %(date)s") % {"date": _date(assessment.reassess_on)}]
    return "\n".join(str(line) for line in lines)
