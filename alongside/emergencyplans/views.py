"""The emergency plan pages for staff, reached from an engagement; the portal reuses them."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from alongside.audit.services import read_record
from alongside.core.decorators import capability_required
from alongside.core.errors import StaleEdit
from alongside.core.permissions import Cap, capabilities_of
from alongside.core.web import attempt, form_status
from alongside.emergencyplans import selectors, services
from alongside.emergencyplans.forms import PlanForms
from alongside.engagements.selectors import closed_notice, engagement_get_for


def plan_page(request, participant, *, edit_url: str | None, back_url: str, back_label: str):
    """The plan (or one older version with ``?version=N``), its history, printable."""
    plan = selectors.plan_for(participant.pk)
    shown = changes = None
    history = []
    if plan is not None:
        history = selectors.plan_history(plan)
        for version in history:
            version.changed_labels = selectors.section_labels(version.changed)
        shown = plan.current
        asked = request.GET.get("version")
        if asked:
            shown = selectors.plan_version(plan, asked) or plan.current
        if shown.number > 1:
            changes = selectors.differences(selectors.plan_version(plan, shown.number - 1), shown)
    read_record(request, "emergency plan", [participant.pk])
    return render(
        request,
        "emergencyplans/view.html",
        {
            "participant": participant,
            "plan": plan,
            "shown": shown,
            "is_current": plan is not None and shown.pk == plan.current_id,
            "sections": selectors.sections(shown) if shown else [],
            "changes": changes,
            "history": history,
            "edit_url": edit_url,
            "back_url": back_url,
            "back_label": back_label,
        },
    )


def plan_edit_page(
    request, participant, *, engagement=None, blocked: str = "", back_url: str, title: str
):
    """Show the plan form; save a new version; on a stale edit show what changed."""
    plan = selectors.plan_for(participant.pk)
    forms = PlanForms(request.POST or None, version=plan.current if plan else None)
    stale_changes = None
    if request.method == "POST" and not blocked and forms.is_valid():
        data = forms.cleaned()
        based_on = data.pop("based_on")
        stale: list[StaleEdit] = []

        def save():
            try:
                return services.emergency_plan_save(
                    participant=participant,
                    actor=request.user,
                    based_on=based_on,
                    engagement=engagement,
                    **data,
                )
            except StaleEdit as refusal:
                stale.append(refusal)
                return None

        saved = attempt(forms.form, save)
        if stale:
            forms.form.refused = True
            forms.form.add_error(None, stale[0].message)
            plan = selectors.plan_for(participant.pk)
            if plan is not None:
                base = selectors.plan_version(plan, based_on) if based_on else None
                stale_changes = selectors.differences(base, plan.current)
                # Saving again now is a choice made with their changes in view.
                forms.form.data = forms.form.data.copy()
                forms.form.data["based_on"] = plan.version
        if saved is not None:
            messages.success(
                request, _("Emergency plan saved (version %(n)d).") % {"n": saved.number}
            )
            return redirect(back_url)
    read_record(request, "emergency plan form", [participant.pk])
    return render(
        request,
        "emergencyplans/edit.html",
        {
            "title": title,
            "forms": forms,
            "form": forms.form,
            "blocked": blocked,
            "back_url": back_url,
            "stale_changes": stale_changes,
            "participant": participant,
        },
        status=form_status(request, forms.form, blocked),
    )


@require_GET
@capability_required(Cap.ENGAGEMENTS_VIEW)
def plan_view(request, pk: int):
    engagement = engagement_get_for(request.user, request.organization, pk)
    caps = capabilities_of(request.user, request.organization)
    can_edit = Cap.GOALS_WRITE in caps and not engagement.is_closed
    return plan_page(
        request,
        engagement.participant,
        edit_url=reverse("emergencyplans:edit", args=[pk]) if can_edit else None,
        back_url=reverse("engagements:detail", args=[pk]),
        back_label=str(engagement.participant),
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.GOALS_WRITE)
def plan_edit(request, pk: int):
    engagement = engagement_get_for(request.user, request.organization, pk)
    return plan_edit_page(
        request,
        engagement.participant,
        engagement=engagement,
        blocked=closed_notice(engagement),
        back_url=reverse("emergencyplans:view", args=[pk]),
        title=_("Emergency plan for %(name)s") % {"name": engagement.participant},
    )
