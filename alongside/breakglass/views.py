"""Emergency access: a coordinator opens a record with a reason; admins review."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from alongside.audit.services import read_record
from alongside.breakglass import selectors, services
from alongside.breakglass.forms import EmergencyAccessForm, ReviewForm
from alongside.breakglass.middleware import hold
from alongside.breakglass.models import EmergencyAccessReview
from alongside.core.decorators import capability_required
from alongside.core.permissions import Cap, emergency_reads, engagements_visible_to
from alongside.core.web import attempt, form_status, page_of


def _find(form: EmergencyAccessForm, organization):
    """The one participant the form names exactly, or None with the form told why."""
    data = form.cleaned_data
    found = selectors.participants_matching(
        organization,
        record_number=data.get("record_number"),
        first_name=data.get("first_name") or "",
        last_name=data.get("last_name") or "",
        date_of_birth=data.get("date_of_birth"),
    )
    if not found:
        form.add_error(
            None,
            _(
                "No one in your organization matches exactly. Check the spelling and the "
                "date of birth, or use the record number."
            ),
        )
        return None
    if len(found) > 1:
        form.add_error(None, _("More than one person matches; use the record number."))
        return None
    return found[0]


@require_http_methods(["GET", "POST"])
@capability_required(Cap.EMERGENCY_ACCESS)
def access_request(request):
    """Look a participant up by exact identifiers and open their record, with a reason."""
    form = EmergencyAccessForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        participant = _find(form, request.organization)
        access = participant and attempt(
            form,
            lambda: services.emergency_access_grant(
                actor=request.user,
                organization=request.organization,
                participant=participant,
                reason=form.cleaned_data["reason"],
            ),
        )
        if access:
            hold(request, [access])  # every page now says so (breakglass.context_processors)
            return redirect("breakglass:detail", pk=access.pk)
    recent = selectors.recent_grants(request.user, request.organization)
    now = timezone.now()
    for access in recent:
        access.active = access.is_active(now)
    read_record(request, "emergency access list", [a.participant_id for a in recent])
    return render(
        request,
        "breakglass/request.html",
        {
            "form": form,
            "recent": recent,
            "minutes": services.emergency_access_minutes(),
        },
        status=form_status(request, form),
    )


@require_GET
@capability_required(Cap.EMERGENCY_ACCESS)
def access_detail(request, pk: int):
    """One of the coordinator's grants; while it lasts, the record's engagements to open.

    Opening it holds the grant in this session (so a grant outlives a sign-out)."""
    access = selectors.grant_get_for(request.user, request.organization, pk)
    active = access.is_active(timezone.now())
    engagements = []
    if active:
        hold(request, [access])
        with emergency_reads():
            engagements = list(
                engagements_visible_to(request.user, request.organization)
                .filter(participant_id=access.participant_id)
                .select_related("program", "supporter")
                .order_by("-started_on", "-pk")
            )
    read_record(request, "emergency access", [access.participant_id])
    return render(
        request,
        "breakglass/detail.html",
        {"access": access, "active": active, "engagements": engagements},
    )


@require_GET
@capability_required(Cap.EMERGENCY_REVIEW)
def review_list(request):
    """Every emergency access of the organization: those to review first, or all."""
    show_all = request.GET.get("show") == "all"
    page = page_of(selectors.review_list(request.organization, to_review=not show_all), request)
    read_record(request, "emergency access reviews", [a.participant_id for a in page])
    return render(
        request,
        "breakglass/reviews.html",
        {"page": page, "show_all": show_all, "query": "show=all" if show_all else ""},
    )


def _review_of(access) -> EmergencyAccessReview | None:
    try:
        return access.review
    except EmergencyAccessReview.DoesNotExist:
        return None


@require_http_methods(["GET", "POST"])
@capability_required(Cap.EMERGENCY_REVIEW)
def review(request, pk: int):
    """One emergency access, and its review or the form to write it."""
    access = selectors.grant_for_review(request.organization, pk)
    done = _review_of(access)
    blocked = ""
    if done is not None:
        blocked = _("This emergency access has already been reviewed.")
    elif access.grantee_id == request.user.pk:
        blocked = _("Someone else must review your own emergency access.")
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not blocked and form.is_valid():
        reviewed = attempt(
            form,
            lambda: services.emergency_access_review(
                access=access, actor=request.user, comment=form.cleaned_data["comment"]
            ),
        )
        if reviewed is not None:
            messages.success(request, _("Marked reviewed."))
            return redirect("breakglass:reviews")
    read_record(request, "emergency access review", [access.participant_id])
    return render(
        request,
        "breakglass/review.html",
        {
            "access": access,
            "done": done,
            "blocked": blocked,
            "form": form,
            "active": access.is_active(timezone.now()),
        },
        status=form_status(request, form, blocked),
    )
