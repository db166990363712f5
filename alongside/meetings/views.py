"""Logging or planning a meeting with its note."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from alongside.audit.services import read_record
from alongside.core.decorators import capability_required
from alongside.core.permissions import Cap
from alongside.core.web import form_page
from alongside.engagements.selectors import closed_notice, engagement_get_for
from alongside.meetings import services
from alongside.meetings.forms import MeetingForm


@require_http_methods(["GET", "POST"])
@capability_required(Cap.MEETINGS_WRITE)
def meeting_create(request, pk: int):
    engagement = engagement_get_for(request.user, request.organization, pk)
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = MeetingForm(request.POST or None, initial={"starts_at": now})
    read_record(request, "meeting form", [engagement.participant_id])
    back = reverse("engagements:detail", args=[engagement.pk])
    return form_page(
        request,
        form,
        save=lambda data: services.meeting_log(engagement=engagement, actor=request.user, **data),
        title=_("Meeting with %(name)s") % {"name": engagement.participant},
        back_url=back,
        done_url=back + "#meetings",
        done_message=_("Meeting saved."),
        blocked=closed_notice(engagement),
    )
