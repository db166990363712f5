"""Caseloads, the engagement page and lifecycle moves."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alongside.agreements.selectors import checklist as document_checklist
from alongside.assessments.selectors import engagement_section as assessments_section
from alongside.audit.services import read_record
from alongside.consents.selectors import engagement_section as consent_section
from alongside.core.decorators import capability_required
from alongside.core.errors import RuleViolation
from alongside.core.permissions import (
    Cap,
    capabilities_of,
    engagements_visible_to,
    may_change_participant_of,
)
from alongside.core.web import attempt, form_status, page_of
from alongside.emergencyplans.selectors import engagement_section as emergency_plan_section
from alongside.engagements import guidelines, selectors, services, timeline
from alongside.engagements.forms import ExtendForm, TransitionForm
from alongside.engagements.models import OnboardingStep, State
from alongside.exits.selectors import engagement_section as exit_section
from alongside.plans.selectors import engagement_section as plans_section
from alongside.surveys.selectors import engagement_section as surveys_section
from alongside.teamplans.selectors import engagement_section as team_plan_section

# Moves offered as buttons on the page; exits have their own forms.
MANUAL_MOVES = {State.ACTIVE, State.CLOSED}
RECENT_ENTRIES = 15


@require_GET
@capability_required(Cap.ENGAGEMENTS_VIEW)
def engagement_list(request):
    state = request.GET.get("state") or None
    if state not in (None, *State.values):
        state = None
    guideline = request.GET.get("guideline") or None
    if guideline not in selectors.GUIDELINE_FILTERS:
        guideline = None
    page = page_of(
        selectors.engagement_list(
            request.user, request.organization, state=state, guideline=guideline
        ),
        request,
    )
    for engagement in page:
        engagement.flag = selectors.guideline_flag(engagement)
    read_record(request, "caseload", [e.participant_id for e in page])
    return render(
        request,
        "engagements/list.html",
        {
            "page": page,
            "state": state,
            "states": State.choices,
            "guideline": guideline,
            "guideline_filters": list(selectors.GUIDELINE_FILTERS.items()),
            # The pager adds the state itself.
            "query": urlencode({"guideline": guideline}) if guideline else "",
        },
    )


def _manual_moves(engagement) -> list[str]:
    allowed = services.TRANSITIONS[engagement.state] & MANUAL_MOVES
    if engagement.state == State.EXITING:
        allowed -= {State.CLOSED}
    return sorted(allowed)


@require_GET
@capability_required(Cap.ENGAGEMENTS_VIEW)
def engagement_detail(request, pk: int):
    engagement = selectors.engagement_get_for(request.user, request.organization, pk)
    caps = capabilities_of(request.user, request.organization)
    checklist = document_checklist(engagement)
    sources = timeline.sources_for(caps)
    timeline_first, entries = timeline.timeline_page(engagement, sources, size=RECENT_ENTRIES)
    context = {
        "engagement": engagement,
        "flag": selectors.guideline_flag(engagement),
        "concluding_opens_on": selectors.concluding_opens_on(engagement),
        "extensions": engagement.guideline_extensions.count(),
        "can_extend": Cap.ENGAGEMENTS_EXTEND in caps
        and not guidelines.extension_refusal(engagement),
        "can_write": not engagement.is_closed and Cap.MEETINGS_WRITE in caps,
        "can_record": not engagement.is_closed and Cap.AGREEMENTS_RECORD in caps,
        "can_move": not engagement.is_closed and Cap.ENGAGEMENTS_TRANSITION in caps,
        "show_notes": Cap.NOTES_READ in caps,
        "can_add_addendum": Cap.MEETINGS_WRITE in caps,
        "can_invite": Cap.PORTAL_INVITE in caps,
        "can_edit_details": may_change_participant_of(
            request.user, request.organization, engagement
        ),
        "can_rematch": not engagement.is_closed and Cap.MATCHING_ASSIGN in caps,
        "assignments": list(engagement.assignments.select_related("supporter", "actor")),
        "checklist": checklist,
        "documents_missing": any(not item.done for item in checklist),
        "entries": entries,
        "timeline_more": timeline_first.has_next(),
        "kinds": [(s.kind, s.label) for s in sources],
        "assessments": assessments_section(engagement),
        "exit_section": exit_section(
            engagement, engagements_visible_to(request.user, request.organization)
        ),
        "moves": [(s, State(s).label) for s in _manual_moves(engagement)],
        "consents": consent_section(engagement),
    }
    done = {s.step: s for s in engagement.onboarding_steps.select_related("done_by")}
    context["steps"] = [(step, done.get(step.value)) for step in OnboardingStep.Step]
    context.update(emergency_plan_section(engagement))
    context.update(team_plan_section(engagement))
    context.update(plans_section(engagement))
    context["surveys"] = surveys_section(engagement)
    context["can_record_surveys"] = not engagement.is_closed and Cap.SURVEYS_RECORD in caps
    context["missing"] = services.activation_gaps(
        steps_done=set(done),
        documents_missing=[item.missing_label for item in checklist if not item.done],
        has_plan=context["emergency_plan"] is not None,
        has_worksheet=context["team_plan"] is not None,
    )
    read_record(request, "engagement", [engagement.participant_id])
    return render(request, "engagements/detail.html", context)


@require_GET
@capability_required(Cap.ENGAGEMENTS_VIEW)
def engagement_timeline(request, pk: int):
    """Everything that happened in an engagement, newest first, one kind or all."""
    engagement = selectors.engagement_get_for(request.user, request.organization, pk)
    caps = capabilities_of(request.user, request.organization)
    sources = timeline.sources_for(caps, request.GET.getlist("kind"))
    chosen = [s.kind for s in sources] if request.GET.getlist("kind") else []
    page, entries = timeline.timeline_page(engagement, sources, request.GET.get("page"))
    read_record(request, "engagement timeline", [engagement.participant_id])
    return render(
        request,
        "engagements/timeline.html",
        {
            "engagement": engagement,
            "page": page,
            "entries": entries,
            "show_notes": Cap.NOTES_READ in caps,
            "can_write": not engagement.is_closed and Cap.MEETINGS_WRITE in caps,
            "can_add_addendum": Cap.MEETINGS_WRITE in caps,
            "kinds": [(s.kind, s.label) for s in timeline.sources_for(caps)],
            "chosen": chosen,
            "query": urlencode([("kind", kind) for kind in chosen]),
        },
    )


@require_POST
@capability_required(Cap.ENGAGEMENTS_TRANSITION)
def engagement_transition(request, pk: int):
    engagement = selectors.engagement_get_for(request.user, request.organization, pk)
    form = TransitionForm(request.POST, allowed=_manual_moves(engagement))
    if form.is_valid():
        moved = attempt(
            form,
            lambda: services.engagement_transition(
                engagement=engagement,
                to_state=form.cleaned_data["to"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            ),
        )
        if moved is not None:
            messages.success(request, _("Now %(state)s.") % {"state": State(moved.state).label})
            return redirect("engagements:detail", pk=pk)
    for error in form.non_field_errors() or [_("That move is not possible now.")]:
        messages.error(request, error)
    return redirect("engagements:detail", pk=pk)


@require_POST
@capability_required(Cap.ENGAGEMENTS_TRANSITION)
def onboarding_step(request, pk: int):
    """Tick a getting-started conversation off the checklist."""
    engagement = selectors.engagement_get_for(request.user, request.organization, pk)
    try:
        services.onboarding_step_record(
            engagement=engagement, step=request.POST.get("step", ""), actor=request.user
        )
    except RuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Recorded."))
    return redirect(reverse("engagements:detail", args=[pk]) + "#agreements")


@require_http_methods(["GET", "POST"])
@capability_required(Cap.ENGAGEMENTS_EXTEND)
def guideline_extend(request, pk: int):
    """Extend the duration guideline, with a reason; earlier extensions are listed."""
    engagement = selectors.engagement_get_for(request.user, request.organization, pk)
    blocked = guidelines.extension_refusal(engagement)
    form = ExtendForm(request.POST or None, initial={"version": engagement.version})
    if request.method == "POST" and not blocked and form.is_valid():
        data = form.cleaned_data
        extension = attempt(
            form,
            lambda: guidelines.guideline_extend(
                engagement=engagement,
                actor=request.user,
                until=data["until"],
                reason=data["reason"],
                expected_version=data["version"],
            ),
        )
        if extension is not None:
            messages.success(
                request,
                _("The duration guideline now ends on %(date)s.")
                % {"date": extension.new_ends_on.isoformat()},
            )
            return redirect(reverse("engagements:detail", args=[pk]) + "#guideline")
    read_record(request, "guideline extension", [engagement.participant_id])
    return render(
        request,
        "engagements/extend.html",
        {
            "engagement": engagement,
            "form": form,
            "blocked": blocked,
            "current_end": guidelines.current_end(engagement),
            "concluding_opens_on": selectors.concluding_opens_on(engagement),
            "flag": selectors.guideline_flag(engagement),
            "extensions": selectors.extensions_of(engagement),
        },
        status=form_status(request, form, blocked),
    )
