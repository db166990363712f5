"""Recording a progress assessment with its tier."""

from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from alongside.assessments import services
from alongside.assessments.forms import AssessmentForm
from alongside.core.decorators import capability_required
from alongside.core.permissions import Cap
from alongside.engagements.web import engagement_form_page


@require_http_methods(["GET", "POST"])
@capability_required(Cap.ASSESSMENTS_WRITE)
def assessment_create(request, pk: int):
    return engagement_form_page(
        request,
        pk,
        make_form=lambda engagement, data: AssessmentForm(data),
        save=lambda engagement, data: services.assessment_record(
            engagement=engagement, actor=request.user, **data
        ),
        title=_("Assessment for %(name)s"),
        anchor="assessments",
        done_message=_("Assessment recorded."),
    )
