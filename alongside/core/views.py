"""Home (sends each person where their work is) and the staff dashboard."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from alongside.accounts.models import PeerSupporterProfile
from alongside.audit.services import read_record
from alongside.core import support
from alongside.core.decorators import capability_required
from alongside.core.permissions import Cap, capabilities_of, supporters_supervised_by
from alongside.core.services import user_language_set
from alongside.engagements import selectors as engagement_selectors
from alongside.referrals import selectors as referral_selectors


@require_GET
@login_required
def home(request):
    caps = capabilities_of(request.user, request.organization)
    if Cap.DASHBOARD_VIEW in caps:
        return redirect("dashboard")
    if Cap.PORTAL_VIEW in caps:
        return redirect("portal:home")
    if Cap.ORGANIZATION_CONFIGURE in caps:
        return redirect("admin:index")
    return render(request, "core/no_role.html")


@require_POST
def language_set(request):
    """The footer's language choice: kept on the person's account when signed in (so it
    follows them to any device and to their emails), and in a cookie for everyone."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest(_("Choose English or Spanish."))
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=language)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = "/"
    response = redirect(back)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=True,
    )
    return response


@require_GET
@capability_required(Cap.DASHBOARD_VIEW)
def dashboard(request):
    user, org = request.user, request.organization
    caps = capabilities_of(user, org)
    context = {
        "state_counts": engagement_selectors.state_counts(user, org),
        "due": engagement_selectors.due_work(user, org),
    }
    if Cap.REFERRALS_VIEW in caps:
        context["waiting"] = referral_selectors.waiting_counts(user, org)
        context["new_referrals"] = list(
            referral_selectors.referral_list(user, org, status="new")[:10]
        )
    # A peer supporter (anyone with a supporter profile here) sees their own panel;
    # a supervisor, the supporters they supervise, each a link to their panel.
    profile = (
        PeerSupporterProfile.objects.filter(user=user, organization=org)
        .select_related("user")
        .first()
    )
    if profile is not None:
        context["panel"] = support.supporter_panel(viewer=user, profile=profile, organization=org)
    context["supervisees"] = list(
        supporters_supervised_by(user, org)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "pk")
    )
    due = context["due"]
    rows = due["assessments"] + due["goal_reviews"] + due["endings"] + due["team_plans"]
    shown = [e.participant_id for e in rows]
    shown += [r.participant_id for r in context.get("new_referrals", [])]
    if profile is not None:
        shown += support.participants_shown(context["panel"])
    read_record(request, "dashboard", shown)
    return render(request, "core/dashboard.html", context)
