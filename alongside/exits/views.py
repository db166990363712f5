"""Starting and completing an exit."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from alongside.audit.services import read_record
from alongside.core.decorators import capability_required
from alongside.core.permissions import Cap
from alongside.core.web import form_page
from alongside.engagements.models import State
from alongside.engagements.selectors import closed_notice, engagement_get_for
from alongside.exits import services
from alongside.exits.forms import ExitCompleteForm, ExitStartForm


@require_http_methods(["GET", "POST"])
@capability_required(Cap.EXITS_WRITE)
def exit_start(request, pk: int):
    engagement = engagement_get_for(request.user, request.organization, pk)
    form = ExitStartForm(request.POST or None)
    read_record(request, "exit form", [engagement.participant_id])
    back = reverse("engagements:detail", args=[engagement.pk])
    blocked = closed_notice(engagement)
    if not blocked and engagement.state not in (State.ONBOARDING, State.ACTIVE):
        blocked = _("An exit can be started from onboarding or active support.")
    return form_page(
        request,
        form,
        save=lambda data: services.exit_start(engagement=engagement, actor=request.user, **data),
        title=_("Start the exit for %(name)s") % {"name": engagement.participant},
        intro=_("The engagement moves to exiting; you complete the exit when the ending is done."),
        back_url=back,
        done_url=back + "#exit",
        done_message=_("Exit started."),
        blocked=blocked,
        submit_label=_("Start the exit"),
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.EXITS_WRITE)
def exit_complete(request, pk: int):
    engagement = engagement_get_for(request.user, request.organization, pk)
    form = ExitCompleteForm(request.POST or None)
    read_record(request, "exit form", [engagement.participant_id])
    back = reverse("engagements:detail", args=[engagement.pk])
    blocked = closed_notice(engagement)
    if not blocked and engagement.state != State.EXITING:
        blocked = _("Start the exit, with its reason, before completing it.")
    return form_page(
        request,
        form,
        save=lambda data: services.exit_complete(
            engagement=engagement, actor=request.user, **data
        ),
        title=_("Complete the exit for %(name)s") % {"name": engagement.participant},
        intro=_("The engagement closes and its record becomes read-only."),
        back_url=back,
        done_url=back,
        done_message=_("Exit completed; the engagement is closed."),
        blocked=blocked,
        submit_label=_("Complete the exit and close"),
    )
