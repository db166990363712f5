"""Recording that a required agreement was signed (the real documents come later)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from alongside.agreements import services
from alongside.agreements.forms import AgreementRecordForm
from alongside.agreements.models import AgreementKind
from alongside.audit.services import read_record
from alongside.core.decorators import capability_required
from alongside.core.permissions import Cap
from alongside.core.web import form_page
from alongside.engagements.selectors import closed_notice, engagement_get_for


@require_http_methods(["GET", "POST"])
@capability_required(Cap.AGREEMENTS_RECORD)
def agreement_record(request, pk: int):
    engagement = engagement_get_for(request.user, request.organization, pk)
    kinds = AgreementKind.objects.filter(organization=engagement.organization).exclude(
        records__engagement=engagement
    )
    form = AgreementRecordForm(request.POST or None, kinds=kinds)
    read_record(request, "engagement agreements", [engagement.participant_id])
    back = reverse("engagements:detail", args=[engagement.pk])
    return form_page(
        request,
        form,
        save=lambda data: services.agreement_record(
            engagement=engagement, actor=request.user, **data
        ),
        title=_("Record a signed agreement for %(name)s") % {"name": engagement.participant},
        back_url=back,
        done_url=back + "#agreements",
        done_message=_("Agreement recorded."),
        blocked=closed_notice(engagement),
    )
