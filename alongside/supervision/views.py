"""The supervision log: sessions, a supervisor's page per supporter, follow-ups."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alongside.audit.services import read_record
from alongside.core import support
from alongside.core.decorators import capability_required
from alongside.core.permissions import Cap, get_or_404, has_capability, supporters_supervised_by
from alongside.core.web import attempt, form_page, page_of
from alongside.supervision import selectors, services
from alongside.supervision.forms import FollowUpForm, NewSessionForm, SessionForm
from alongside.supervision.models import FollowUp

RECENT_SESSIONS = 10


def _supervisee(request, pk: int):
    profiles = supporters_supervised_by(request.user, request.organization).select_related("user")
    return get_or_404(profiles, user_id=pk)


@require_GET
@capability_required(Cap.SUPERVISION_VIEW)
def session_list(request):
    user, org = request.user, request.organization
    page = page_of(selectors.sessions_for(user, org), request)
    supervisees = list(
        supporters_supervised_by(user, org)
        .select_related("user")
        .order_by("user__first_name", "user__last_name")
    )
    return render(
        request,
        "supervision/list.html",
        {"page": page, "supervisees": supervisees},
    )


@require_GET
@capability_required(Cap.SUPERVISION_RECORD)
def supporter_page(request, pk: int):
    """The supervisor's view of one supporter: their panel, and the sessions together."""
    profile = _supervisee(request, pk)
    panel = support.supporter_panel(
        viewer=request.user, profile=profile, organization=request.organization
    )
    sessions = list(
        selectors.sessions_for(request.user, request.organization).filter(
            supporter_id=pk, supervisor=request.user
        )[:RECENT_SESSIONS]
    )
    read_record(request, "supporter panel", support.participants_shown(panel))
    return render(
        request,
        "supervision/supporter.html",
        {"panel": panel, "own": False, "sessions": sessions, "profile": profile},
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.SUPERVISION_RECORD)
def session_create(request, pk: int):
    profile = _supervisee(request, pk)
    form = NewSessionForm(
        request.POST or None,
        supporter=profile.user,
        organization=request.organization,
        initial={"held_on": timezone.localdate()},
    )
    page = reverse("supervision:supporter", args=[pk])

    def save(data):
        data.pop("version", None)
        return services.session_record(
            supervisor=request.user,
            supporter=profile.user,
            organization=request.organization,
            **data,
        )

    return form_page(
        request,
        form,
        save=save,
        title=_("Supervision with %(name)s") % {"name": profile.user},
        back_url=page,
        done_url=page,
        done_message=_("Supervision session recorded."),
        submit_label=_("Record the session"),
    )


def _detail(request, session, follow_up_form=None, status=200):
    user, org = request.user, request.organization
    shown = selectors.session_view(session, user, org)
    read_record(request, "supervision session", [e.participant_id for e in shown["engagements"]])
    can_edit = session.supervisor_id == user.pk and has_capability(
        user, org, Cap.SUPERVISION_RECORD
    )
    return render(
        request,
        "supervision/detail.html",
        {
            "session": session,
            **shown,
            "can_edit": can_edit,
            "follow_up_form": (follow_up_form or FollowUpForm()) if can_edit else None,
        },
        status=status,
    )


@require_GET
@capability_required(Cap.SUPERVISION_VIEW)
def session_detail(request, pk: int):
    session = get_or_404(selectors.sessions_for(request.user, request.organization), pk=pk)
    return _detail(request, session)


def _own_session(request, pk: int):
    sessions = selectors.sessions_for(request.user, request.organization).filter(
        supervisor=request.user
    )
    return get_or_404(sessions.select_related("organization"), pk=pk)


@require_http_methods(["GET", "POST"])
@capability_required(Cap.SUPERVISION_RECORD)
def session_edit(request, pk: int):
    session = _own_session(request, pk)
    form = SessionForm(
        request.POST or None,
        instance=session,
        supporter=session.supporter,
        organization=request.organization,
        initial={"version": session.version},
    )
    back = reverse("supervision:detail", args=[pk])

    def save(data):
        version = data.pop("version")
        return services.session_update(
            session=session, actor=request.user, expected_version=version, **data
        )

    return form_page(
        request,
        form,
        save=save,
        title=_("Supervision with %(name)s") % {"name": session.supporter},
        back_url=back,
        done_url=back,
        done_message=_("Supervision session saved."),
    )


@require_POST
@capability_required(Cap.SUPERVISION_RECORD)
def follow_up_add(request, pk: int):
    session = _own_session(request, pk)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        added = attempt(
            form,
            lambda: services.follow_up_add(
                session=session, actor=request.user, **form.cleaned_data
            ),
        )
        if added is not None:
            messages.success(request, _("Follow-up added."))
            return redirect("supervision:detail", pk=pk)
    return _detail(request, session, follow_up_form=form, status=400)


@require_POST
@capability_required(Cap.SUPERVISION_RECORD)
def follow_up_done(request, pk: int):
    follow_ups = FollowUp.objects.select_related("session__organization").filter(
        session__in=selectors.sessions_for(request.user, request.organization).filter(
            supervisor=request.user
        )
    )
    follow_up = get_or_404(follow_ups, pk=pk)
    done = request.POST.get("done", "1") != "0"
    services.follow_up_mark(follow_up=follow_up, actor=request.user, done=done)
    messages.success(request, _("Follow-up updated."))
    return redirect("supervision:detail", pk=follow_up.session_id)
