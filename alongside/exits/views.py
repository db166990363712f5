"""Starting an exit, the concluding checklist, the guided close, the closure summary, and
reopening support."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alongside.accounts.models import User
from alongside.audit.services import read_record
from alongside.core.decorators import capability_required
from alongside.core.pdf import pdf_attachment
from alongside.core.permissions import Cap
from alongside.core.web import attempt, form_status
from alongside.engagements.selectors import closed_notice, engagement_get_for
from alongside.engagements.web import engagement_form_page
from alongside.exits import pdf, returns, selectors, services
from alongside.exits.forms import ExitCompleteForm, ExitStartForm, ReopenForm, StepForm


@require_http_methods(["GET", "POST"])
@capability_required(Cap.EXITS_WRITE)
def exit_start(request, pk: int):
    return engagement_form_page(
        request,
        pk,
        make_form=lambda engagement, data: ExitStartForm(data),
        save=lambda engagement, data: services.exit_start(
            engagement=engagement, actor=request.user, **data
        ),
        title=_("Start the exit for %(name)s"),
        intro=_(
            "The engagement moves to exiting and the concluding checklist opens. A planned "
            "exit or a step-down closes once the checklist is done (a step-down on its last "
            "day); an abrupt ending is closed through a guided close."
        ),
        anchor="exit",
        done_message=_("Exit started."),
        refusal=services.exit_start_refusal,
        submit_label=_("Start the exit"),
    )


@require_POST
@capability_required(Cap.EXITS_WRITE)
def step_record(request, pk: int):
    """Tick a step of the concluding checklist from the engagement page."""
    engagement = engagement_get_for(request.user, request.organization, pk)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a step of the concluding checklist."))
    else:
        done = attempt(
            form,
            lambda: services.step_record(
                engagement=engagement, actor=request.user, **form.cleaned_data
            ),
        )
        if done is None:
            for error in form.non_field_errors() or [
                e for errors in form.errors.values() for e in errors
            ]:
                messages.error(request, error)
        else:
            messages.success(request, _("Recorded: %(step)s.") % {"step": done.get_step_display()})
    return redirect(reverse("engagements:detail", args=[pk]) + "#exit")


def _complete_refusal(engagement) -> str:
    refusal = closed_notice(engagement) or services.exit_complete_refusal(engagement)
    if refusal:
        return refusal
    return services.step_down_refusal(engagement.exit)


@require_http_methods(["GET", "POST"])
@capability_required(Cap.EXITS_WRITE)
def exit_complete(request, pk: int):
    """The close: open steps are walked through (done, or for an abrupt ending, could not
    be done and why), then the engagement closes; all at once or nothing."""
    engagement = engagement_get_for(request.user, request.organization, pk)
    read_record(request, "exit close", [engagement.participant_id])
    blocked = _complete_refusal(engagement)
    section = selectors.engagement_section(engagement)
    exit_ = section["exit"]
    abrupt = exit_ is not None and exit_.is_abrupt
    open_steps = [
        item["step"]
        for item in section["items"]
        if item["row"] is None or (not item["row"].is_done and not abrupt)
    ]
    form = ExitCompleteForm(
        request.POST if request.method == "POST" else None,
        open_steps=open_steps,
        abrupt=abrupt,
    )
    if request.method == "POST" and not blocked and form.is_valid():
        done = attempt(
            form,
            lambda: services.exit_complete(
                engagement=engagement,
                actor=request.user,
                note=form.cleaned_data["note"],
                steps=form.cleaned_data["steps"],
            ),
        )
        if done is not None:
            messages.success(request, _("Exit completed; the engagement is closed."))
            return redirect("engagements:detail", pk=pk)
    return render(
        request,
        "exits/complete.html",
        {
            "engagement": engagement,
            "section": section,
            "form": form,
            "blocked": blocked,
            "back_url": reverse("engagements:detail", args=[pk]),
        },
        status=form_status(request, form, blocked),
    )


# The closure summary ---------------------------------------------------------------------


def _summary_response(request, engagement):
    read_record(request, "closure summary", [engagement.participant_id])
    filename = _("Closure summary - %(name)s") % {"name": engagement.participant}
    return pdf_attachment(pdf.summary_pdf(engagement), filename)


@require_GET
@capability_required(Cap.ENGAGEMENTS_VIEW)
def summary_pdf(request, pk: int):
    engagement = selectors.closed_engagement_for(request.user, request.organization, pk)
    return _summary_response(request, engagement)


@require_GET
@capability_required(Cap.PORTAL_VIEW)
def portal_summary_pdf(request, pk: int):
    """The participant's own closure summary; anyone else's answers 404."""
    engagement = selectors.own_closed_engagement(request.user, request.organization, pk)
    return _summary_response(request, engagement)


# The way back ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@capability_required(Cap.MATCHING_ASSIGN)
def reopen(request, pk: int):
    """Reopen support for a closed engagement, with the same or a new supporter."""
    engagement = engagement_get_for(request.user, request.organization, pk)
    read_record(request, "reopen support", [engagement.participant_id])
    supporters = User.objects.filter(
        supporter_profiles__organization=request.organization, is_active=True
    ).order_by("first_name", "last_name", "pk")
    form = ReopenForm(
        request.POST if request.method == "POST" else None,
        supporters=supporters,
        initial_supporter=engagement.supporter_id,
    )
    blocked = returns.reopen_refusal(engagement)
    if request.method == "POST" and not blocked and form.is_valid():
        reopened = attempt(
            form,
            lambda: returns.support_reopen(
                engagement=engagement,
                supporter=form.cleaned_data["supporter"],
                actor=request.user,
                needs=form.cleaned_data["needs"],
            ),
        )
        if reopened is not None:
            messages.success(request, _("Support reopened; the new engagement is onboarding."))
            return redirect("engagements:detail", pk=reopened.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": _("Reopen support for %(name)s") % {"name": engagement.participant},
            "intro": _(
                "A new referral, marked as a return, is accepted and matched at once; the new "
                "engagement starts onboarding and links to the earlier ones."
            ),
            "back_url": reverse("engagements:detail", args=[pk]),
            "blocked": blocked,
            "submit_label": _("Reopen support"),
        },
        status=form_status(request, form, blocked),
    )
