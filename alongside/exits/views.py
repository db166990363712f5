"""Starting and completing an exit."""

from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from alongside.core.decorators import capability_required
from alongside.core.permissions import Cap
from alongside.engagements.web import engagement_form_page
from alongside.exits import services
from alongside.exits.forms import ExitCompleteForm, ExitStartForm


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
        intro=_("The engagement moves to exiting; you complete the exit when the ending is done."),
        anchor="exit",
        done_message=_("Exit started."),
        refusal=services.exit_start_refusal,
        submit_label=_("Start the exit"),
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.EXITS_WRITE)
def exit_complete(request, pk: int):
    return engagement_form_page(
        request,
        pk,
        make_form=lambda engagement, data: ExitCompleteForm(data),
        save=lambda engagement, data: services.exit_complete(
            engagement=engagement, actor=request.user, **data
        ),
        title=_("Complete the exit for %(name)s"),
        intro=_("The engagement closes and its record becomes read-only."),
        anchor="",
        done_message=_("Exit completed; the engagement is closed."),
        refusal=services.exit_complete_refusal,
        submit_label=_("Complete the exit and close"),
    )
