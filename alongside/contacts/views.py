"""The contact log of one engagement: list, log a contact, mark a call-back returned."""

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from alongside.audit.services import read_record
from alongside.contacts import selectors, services
from alongside.contacts.forms import CallbackReturnForm, ContactForm
from alongside.contacts.models import Contact
from alongside.core.decorators import capability_required
from alongside.core.permissions import Cap, get_or_404, has_capability, scoped
from alongside.core.web import form_page, page_of
from alongside.engagements.selectors import closed_notice, engagement_get_for


@require_GET
@capability_required(Cap.NOTES_READ)
def contact_list(request, pk: int):
    engagement = engagement_get_for(request.user, request.organization, pk)
    page = page_of(selectors.contacts_for(engagement), request)
    page.object_list = selectors.with_callback_state(page.object_list)
    read_record(request, "contact log", [engagement.participant_id])
    can_write = has_capability(request.user, request.organization, Cap.MEETINGS_WRITE)
    return render(
        request,
        "contacts/list.html",
        {
            "engagement": engagement,
            "page": page,
            "can_write": can_write and not engagement.is_closed,
            "overdue_after_days": selectors.CALLBACK_OVERDUE_BUSINESS_DAYS,
        },
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.MEETINGS_WRITE)
def contact_create(request, pk: int):
    engagement = engagement_get_for(request.user, request.organization, pk)
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = ContactForm(request.POST or None, initial={"occurred_at": now})
    read_record(request, "contact form", [engagement.participant_id])
    done = reverse("contacts:list", args=[engagement.pk])
    return form_page(
        request,
        form,
        save=lambda data: services.contact_log(engagement=engagement, actor=request.user, **data),
        title=_("A contact with %(name)s") % {"name": engagement.participant},
        back_url=reverse("engagements:detail", args=[engagement.pk]),
        done_url=done,
        done_message=_("Contact logged."),
        blocked=closed_notice(engagement),
        submit_label=_("Log the contact"),
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.MEETINGS_WRITE)
def callback_returned(request, pk: int):
    contacts = scoped(
        Contact.objects.select_related("engagement__participant", "engagement__organization"),
        request.user,
        request.organization,
        via="engagement",
    )
    contact = get_or_404(contacts, pk=pk)
    engagement = contact.engagement
    form = CallbackReturnForm(request.POST if request.method == "POST" else None)
    read_record(request, "call-back", [engagement.participant_id])
    done = reverse("contacts:list", args=[engagement.pk])
    blocked = closed_notice(engagement)
    if not blocked and not contact.callback_open:
        blocked = _("This contact has no open call-back.")
    return form_page(
        request,
        form,
        save=lambda data: services.contact_callback_return(
            contact=contact, actor=request.user, returned_at=data["returned_at"]
        ),
        title=_("Call-back to %(name)s returned") % {"name": engagement.participant},
        back_url=done,
        done_url=done,
        done_message=_("Call-back marked returned."),
        blocked=blocked,
        submit_label=_("Mark returned"),
    )
