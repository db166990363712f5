"""Referral intake and screening pages."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from alongside.audit.services import read_record
from alongside.core.decorators import capability_required
from alongside.core.permissions import Cap, has_capability, programs_coordinated_by
from alongside.core.web import attempt, page_of
from alongside.referrals import selectors, services
from alongside.referrals.forms import ParticipantForm, ReferralForm, ScreenForm
from alongside.referrals.models import Status


@require_GET
@capability_required(Cap.REFERRALS_VIEW)
def referral_list(request):
    status = request.GET.get("status") or None
    if status not in (None, *Status.values):
        status = None
    page = page_of(
        selectors.referral_list(request.user, request.organization, status=status), request
    )
    read_record(request, "referral list", [r.participant_id for r in page])
    return render(
        request,
        "referrals/list.html",
        {"page": page, "status": status, "statuses": Status.choices},
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.REFERRALS_MANAGE)
def referral_create(request):
    programs = programs_coordinated_by(request.user, request.organization).filter(is_active=True)
    person = ParticipantForm(request.POST or None, prefix="person")
    form = ReferralForm(request.POST or None, programs=programs, prefix="referral")
    if request.method == "POST" and person.is_valid() and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "program"}
        with transaction.atomic():
            referral = attempt(
                form,
                lambda: services.referral_create(
                    organization=request.organization,
                    program=form.cleaned_data["program"],
                    actor=request.user,
                    participant=person.cleaned_data,
                    **fields,
                ),
            )
        if referral is not None:
            messages.success(request, _("Referral recorded. Screen it next."))
            return redirect("referrals:detail", pk=referral.pk)
    return render(request, "referrals/create.html", {"person": person, "form": form})


@require_http_methods(["GET", "POST"])
@capability_required(Cap.REFERRALS_VIEW)
def referral_detail(request, pk: int):
    referral = selectors.referral_get_for(request.user, request.organization, pk)
    form = ScreenForm(request.POST or None)
    if request.method == "POST":
        if not has_capability(request.user, request.organization, Cap.REFERRALS_MANAGE):
            raise PermissionDenied
        if form.is_valid():
            decision = form.cleaned_data["decision"]
            screened = attempt(form, lambda: _screen(referral, request.user, form.cleaned_data))
            if screened is not None:
                messages.success(request, _("Screening saved."))
                if decision == "accept":
                    return redirect("matching:suggest", pk=referral.pk)
                return redirect("referrals:detail", pk=referral.pk)
    read_record(request, "referral", [referral.participant_id])
    return render(request, "referrals/detail.html", {"referral": referral, "form": form})


def _screen(referral, actor, data):
    if data["decision"] == "accept":
        return services.referral_accept(referral=referral, actor=actor)
    if data["decision"] == "waitlist":
        return services.referral_waitlist(
            referral=referral, actor=actor, priority=data.get("priority") or 3
        )
    return services.referral_decline(referral=referral, actor=actor, reason=data["reason"])
