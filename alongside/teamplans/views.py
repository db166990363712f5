"""The team plan worksheet of one engagement: read, edit, mark reviewed."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alongside.audit.services import read_record
from alongside.core.decorators import capability_required
from alongside.core.permissions import Cap, capabilities_of
from alongside.core.web import attempt, form_page
from alongside.engagements.selectors import closed_notice, engagement_get_for
from alongside.teamplans import selectors, services
from alongside.teamplans.forms import ReviewForm, WorksheetForm


@require_GET
@capability_required(Cap.ENGAGEMENTS_VIEW)
def worksheet_view(request, pk: int):
    engagement = engagement_get_for(request.user, request.organization, pk)
    worksheet = selectors.worksheet_for(engagement)
    caps = capabilities_of(request.user, request.organization)
    read_record(request, "team plan worksheet", [engagement.participant_id])
    return render(
        request,
        "teamplans/view.html",
        {
            "engagement": engagement,
            "worksheet": worksheet,
            "review": selectors.review_state(worksheet),
            "history": selectors.worksheet_history(worksheet) if worksheet else [],
            "can_write": Cap.GOALS_WRITE in caps and not engagement.is_closed,
        },
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.GOALS_WRITE)
def worksheet_edit(request, pk: int):
    engagement = engagement_get_for(request.user, request.organization, pk)
    worksheet = selectors.worksheet_for(engagement)
    initial = {"version": worksheet.version if worksheet else 0}
    if worksheet is None:
        initial["language"] = engagement.participant.preferred_language
    form = WorksheetForm(request.POST or None, instance=worksheet, initial=initial)
    read_record(request, "team plan worksheet form", [engagement.participant_id])
    back = reverse("teamplans:view", args=[pk])

    def save(data):
        version = data.pop("version")
        return services.worksheet_save(
            engagement=engagement, actor=request.user, expected_version=version, **data
        )

    return form_page(
        request,
        form,
        save=save,
        title=_("Team plan worksheet for %(name)s") % {"name": engagement.participant},
        back_url=back,
        done_url=back,
        done_message=_("Team plan worksheet saved."),
        blocked=closed_notice(engagement),
        intro=_(
            "How the team keeps in touch, and the boundaries both of you agree on. "
            "Review it together at least once a year."
        ),
    )


@require_POST
@capability_required(Cap.GOALS_WRITE)
def worksheet_reviewed(request, pk: int):
    engagement = engagement_get_for(request.user, request.organization, pk)
    worksheet = selectors.worksheet_for(engagement)
    form = ReviewForm(request.POST)
    if worksheet is None:
        messages.error(request, _("Write the team plan worksheet before marking it reviewed."))
    elif form.is_valid():
        done = attempt(
            form,
            lambda: services.worksheet_review(
                worksheet=worksheet,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
            ),
        )
        if done is not None:
            messages.success(
                request,
                _("Marked reviewed; the next review is due %(due)s.")
                % {"due": done.review_due_on},
            )
            return redirect("teamplans:view", pk=pk)
    for error in form.non_field_errors():
        messages.error(request, error)
    if worksheet is not None and not form.non_field_errors():
        messages.error(request, _("Reload the page and try again."))
    return redirect("teamplans:view", pk=pk)
