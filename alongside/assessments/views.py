"""Recording a progress assessment with its tier."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from alongside.assessments import services
from alongside.assessments.forms import AssessmentForm
from alongside.audit.services import read_record
from alongside.core.decorators import capability_required
from alongside.core.permissions import Cap
from alongside.core.web import form_page
from alongside.engagements.selectors import closed_notice, engagement_get_for


@require_http_methods(["GET", "POST"])
@capability_required(Cap.ASSESSMENTS_WRITE)
def assessment_create(request, pk: int):
    engagement = engagement_get_for(request.user, request.organization, pk)
    form = AssessmentForm(request.POST or None)
    read_record(request, "assessment form", [engagement.participant_id])
    back = reverse("engagements:detail", args=[engagement.pk])
    return form_page(
        request,
        form,
        save=lambda data: services.assessment_record(
            engagement=engagement, actor=request.user, **data
        ),
        title=_("Assessment for %(name)s") % {"name": engagement.participant},
        back_url=back,
        done_url=back + "#assessments",
        done_message=_("Assessment recorded."),
        blocked=closed_notice(engagement),
    )
