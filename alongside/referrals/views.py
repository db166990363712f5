"""Referral intake and screening pages, and the public referral page."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from alongside.audit.services import read_record
from alongside.core.decorators import capability_required
from alongside.core.permissions import Cap, has_capability, programs_coordinated_by
from alongside.core.ratelimit import client_address, hit
from alongside.core.web import PAGE_SIZE, attempt, page_of
from alongside.exits.selectors import returning_history
from alongside.organizations.models import Organization, Program
from alongside.referrals import selectors, services
from alongside.referrals.forms import (
    HONEYPOT,
    PARTNER,
    ParticipantForm,
    PublicReferralForm,
    ReferralForm,
    ScreenForm,
)
from alongside.referrals.models import Channel, ContactChannel, Status

# The public page: limits per client address (a keyed hash of it, never the address)
# and per organization, each as (how many, per seconds).
ATTEMPTS_PER_ADDRESS = (20, 3600)  # every POST, valid or not
REFERRALS_PER_ADDRESS = (5, 3600)  # complete submissions
REFERRALS_PER_ORGANIZATION = (200, 3600)
# The largest form a person can send: every field at its maximum length in a script
# whose characters take 3 bytes in UTF-8 (9 once form-encoded) is about 50 KB.
BODY_LIMIT_BYTES = 64 * 1024
WAITLIST_PAGE_SIZE = PAGE_SIZE


def review_business_days() -> int:
    return settings.ALONGSIDE_REFERRAL_REVIEW_BUSINESS_DAYS


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
    form = ReferralForm(
        request.POST or None,
        programs=programs,
        organization=request.organization,
        prefix="referral",
    )
    if request.method == "POST" and person.is_valid() and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "program"}
        referral = attempt(
            form,
            lambda: services.referral_create(
                organization=request.organization,
                program=form.cleaned_data["program"],
                actor=request.user,
                participant=person.cleaned_data,
                channel=Channel.STAFF,
                **fields,
            ),
        )
        if referral is not None:
            if referral.is_flagged_duplicate:
                messages.warning(
                    request,
                    _(
                        "Referral recorded. This person may already have an open referral or "
                        "engagement: check the flag below before screening."
                    ),
                )
            else:
                messages.success(request, _("Referral recorded. Screen it next."))
            return redirect("referrals:detail", pk=referral.pk)
    return render(request, "referrals/create.html", {"person": person, "form": form})


@require_http_methods(["GET", "POST"])
@capability_required(Cap.REFERRALS_VIEW)
def referral_detail(request, pk: int):
    referral = selectors.referral_get_for(request.user, request.organization, pk)
    form = ScreenForm(request.POST or None, referral=referral)
    if request.method == "POST":
        if not has_capability(request.user, request.organization, Cap.REFERRALS_MANAGE):
            raise PermissionDenied
        if form.is_valid():
            decision = form.cleaned_data["decision"]
            screened = attempt(form, lambda: _screen(referral, request.user, form.cleaned_data))
            if screened is not None:
                if decision == "decline" and referral.referrer_email:
                    messages.success(
                        request, _("Screening saved. The referrer is being told by email.")
                    )
                else:
                    messages.success(request, _("Screening saved."))
                if decision == "accept":
                    return redirect("matching:suggest", pk=referral.pk)
                return redirect("referrals:detail", pk=referral.pk)
    read_record(request, "referral", [referral.participant_id])
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "form": form,
            "duplicate_visible": selectors.duplicate_visibility(
                request.user, request.organization, referral
            ),
            "experience_labels": selectors.experience_labels(
                request.organization, referral.lived_experience_wanted
            ),
            "returning": returning_history(request.user, request.organization, referral),
        },
    )


def _screen(referral, actor, data):
    if data["decision"] == "accept":
        return services.referral_accept(referral=referral, actor=actor)
    if data["decision"] == "waitlist":
        return services.referral_waitlist(
            referral=referral, actor=actor, priority=data.get("priority") or 3
        )
    return services.referral_decline(
        referral=referral,
        actor=actor,
        reason=data["reason"],
        share_reason=bool(data.get("share_reason")),
    )


@require_GET
@capability_required(Cap.REFERRALS_VIEW)
def waitlist(request):
    programs = selectors.waitlist_programs(request.user, request.organization)
    filters = selectors.WaitlistFilters.from_query(request.GET, programs)
    page = page_of(
        selectors.waitlist(request.user, request.organization, filters),
        request,
        size=WAITLIST_PAGE_SIZE,
    )
    read_record(request, "waitlist", [r.participant_id for r in page])
    propose_url = (
        reverse("matching:batch_propose")
        if has_capability(request.user, request.organization, Cap.MATCHING_ASSIGN)
        else None
    )
    since = timezone.localdate() - datetime.timedelta(days=90)
    return render(
        request,
        "referrals/waitlist.html",
        {
            "page": page,
            "filters": filters,
            "programs": programs,
            "languages": selectors.LANGUAGE_CHOICES,
            "urgencies": selectors.Urgency.choices,
            "propose_url": propose_url,
            "time_to_match": selectors.days_to_match(
                request.user, request.organization, since=since
            ),
        },
    )


# the public page ---------------------------------------------------------------------


def _refused(request: HttpRequest, status: int, organization=None) -> HttpResponse:
    response = render(
        request,
        "referrals/public_refused.html",
        {"status": status, "organization": organization},
        status=status,
    )
    if status == 429:
        response["Retry-After"] = str(REFERRALS_PER_ADDRESS[1])
    return response


def _guarded(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse an oversized body (413) and a flood from one address (429) before reading it.

    The CSRF check reads the form, so it runs after these (``csrf_protect`` below):
    the view is exempt from the middleware's check, not from the check.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > BODY_LIMIT_BYTES:
            return _refused(request, 413)
        if request.method == "POST" and not hit(
            f"refer:attempt:{client_address(request)}", *ATTEMPTS_PER_ADDRESS
        ):
            return _refused(request, 429)
        return view(request, *args, **kwargs)

    return wrapped


def _flooding(request: HttpRequest, organization) -> bool:
    """Count one complete request; True past the limit of its address or organization."""
    address_ok = hit(f"refer:referral:{client_address(request)}", *REFERRALS_PER_ADDRESS)
    return not (
        address_ok and hit(f"refer:organization:{organization.pk}", *REFERRALS_PER_ORGANIZATION)
    )


def _public_programs(organization):
    return Program.objects.filter(organization=organization, is_active=True).order_by("name")


@csrf_exempt  # from the middleware's check only: csrf_protect checks after _guarded
@_guarded
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def public_referral(request, slug: str):
    """Self-referral and partner referral, without signing in; stores only the referral."""
    organization = get_object_or_404(Organization, slug=slug)
    programs = _public_programs(organization)
    if request.method == "POST" and request.POST.get(HONEYPOT):
        # A bot: answer as if it worked and store nothing. It counts against its address,
        # not against the organization, so bots cannot close the page to people.
        hit(f"refer:referral:{client_address(request)}", *REFERRALS_PER_ADDRESS)
        return _thanks(organization, request.POST.get("contact_channel"), "")
    form = PublicReferralForm(request.POST or None, organization=organization, programs=programs)
    if request.method == "POST" and form.is_valid():
        if _flooding(request, organization):
            return _refused(request, 429, organization)
        referral = attempt(
            form,
            lambda: services.referral_create(
                organization=organization,
                program=form.cleaned_data["program"],
                actor=None,
                participant=form.participant_data(),
                channel=Channel.PUBLIC,
                **form.referral_fields(),
            ),
        )
        if referral is not None:
            return _thanks(organization, referral.contact_channel, form.cleaned_data["kind"])
    return render(
        request,
        "referrals/public.html",
        {
            "organization": organization,
            "form": form,
            "has_programs": bool(programs),
            "review_days": review_business_days(),
            "error_summary": form.error_summary() if form.is_bound else [],
        },
        status=200,
    )


def _thanks(organization, channel: str | None, kind: str) -> HttpResponse:
    query = {"by": channel or "", "who": kind or ""}
    url = reverse("referrals:public_done", kwargs={"slug": organization.slug})
    return redirect(f"{url}?{urlencode({k: v for k, v in query.items() if v})}")


@never_cache
@require_GET
def public_done(request, slug: str):
    """What happens next: who reviews the referral, how we get in touch, crisis lines."""
    organization = get_object_or_404(Organization, slug=slug)
    channel = request.GET.get("by", "")
    return render(
        request,
        "referrals/public_done.html",
        {
            "organization": organization,
            "review_days": review_business_days(),
            "channel_label": dict(ContactChannel.choices).get(channel, ""),
            "partner": request.GET.get("who") == PARTNER,
        },
    )
