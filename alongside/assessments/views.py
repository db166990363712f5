"""Assessments (record, edit, read, sign, PDF), goal reviews, and the participant's pages."""

from __future__ import annotations

import datetime
import functools

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from alongside.assessments import selectors, services
from alongside.assessments.facts import gather
from alongside.assessments.forms import (
    AssessmentEditForm,
    AssessmentForm,
    AssessmentSignForm,
    GoalReviewForm,
)
from alongside.assessments.models import Assessment, SignatureMethod, SignerRole, Tier
from alongside.assessments.pdf import assessment_pdf as render_pdf
from alongside.assessments.rules import rule_for, suggest_tier
from alongside.audit.services import read_record
from alongside.core.decorators import capability_required
from alongside.core.pdf import pdf_attachment
from alongside.core.permissions import Cap, capabilities_of
from alongside.core.web import attempt, form_status
from alongside.engagements.selectors import closed_notice, engagement_get_for, own_engagements
from alongside.engagements.signing import (
    in_person_confirmation,
    portal_confirmation,
    sign_posted,
    sign_refusal,
    sign_status,
)
from alongside.engagements.web import engagement_form_page

REASON_BADGES = {"progress": "ok", "concern": "warn", "neutral": "", "verdict": ""}


def _detail_url(assessment) -> str:
    return reverse("assessments:detail", args=[assessment.pk])


def shown_facts(facts: dict) -> dict:
    """The stored facts with dates as dates and the attendance share, for templates."""
    if not facts:
        return {}

    def day(value):
        return datetime.date.fromisoformat(value) if value else None

    shown = dict(facts)
    shown["since"], shown["until"] = day(facts.get("since")), day(facts.get("until"))
    shown["scores"] = [
        {**s, "on": day(s.get("on")), "previous_on": day(s.get("previous_on"))}
        for s in facts.get("scores", [])
    ]
    shown["goals"] = [
        {**g, "achieved_on": day(g.get("achieved_on"))} for g in facts.get("goals", [])
    ]
    attendance = dict(facts.get("attendance") or {})
    recorded = attendance.get("held", 0) + attendance.get("missed", 0)
    attendance["recorded"] = recorded
    attendance["rate"] = round(attendance.get("held", 0) * 100 / recorded) if recorded else None
    shown["attendance"] = attendance
    return shown


def shown_reasons(reasons: list[dict]) -> list[dict]:
    return [{**r, "badge": REASON_BADGES.get(r.get("kind"), "")} for r in reasons or []]


def _form_page(
    request, engagement, form, *, facts, suggestion, title, back_url, blocked, intro=""
):
    status = form_status(request, form, blocked)
    return render(
        request,
        "assessments/assessment_form.html",
        {
            "engagement": engagement,
            "form": form,
            "facts": shown_facts(facts),
            "suggested_tier": suggestion.tier,
            "suggested_label": _tier_label(suggestion.tier),
            "reasons": shown_reasons(suggestion.reasons),
            "title": title,
            "back_url": back_url,
            "blocked": blocked,
            "intro": intro,
        },
        status=status,
    )


def _tier_label(tier) -> str:
    return str(Tier(tier).label) if tier else ""


def _facts_for(engagement, form, default_day, exclude_pk=None):
    """The facts the page shows: for the date typed, else ``default_day``."""
    day = default_day
    if form.is_bound and form.is_valid():
        day = form.cleaned_data["assessed_on"]
    facts = gather(engagement, until=day, exclude_pk=exclude_pk)
    return facts, suggest_tier(facts, rule_for(engagement.organization))


def _assess_refusal(engagement) -> str:
    if engagement.is_closed:
        return closed_notice(engagement)
    if engagement.state not in services.ASSESSABLE_STATES:
        return _("Assess progress once the engagement is active.")
    return ""


@require_http_methods(["GET", "POST"])
@capability_required(Cap.ASSESSMENTS_WRITE)
def assessment_create(request, pk: int):
    engagement = engagement_get_for(request.user, request.organization, pk)
    read_record(request, "assessment form", [engagement.participant_id])
    today = timezone.localdate()
    facts = gather(engagement, until=today)
    suggestion = suggest_tier(facts, rule_for(engagement.organization))
    form = AssessmentForm(
        request.POST or None,
        suggested_tier=suggestion.tier,
        default_reassess_on=services.default_reassess_on(engagement, today),
    )
    blocked = _assess_refusal(engagement)
    if request.method == "POST" and not blocked and form.is_valid():
        saved = attempt(
            form,
            lambda: services.assessment_record(
                engagement=engagement, actor=request.user, **form.cleaned_data
            ),
        )
        if saved is not None:
            messages.success(request, _("Assessment recorded."))
            return redirect(_detail_url(saved))
        facts, suggestion = _facts_for(engagement, form, today)
    return _form_page(
        request,
        engagement,
        form,
        facts=facts,
        suggestion=suggestion,
        title=_("Assessment for %(name)s") % {"name": engagement.participant},
        back_url=reverse("engagements:detail", args=[engagement.pk]) + "#assessments",
        blocked=blocked,
    )


def _edit_refusal(assessment) -> str:
    engagement = assessment.engagement
    if engagement.is_closed:
        return closed_notice(engagement)
    if assessment.signed["complete"]:
        return _("Both signed this assessment; it can no longer be changed.")
    return ""


@require_http_methods(["GET", "POST"])
@capability_required(Cap.ASSESSMENTS_WRITE)
def assessment_edit(request, pk: int):
    """Change an assessment both have not signed; a stale copy is refused (409)."""
    assessment = selectors.with_state(
        [selectors.assessment_get_for(request.user, request.organization, pk)]
    )[0]
    engagement = assessment.engagement
    read_record(request, "assessment form", [engagement.participant_id])
    initial = {name: getattr(assessment, name) for name in services.EDITABLE}
    initial["version"] = assessment.version
    form = AssessmentEditForm(request.POST or None, initial=initial)
    blocked = _edit_refusal(assessment)
    if request.method == "POST" and not blocked and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")

        def save():
            return services.assessment_update(
                assessment=assessment, actor=request.user, expected_version=version, **data
            )

        saved = attempt(form, save)
        if saved is not None:
            messages.success(request, _("Assessment saved."))
            return redirect(_detail_url(saved))
    facts, suggestion = _facts_for(engagement, form, assessment.assessed_on, assessment.pk)
    signed = assessment.signed
    return _form_page(
        request,
        engagement,
        form,
        facts=facts,
        suggestion=suggestion,
        title=_("Change the assessment of %(name)s") % {"name": engagement.participant},
        back_url=_detail_url(assessment),
        blocked=blocked,
        intro=(
            _("Someone has signed this assessment: after a change, they sign again.")
            if signed["any"]
            else ""
        ),
    )


@require_GET
@capability_required(Cap.ENGAGEMENTS_VIEW)
def assessment_detail(request, pk: int):
    assessment = selectors.with_state(
        [selectors.assessment_get_for(request.user, request.organization, pk)]
    )[0]
    engagement = assessment.engagement
    read_record(request, "assessment", [engagement.participant_id])
    caps = capabilities_of(request.user, request.organization)
    can_write = Cap.ASSESSMENTS_WRITE in caps and not engagement.is_closed
    return render(
        request,
        "assessments/assessment_detail.html",
        {
            "assessment": assessment,
            "engagement": engagement,
            "signed": assessment.signed,
            "facts": shown_facts(assessment.facts),
            "reasons": shown_reasons(assessment.suggestion_reasons),
            "can_write": can_write,
            "can_edit": can_write and not assessment.signed["complete"],
            "is_supporter": request.user.pk == engagement.supporter_id,
        },
    )


def _sign_page(request, assessment, *, role, method, who, back_url):
    """Show the text and the signing form; sign on a valid POST."""
    engagement = assessment.engagement
    form = AssessmentSignForm(
        request.POST or None, record=assessment, role=role, user=request.user, confirmation=who
    )
    blocked = sign_refusal(engagement, role, request.user)
    sign = functools.partial(services.assessment_sign, assessment=assessment)
    signature = sign_posted(
        request, form, sign, role=role, signer=who.signer, method=method, blocked=blocked
    )
    if signature is not None:
        messages.success(
            request, _("Assessment signed by %(name)s.") % {"name": signature.signer_name}
        )
        return redirect(back_url)
    form.show()
    state = services.signature_state(assessment)
    return render(
        request,
        "assessments/assessment_sign.html",
        {
            "assessment": assessment,
            "engagement": engagement,
            "form": form,
            "role": role,
            "role_label": SignerRole(role).label,
            "already": state.get(role),
            "blocked": blocked,
            "missing": services.missing_to_sign(assessment),
            "back_url": back_url,
            "portal": method == SignatureMethod.PORTAL,
        },
        status=sign_status(request, form, blocked),
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.ASSESSMENTS_WRITE)
def assessment_sign(request, pk: int, role: str):
    """The participant (in person) or the supporter signs on the team's device."""
    if role not in SignerRole.values:
        raise Http404
    assessment = selectors.assessment_get_for(request.user, request.organization, pk)
    participant = assessment.engagement.participant
    read_record(request, "assessment signing", [participant.pk])
    return _sign_page(
        request,
        assessment,
        role=role,
        method=SignatureMethod.IN_PERSON,
        who=in_person_confirmation(role, participant, request.user),
        back_url=_detail_url(assessment),
    )


def _pdf_response(request, assessment: Assessment):
    engagement = assessment.engagement
    read_record(request, "assessment", [engagement.participant_id])
    filename = f"Assessment {assessment.assessed_on} - {engagement.participant}"
    return pdf_attachment(render_pdf(assessment), filename)


@require_GET
@capability_required(Cap.ENGAGEMENTS_VIEW)
def assessment_pdf(request, pk: int):
    return _pdf_response(
        request, selectors.assessment_get_for(request.user, request.organization, pk)
    )


# Goal reviews


@require_http_methods(["GET", "POST"])
@capability_required(Cap.ASSESSMENTS_WRITE)
def goal_review_create(request, pk: int):
    return engagement_form_page(
        request,
        pk,
        make_form=lambda engagement, data: GoalReviewForm(data),
        save=lambda engagement, data: services.goal_review_record(
            engagement=engagement, actor=request.user, **data
        ),
        title=_("Goal review with %(name)s"),
        anchor="assessments",
        done_message=_("Goal review recorded."),
        refusal=lambda engagement: (
            ""
            if engagement.state in services.ASSESSABLE_STATES
            else _("Review goals once the engagement is active.")
        ),
        intro=_(
            "A short look at the goals between assessments: read them together, note what "
            "moved and what changes. The next review falls due the program's interval later."
        ),
    )


# The participant's pages


@require_GET
@capability_required(Cap.PORTAL_VIEW)
def portal_assessments(request):
    """My assessments: what we looked at, the tier, the plan; sign and download."""
    engagements = list(own_engagements(request.user, request.organization))
    assessments = selectors.portal_assessments(engagements)
    read_record(request, "portal assessments", {e.participant_id for e in engagements})
    return render(request, "assessments/portal_assessments.html", {"assessments": assessments})


@require_http_methods(["GET", "POST"])
@capability_required(Cap.PORTAL_VIEW)
def portal_sign(request, pk: int):
    assessment = selectors.own_assessment(request.user, request.organization, pk)
    read_record(request, "portal assessment", [assessment.engagement.participant_id])
    return _sign_page(
        request,
        assessment,
        role=SignerRole.PARTICIPANT,
        method=SignatureMethod.PORTAL,
        who=portal_confirmation(request.user),
        back_url=reverse("assessments:portal_list"),
    )


@require_GET
@capability_required(Cap.PORTAL_VIEW)
def portal_pdf(request, pk: int):
    return _pdf_response(request, selectors.own_assessment(request.user, request.organization, pk))
