"""Recording that a required agreement was signed (the real documents come later)."""

from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from alongside.agreements import services
from alongside.agreements.forms import AgreementRecordForm
from alongside.agreements.models import AgreementKind
from alongside.core.decorators import capability_required
from alongside.core.permissions import Cap
from alongside.engagements.web import engagement_form_page


def _form(engagement, data):
    kinds = AgreementKind.objects.filter(organization=engagement.organization).exclude(
        records__engagement=engagement
    )
    return AgreementRecordForm(data, kinds=kinds)


@require_http_methods(["GET", "POST"])
@capability_required(Cap.AGREEMENTS_RECORD)
def agreement_record(request, pk: int):
    return engagement_form_page(
        request,
        pk,
        make_form=_form,
        save=lambda engagement, data: services.agreement_record(
            engagement=engagement, actor=request.user, **data
        ),
        title=_("Record a signed agreement for %(name)s"),
        anchor="agreements",
        done_message=_("Agreement recorded."),
    )
