"""Raising a cause for concern, and the coordinator's triage."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from alongside.audit.services import read_record
from alongside.concerns import services
from alongside.concerns.forms import ConcernForm, ConcernUpdateForm
from alongside.concerns.models import ConcernStatus
from alongside.core.decorators import capability_required
from alongside.core.permissions import (
    Cap,
    concerns_visible_to,
    get_or_404,
    has_capability,
)
from alongside.core.web import form_page, page_of
from alongside.engagements.selectors import own_engagements
from alongside.engagements.services import OPEN_STATES


def _participants_of(concerns) -> list[int]:
    return [c.engagement.participant_id for c in concerns if c.engagement_id]


@require_GET
@capability_required(Cap.CONCERNS_TRIAGE)
def concern_list(request):
    status = request.GET.get("status") or None
    if status not in (None, *ConcernStatus.values):
        status = None
    concerns = concerns_visible_to(request.user, request.organization).select_related(
        "engagement__participant", "raised_by"
    )
    if status:
        concerns = concerns.filter(status=status)
    else:
        concerns = concerns.exclude(status=ConcernStatus.RESOLVED)
    page = page_of(concerns.order_by("-urgency", "created_at"), request)
    read_record(request, "concern list", _participants_of(page))
    return render(
        request,
        "concerns/list.html",
        {"page": page, "status": status, "statuses": ConcernStatus.choices},
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.CONCERNS_TRIAGE)
def concern_detail(request, pk: int):
    concern = get_or_404(
        concerns_visible_to(request.user, request.organization).select_related(
            "engagement__participant", "engagement__supporter", "raised_by", "handled_by"
        ),
        pk=pk,
    )
    form = ConcernUpdateForm(
        request.POST or None,
        initial={"status": concern.status, "resolution": concern.resolution},
    )
    if request.method == "GET":
        read_record(request, "concern", _participants_of([concern]))
        return render(request, "concerns/detail.html", {"concern": concern, "form": form})
    here = reverse("concerns:detail", args=[concern.pk])
    return form_page(
        request,
        form,
        save=lambda data: services.concern_update(concern=concern, actor=request.user, **data),
        title=_("Concern"),
        back_url=here,
        done_url=here,
        done_message=_("Concern updated."),
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.CONCERNS_RAISE)
def concern_create(request):
    """Anyone in the program may raise a concern; a participant's links to their support."""
    engagement = None
    if has_capability(request.user, request.organization, Cap.PORTAL_VIEW):
        engagement = (
            own_engagements(request.user, request.organization)
            .filter(state__in=OPEN_STATES)
            .order_by("-started_on")
            .first()
        )
    form = ConcernForm(request.POST or None)
    done = reverse("home")
    return form_page(
        request,
        form,
        save=lambda data: services.concern_raise(
            organization=request.organization, actor=request.user, engagement=engagement, **data
        ),
        title=_("Raise a concern"),
        intro=_(
            "Tell us about anything you want help with from outside your peer support team. "
            "Raising a concern never costs you your support."
        ),
        back_url=done,
        done_url=done,
        done_message=_("Thank you. A coordinator will look at your concern."),
        submit_label=_("Send"),
    )
