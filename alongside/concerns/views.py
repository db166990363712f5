"""Raising a cause for concern (signed in or on the public page), and the triage pages.

Every concern is fetched through ``selectors.concerns_visible_to``: the person a concern
is about, and their supervisors, get 404 everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alongside.audit.services import read_record
from alongside.concerns import selectors, services
from alongside.concerns.forms import (
    HONEYPOT,
    ActionForm,
    AssignForm,
    ConcernUpdateForm,
    InformForm,
    PublicConcernForm,
    ResolveForm,
    SignedInConcernForm,
)
from alongside.concerns.models import ConcernStatus, RaisedThrough
from alongside.core.decorators import capability_required
from alongside.core.errors import RuleViolation
from alongside.core.permissions import Cap, engagements_visible_to, get_or_404, has_capability
from alongside.core.ratelimit import client_address, hit
from alongside.core.web import form_page, page_of
from alongside.engagements.selectors import own_engagements
from alongside.engagements.services import OPEN_STATES
from alongside.organizations.models import Organization

# The public page: per client address (a keyed hash of it) and per organization.
ATTEMPTS_PER_ADDRESS = (20, 3600)  # every POST, valid or not
CONCERNS_PER_ADDRESS = (5, 3600)  # complete submissions
CONCERNS_PER_ORGANIZATION = (100, 3600)
BODY_LIMIT_BYTES = 64 * 1024


def _participants_of(concerns) -> list[int]:
    return [c.engagement.participant_id for c in concerns if c.engagement_id]


def _triaged(request, pk: int):
    """A concern the signed-in triager may handle; 404 outside scope or in conflict."""
    return get_or_404(
        selectors.concerns_visible_to(request.user, request.organization).select_related(
            "organization",
            "engagement__participant",
            "engagement__supporter",
            "raised_by",
            "handled_by",
            "subject_user",
            "acknowledged_by",
        ),
        pk=pk,
    )


@require_GET
@capability_required(Cap.CONCERNS_TRIAGE)
def concern_list(request):
    status = request.GET.get("status") or None
    if status not in (None, *ConcernStatus.values):
        status = None
    page = page_of(
        selectors.concern_triage_list(request.user, request.organization, status=status), request
    )
    read_record(request, "concern list", _participants_of(page))
    return render(
        request,
        "concerns/list.html",
        {"page": page, "status": status, "statuses": ConcernStatus.choices},
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.CONCERNS_TRIAGE)
def concern_detail(request, pk: int):
    concern = _triaged(request, pk)
    form = ConcernUpdateForm(
        request.POST or None,
        initial={"status": concern.status, "resolution": concern.resolution},
    )
    if request.method == "GET":
        read_record(request, "concern", _participants_of([concern]))
        return render(
            request,
            "concerns/detail.html",
            {
                "concern": concern,
                "form": form,
                "actions": concern.actions.select_related("actor"),
            },
        )
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


@require_POST
@capability_required(Cap.CONCERNS_TRIAGE)
def concern_acknowledge(request, pk: int):
    concern = _triaged(request, pk)
    try:
        services.concern_acknowledge(concern=concern, actor=request.user)
    except RuleViolation as refusal:
        here = reverse("concerns:detail", args=[concern.pk])
        context = {"title": _("Acknowledge"), "back_url": here, "blocked": refusal.message}
        return render(request, "core/form_page.html", context, status=409)
    messages.success(request, _("Acknowledged."))
    return redirect("concerns:detail", pk=concern.pk)


def _triage_form(request, pk: int, make_form, save, *, title: str, done: str):
    concern = _triaged(request, pk)
    here = reverse("concerns:detail", args=[concern.pk])
    form = make_form(concern)
    return form_page(
        request,
        form,
        save=lambda data: save(concern, form, data),
        title=title,
        back_url=here,
        done_url=here,
        done_message=done,
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.CONCERNS_TRIAGE)
def concern_assign(request, pk: int):
    return _triage_form(
        request,
        pk,
        lambda c: AssignForm(request.POST or None, handlers=selectors.concern_handlers(c)),
        lambda c, form, data: services.concern_assign(
            concern=c, actor=request.user, handler=form.handlers.get(data["handler"])
        ),
        title=_("Assign a handler"),
        done=_("Handler assigned."),
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.CONCERNS_TRIAGE)
def concern_action(request, pk: int):
    return _triage_form(
        request,
        pk,
        lambda c: ActionForm(request.POST or None),
        lambda c, form, data: services.concern_action_record(
            concern=c, actor=request.user, text=data["text"]
        ),
        title=_("Record an action"),
        done=_("Action recorded."),
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.CONCERNS_TRIAGE)
def concern_resolve(request, pk: int):
    return _triage_form(
        request,
        pk,
        lambda c: ResolveForm(request.POST or None),
        lambda c, form, data: services.concern_resolve(
            concern=c, actor=request.user, resolution=data["resolution"]
        ),
        title=_("Resolve the concern"),
        done=_("Concern resolved."),
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.CONCERNS_TRIAGE)
def concern_inform(request, pk: int):
    return _triage_form(
        request,
        pk,
        lambda c: InformForm(request.POST or None),
        lambda c, form, data: services.concern_inform(
            concern=c, actor=request.user, how=data["how"]
        ),
        title=_("Record that they were told"),
        done=_("Recorded."),
    )


@require_GET
@capability_required(Cap.CONCERNS_RAISE)
def concern_mine(request):
    """Concerns I raised: their status only, never how they are being handled."""
    page = page_of(selectors.concerns_raised_by(request.user, request.organization), request)
    return render(request, "concerns/mine.html", {"page": page})


@require_http_methods(["GET", "POST"])
@capability_required(Cap.CONCERNS_RAISE)
def concern_create(request):
    """Anyone in the program may raise a concern; a participant's links to their support."""
    participant = has_capability(request.user, request.organization, Cap.PORTAL_VIEW)
    engagement = None
    if participant:
        engagement = (
            own_engagements(request.user, request.organization)
            .filter(state__in=OPEN_STATES)
            .select_related("supporter")
            .order_by("-started_on")
            .first()
        )
    elif request.GET.get("engagement"):
        engagement = get_or_404(
            engagements_visible_to(request.user, request.organization),
            pk=request.GET["engagement"],
        )
    supporter = engagement.supporter if participant and engagement else None
    staff = selectors.staff_of(request.organization).exclude(pk=request.user.pk)
    form = SignedInConcernForm(
        request.POST or None,
        staff=staff,
        participant=participant,
        has_supporter=supporter is not None,
    )
    done = reverse("home") if participant else reverse("concerns:mine")
    intro = _(
        "Tell us about anything you want help with from outside your peer support team. "
        "Raising a concern never costs you your support. The person it is about, and "
        "their supervisor, will not see it."
    )
    return form_page(
        request,
        form,
        save=lambda data: services.concern_raise(
            organization=request.organization,
            actor=request.user,
            engagement=engagement,
            category=data["category"],
            urgency=data["urgency"],
            description=data["description"],
            subject=form.subject(supporter),
            wants_different_supporter=bool(data.get("wants_different_supporter")),
            raised_through=RaisedThrough.PORTAL if participant else RaisedThrough.STAFF,
        ),
        title=_("Raise a concern"),
        intro=intro,
        back_url=done,
        done_url=done,
        done_message=_("Thank you. A coordinator will look at your concern."),
        submit_label=_("Send"),
    )


# the public page ---------------------------------------------------------------------


def _refused(request: HttpRequest, status: int, organization=None) -> HttpResponse:
    response = render(
        request,
        "concerns/public_refused.html",
        {"status": status, "organization": organization},
        status=status,
    )
    if status == 429:
        response["Retry-After"] = str(CONCERNS_PER_ADDRESS[1])
    return response


def _guarded(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse an oversized body (413) and a flood from one address (429) before reading it."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > BODY_LIMIT_BYTES:
            return _refused(request, 413)
        if request.method == "POST" and not hit(
            f"concern:attempt:{client_address(request)}", *ATTEMPTS_PER_ADDRESS
        ):
            return _refused(request, 429)
        return view(request, *args, **kwargs)

    return wrapped


def _flooding(request: HttpRequest, organization) -> bool:
    address_ok = hit(f"concern:raise:{client_address(request)}", *CONCERNS_PER_ADDRESS)
    return not (
        address_ok and hit(f"concern:organization:{organization.pk}", *CONCERNS_PER_ORGANIZATION)
    )


@csrf_exempt  # from the middleware's check only: csrf_protect checks after _guarded
@_guarded
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def public_raise(request, slug: str):
    """A concern from anyone, without signing in; anonymous unless they leave a way back."""
    organization = get_object_or_404(Organization, slug=slug)
    done = reverse("concerns:public_done", kwargs={"slug": organization.slug})
    if request.method == "POST" and request.POST.get(HONEYPOT):
        # A bot: answer as if it worked, store nothing, count it against its address only.
        hit(f"concern:raise:{client_address(request)}", *CONCERNS_PER_ADDRESS)
        return redirect(done)
    form = PublicConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _flooding(request, organization):
            return _refused(request, 429, organization)
        data = {k: v for k, v in form.cleaned_data.items() if k != HONEYPOT}
        try:
            services.concern_raise(
                organization=organization,
                actor=None,
                raised_through=RaisedThrough.PUBLIC,
                **data,
            )
        except RuleViolation as refusal:
            form.add_error(None, refusal.message)
        else:
            return redirect(done)
    return render(
        request,
        "concerns/public.html",
        {"organization": organization, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@never_cache
@require_GET
def public_done(request, slug: str):
    organization = get_object_or_404(Organization, slug=slug)
    return render(request, "concerns/public_done.html", {"organization": organization})
