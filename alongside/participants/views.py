"""Portal access for a participant, given by their team."""

from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from alongside.audit.services import read_record
from alongside.core.decorators import capability_required
from alongside.core.permissions import Cap, get_or_404, participants_visible_to
from alongside.core.web import form_page
from alongside.participants import services
from alongside.participants.forms import PortalInviteForm


@require_http_methods(["GET", "POST"])
@capability_required(Cap.PORTAL_INVITE)
def portal_invite(request, pk: int):
    participant = get_or_404(participants_visible_to(request.user, request.organization), pk=pk)
    form = PortalInviteForm(request.POST or None)
    read_record(request, "portal invitation", [participant.pk])
    back = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        back = reverse("home")
    blocked = ""
    if participant.user_id is not None:
        blocked = _("%(name)s already has a portal sign-in.") % {"name": participant}
    return form_page(
        request,
        form,
        save=lambda data: services.participant_portal_invite(
            participant=participant,
            actor=request.user,
            username=data["username"],
            password=data["password"],
        ),
        title=_("Portal sign-in for %(name)s") % {"name": participant},
        intro=_(
            "With this sign-in, the participant sees their own support: supporter, goals "
            "and meetings (never staff notes), and can raise a concern."
        ),
        back_url=back,
        done_url=back,
        done_message=_("Portal sign-in created."),
        blocked=blocked,
        submit_label=_("Create sign-in"),
    )
