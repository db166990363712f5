"""Goals (with stages, steps and check-ins) and plans: the team's pages and the portal's."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alongside.audit.services import read_record
from alongside.core.decorators import capability_required
from alongside.core.errors import StaleEdit
from alongside.core.pdf import pdf_attachment
from alongside.core.permissions import Cap, capabilities_of
from alongside.core.web import attempt, both_versions
from alongside.core.web import form_page as shared_form_page
from alongside.engagements.selectors import closed_notice, engagement_get_for, own_engagements
from alongside.engagements.signing import (
    in_person_confirmation,
    portal_confirmation,
    sign_posted,
    sign_refusal,
    sign_status,
)
from alongside.plans import selectors, services
from alongside.plans.forms import (
    CheckInForm,
    GoalEditForm,
    GoalForm,
    PlanEditForm,
    PlanForm,
    PlanSignForm,
    StepEditForm,
    StepForm,
    StepMarkForm,
)
from alongside.plans.models import Goal, Plan, PlanSignatureMethod, PlanSignerRole
from alongside.plans.pdf import plan_pdf as render_plan_pdf

GOAL_COMPARED = (
    "approach",
    "wellness_dimension",
    "why_it_matters",
    "strengths",
    "measure",
    "stage",
    "status",
)


def form_page(request, form, **kwargs):
    """The shared form page, answering 400 to a POST it shows again (the input was refused)."""
    response = shared_form_page(request, form, **kwargs)
    if request.method == "POST" and response.status_code == 200:
        response.status_code = 400
    return response


def _goal_url(goal) -> str:
    return reverse("plans:goal_detail", args=[goal.pk])


def _prompt(request, engagement, before: str, after: str) -> None:
    prompt = services.readiness_prompt(engagement=engagement, from_stage=before, to_stage=after)
    if prompt:
        messages.info(request, prompt)


# Goals


@require_http_methods(["GET", "POST"])
@capability_required(Cap.GOALS_WRITE)
def goal_create(request, pk: int):
    engagement = engagement_get_for(request.user, request.organization, pk)
    form = GoalForm(request.POST or None)
    read_record(request, "goal form", [engagement.participant_id])
    back = reverse("engagements:detail", args=[engagement.pk])

    def save(data):
        goal = services.goal_create(engagement=engagement, actor=request.user, **data)
        _prompt(request, engagement, "", goal.stage)
        return goal

    return form_page(
        request,
        form,
        save=save,
        title=_("A goal for %(name)s") % {"name": engagement.participant},
        back_url=back,
        done_url=f"{back}#goals",
        done_message=_("Goal added."),
        blocked=closed_notice(engagement),
    )


@require_GET
@capability_required(Cap.ENGAGEMENTS_VIEW)
def goal_detail(request, pk: int):
    goal = selectors.goal_get_for(request.user, request.organization, pk)
    engagement = goal.engagement
    read_record(request, "goal", [engagement.participant_id])
    caps = capabilities_of(request.user, request.organization)
    return render(
        request,
        "plans/goal_detail.html",
        {
            "goal": selectors.goal_detailed(goal),
            "engagement": engagement,
            "can_write": Cap.GOALS_WRITE in caps and not engagement.is_closed,
        },
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.GOALS_WRITE)
def goal_edit(request, pk: int):
    """Edit a goal; if someone else saved it meanwhile, show both versions, save nothing."""
    goal = selectors.goal_get_for(request.user, request.organization, pk)
    engagement = goal.engagement
    before_stage = goal.stage
    form = GoalEditForm(request.POST or None, instance=goal, initial={"version": goal.version})
    read_record(request, "goal", [engagement.participant_id])
    blocked = closed_notice(engagement)
    theirs, both = None, []
    status = 200
    if request.method == "POST":
        status = 409 if blocked else 400
        if not blocked and form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            stale: list[StaleEdit] = []

            def save():
                try:
                    return services.goal_update(
                        goal=goal, actor=request.user, expected_version=version, **data
                    )
                except StaleEdit as refusal:
                    stale.append(refusal)
                    raise

            saved = attempt(form, save)
            if saved is not None:
                messages.success(request, _("Goal saved."))
                _prompt(request, engagement, before_stage, saved.stage)
                return redirect(_goal_url(saved))
            if stale:
                theirs = Goal.objects.select_related("created_by").get(pk=goal.pk)
                both = both_versions(form, theirs, ("statement", *GOAL_COMPARED))
                status = 409
    return render(
        request,
        "plans/goal_form.html",
        {
            "form": form,
            "goal": goal,
            "theirs": theirs,
            "both": both,
            "title": _("Edit goal"),
            "back_url": _goal_url(goal),
            "blocked": blocked,
        },
        status=status,
    )


# Action steps and check-ins


def _goal_form_page(request, goal, form, *, save, title: str, done_message: str):
    read_record(request, "goal", [goal.engagement.participant_id])
    back = _goal_url(goal)
    return form_page(
        request,
        form,
        save=save,
        title=title,
        back_url=back,
        done_url=back,
        done_message=done_message,
        blocked=closed_notice(goal.engagement),
        intro=f"“{goal.statement}”",
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.GOALS_WRITE)
def step_create(request, pk: int):
    goal = selectors.goal_get_for(request.user, request.organization, pk)
    return _goal_form_page(
        request,
        goal,
        StepForm(request.POST or None),
        save=lambda data: services.step_create(goal=goal, actor=request.user, **data),
        title=_("Add an action step"),
        done_message=_("Action step added."),
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.GOALS_WRITE)
def step_edit(request, pk: int):
    step = selectors.step_get_for(request.user, request.organization, pk)
    form = StepEditForm(request.POST or None, instance=step, initial={"version": step.version})

    def save(data):
        version = data.pop("version")
        return services.step_update(
            step=step, actor=request.user, expected_version=version, **data
        )

    return _goal_form_page(
        request,
        step.goal,
        form,
        save=save,
        title=_("Edit action step"),
        done_message=_("Action step saved."),
    )


@require_POST
@capability_required(Cap.GOALS_WRITE)
def step_mark(request, pk: int):
    step = selectors.step_get_for(request.user, request.organization, pk)
    form = StepMarkForm(request.POST)
    if form.is_valid():
        done = attempt(
            form,
            lambda: services.step_mark(
                step=step,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
                done=form.cleaned_data["done"],
            ),
        )
        if done is not None:
            messages.success(request, _("Marked done.") if done.is_done else _("Marked not done."))
            return redirect(_goal_url(step.goal) + "#steps")
    for error in form.non_field_errors() or [_("Reload the page and try again.")]:
        messages.error(request, error)
    return redirect(_goal_url(step.goal) + "#steps")


@require_http_methods(["GET", "POST"])
@capability_required(Cap.GOALS_WRITE)
def check_in_create(request, pk: int):
    goal = selectors.goal_get_for(request.user, request.organization, pk)
    return _goal_form_page(
        request,
        goal,
        CheckInForm(request.POST or None),
        save=lambda data: services.check_in_record(goal=goal, actor=request.user, **data),
        title=_("Check in on this goal"),
        done_message=_("Check-in recorded."),
    )


# Plans


def _plan_url(plan) -> str:
    return reverse("plans:plan_detail", args=[plan.pk])


@require_http_methods(["GET", "POST"])
@capability_required(Cap.GOALS_WRITE)
def plan_create(request, pk: int):
    engagement = engagement_get_for(request.user, request.organization, pk)
    form = PlanForm(request.POST or None, engagement=engagement)
    read_record(request, "plan form", [engagement.participant_id])
    back = reverse("engagements:detail", args=[engagement.pk])
    result = {}

    def save(data):
        result["plan"] = services.plan_create(engagement=engagement, actor=request.user, **data)
        return result["plan"]

    response = form_page(
        request,
        form,
        save=save,
        title=_("A plan with %(name)s") % {"name": engagement.participant},
        back_url=back,
        done_url=back,
        done_message=_("Plan saved."),
        blocked=closed_notice(engagement),
        intro=_(
            "Plan when they are ready. The plan's text is written from the goals and their "
            "steps as they are now."
        ),
    )
    if "plan" in result:
        return redirect(_plan_url(result["plan"]))
    return response


@require_GET
@capability_required(Cap.ENGAGEMENTS_VIEW)
def plan_detail(request, pk: int):
    plan = selectors.plan_get_for(request.user, request.organization, pk)
    engagement = plan.engagement
    plans = selectors.plans_of(engagement)
    shown = next(p for p in plans if p.pk == plan.pk)
    read_record(request, "plan", [engagement.participant_id])
    caps = capabilities_of(request.user, request.organization)
    is_current = plans[0].pk == plan.pk
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": shown,
            "engagement": engagement,
            "plans": plans,
            "signed": selectors.signature_state(shown),
            "is_current": is_current,
            "can_write": Cap.GOALS_WRITE in caps and not engagement.is_closed and is_current,
            "is_supporter": request.user.pk == engagement.supporter_id,
        },
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.GOALS_WRITE)
def plan_edit(request, pk: int):
    plan = selectors.plan_get_for(request.user, request.organization, pk)
    engagement = plan.engagement
    form = PlanEditForm(
        request.POST or None,
        instance=plan,
        engagement=engagement,
        initial={"version": plan.version},
    )
    read_record(request, "plan form", [engagement.participant_id])
    result = {}

    def save(data):
        version = data.pop("version")
        result["plan"] = services.plan_update(
            plan=plan, actor=request.user, expected_version=version, **data
        )
        return result["plan"]

    signed = plan.signatures.exists()
    response = form_page(
        request,
        form,
        save=save,
        title=_("Change plan %(n)d") % {"n": plan.number},
        back_url=_plan_url(plan),
        done_url=_plan_url(plan),
        done_message=_("Plan saved."),
        blocked=closed_notice(engagement),
        intro=(
            _(
                "This plan is signed, so it stays as it was signed: saving makes plan %(n)d, "
                "to be signed again."
            )
            % {"n": plan.number + 1}
            if signed
            else ""
        ),
    )
    if "plan" in result:
        return redirect(_plan_url(result["plan"]))
    return response


def _sign_page(request, plan, *, role: str, method: str, who, back_url):
    """Show the plan text and the signing form; sign on a valid POST."""
    engagement = plan.engagement
    form = PlanSignForm(
        request.POST or None, record=plan, role=role, user=request.user, confirmation=who
    )
    blocked = sign_refusal(engagement, role, request.user, lambda: _plan_refusal(plan))
    sign = functools.partial(services.plan_sign, plan=plan)
    signature = sign_posted(
        request, form, sign, role=role, signer=who.signer, method=method, blocked=blocked
    )
    if signature is not None:
        messages.success(
            request,
            _("Plan %(n)d signed by %(name)s.")
            % {"n": plan.number, "name": signature.signer_name},
        )
        return redirect(back_url)
    form.show()
    already = plan.signatures.filter(role=role).first()
    return render(
        request,
        "plans/plan_sign.html",
        {
            "plan": plan,
            "engagement": engagement,
            "form": form,
            "role": role,
            "role_label": PlanSignerRole(role).label,
            "already": already,
            "blocked": blocked,
            "back_url": back_url,
            "portal": method == PlanSignatureMethod.PORTAL,
        },
        status=sign_status(request, form, blocked),
    )


def _plan_refusal(plan) -> str:
    if not plan.is_formal:
        return _("Only a formal written plan is signed.")
    latest = services.plan_current(plan.engagement)
    if latest is not None and latest.pk != plan.pk:
        return _("Plan %(n)d replaced this one; sign that one instead.") % {"n": latest.number}
    return ""


@require_http_methods(["GET", "POST"])
@capability_required(Cap.GOALS_WRITE)
def plan_sign(request, pk: int, role: str):
    """The participant or the supporter signs the plan on the team's device."""
    if role not in PlanSignerRole.values:
        raise Http404
    plan = selectors.plan_get_for(request.user, request.organization, pk)
    participant = plan.engagement.participant
    read_record(request, "plan signing", [participant.pk])
    return _sign_page(
        request,
        plan,
        role=role,
        method=PlanSignatureMethod.IN_PERSON,
        who=in_person_confirmation(role, participant, request.user),
        back_url=_plan_url(plan),
    )


def _pdf_response(request, plan: Plan):
    if not plan.is_formal:
        raise Http404
    read_record(request, "plan", [plan.engagement.participant_id])
    filename = f"Plan {plan.number} - {plan.engagement.participant}"
    return pdf_attachment(render_plan_pdf(plan), filename)


@require_GET
@capability_required(Cap.ENGAGEMENTS_VIEW)
def plan_pdf(request, pk: int):
    return _pdf_response(request, selectors.plan_get_for(request.user, request.organization, pk))


# The participant's pages


@require_GET
@capability_required(Cap.PORTAL_VIEW)
def portal_goals(request):
    """My goals, where I am with each, my steps and how it has been going; my plan."""
    engagements = list(
        own_engagements(request.user, request.organization)
        .select_related("program", "supporter")
        .order_by("-started_on")
    )
    goals = selectors.goals_detailed(
        Goal.objects.filter(engagement__in=engagements).order_by("created_at", "id")
    )
    plans = selectors.plans_of_many(engagements)
    for engagement in engagements:
        engagement.goal_list = [g for g in goals if g.engagement_id == engagement.pk]
        engagement.plan = plans.get(engagement.pk)
        if engagement.plan:
            engagement.plan_signed = selectors.signature_state(engagement.plan)
    read_record(request, "portal goals", {e.participant_id for e in engagements})
    return render(request, "plans/portal_goals.html", {"engagements": engagements})


@require_http_methods(["GET", "POST"])
@capability_required(Cap.PORTAL_VIEW)
def portal_plan_sign(request, pk: int):
    plan = selectors.own_plan(request.user, request.organization, pk)
    read_record(request, "portal plan", [plan.engagement.participant_id])
    return _sign_page(
        request,
        plan,
        role=PlanSignerRole.PARTICIPANT,
        method=PlanSignatureMethod.PORTAL,
        who=portal_confirmation(request.user),
        back_url=reverse("plans:portal_goals"),
    )


@require_GET
@capability_required(Cap.PORTAL_VIEW)
def portal_plan_pdf(request, pk: int):
    return _pdf_response(request, selectors.own_plan(request.user, request.organization, pk))
