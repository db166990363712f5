"""Logging or planning a meeting with its note."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from alongside.core.decorators import capability_required
from alongside.core.permissions import Cap
from alongside.engagements.web import engagement_form_page
from alongside.meetings import services
from alongside.meetings.forms import MeetingForm


def _form(engagement, data):
    now = timezone.localtime().replace(second=0, microsecond=0)
    return MeetingForm(data, initial={"starts_at": now})


@require_http_methods(["GET", "POST"])
@capability_required(Cap.MEETINGS_WRITE)
def meeting_create(request, pk: int):
    return engagement_form_page(
        request,
        pk,
        make_form=_form,
        save=lambda engagement, data: services.meeting_log(
            engagement=engagement, actor=request.user, **data
        ),
        title=_("Meeting with %(name)s"),
        anchor="meetings",
        done_message=_("Meeting saved."),
    )
