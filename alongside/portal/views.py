"""The participant's own view of their support."""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from alongside.audit.services import read_record
from alongside.concerns.selectors import concerns_raised_by
from alongside.core.decorators import capability_required
from alongside.core.permissions import Cap
from alongside.core.web import form_page
from alongside.emergencyplans import views as plan_views
from alongside.emergencyplans.selectors import plan_for
from alongside.engagements.models import State
from alongside.engagements.selectors import own_engagements
from alongside.exits.services import EXIT_SURVEY
from alongside.meetings.models import Meeting, MeetingStatus
from alongside.meetings.notes import participant_summaries_attach
from alongside.participants.models import Participant
from alongside.plans import selectors as plan_selectors
from alongside.plans import services as plan_services
from alongside.portal import selectors
from alongside.portal.forms import PortalCheckInForm
from alongside.surveys.selectors import portal_section

UPCOMING_SHOWN = 8
PAST_SHOWN = 10


@require_GET
@capability_required(Cap.PORTAL_VIEW)
def portal_home(request):
    engagements = list(
        own_engagements(request.user, request.organization)
        .select_related("program", "supporter", "participant", "team_plan", "exit")
        .prefetch_related(
            "goals",
            Prefetch(
                "meetings",
                # Notes are the team's; the participant sees when, how and where they meet.
                # Only what the portal shows is read: never the cancel reason.
                queryset=Meeting.objects.only(
                    "pk", "engagement_id", "starts_at", "mode", "place_type", "status"
                ).order_by("starts_at"),
            ),
        )
        .order_by("-started_on")
    )
    now = timezone.now()
    for engagement in engagements:
        meetings = list(engagement.meetings.all())
        # Coming up: planned ones, and cancelled ones marked as such (without the reason).
        engagement.upcoming = [
            m
            for m in meetings
            if m.starts_at >= now and m.status in (MeetingStatus.PLANNED, MeetingStatus.CANCELLED)
        ][:UPCOMING_SHOWN]
        engagement.past = [
            m
            for m in reversed(meetings)
            if m.starts_at < now and m.status != MeetingStatus.CANCELLED
        ][:PAST_SHOWN]
        engagement.surveys = (
            None if engagement.is_closed else portal_section(engagement, request.user)
        )
    # The only part of a note the participant sees: a finalized note's summary, if written.
    participant_summaries_attach(m for e in engagements for m in e.past)
    concerns = concerns_raised_by(request.user, request.organization)[:10]
    participant = _own_participant(request, missing_ok=True)
    plan = plan_for(participant.pk) if participant else None
    # What's next, on top: the current support (the newest open engagement), its next
    # meeting, its supporter and how to reach them within what was agreed.
    current = next((e for e in engagements if not e.is_closed), None)
    context = {
        "engagements": engagements,
        "concerns": concerns,
        "participant": participant,
        "emergency_plan": plan,
        "current": current,
        "next_meeting": selectors.next_meeting(engagements),
        "organization": request.organization,
    }
    if current is not None:
        context["reach"] = selectors.reach(getattr(current, "team_plan", None))
        context["to_sign"] = selectors.documents_to_sign(current)
        context["exit_survey"] = current.state == State.EXITING and any(
            s["slug"] == EXIT_SURVEY for s in current.surveys["to_fill"]
        )
    read_record(request, "portal", {e.participant_id for e in engagements})
    return render(request, "portal/home.html", context)


def _own_participant(request, missing_ok: bool = False) -> Participant | None:
    """The participant record of the person signed in, in this organization."""
    participant = selectors.own_participant(request.user, request.organization)
    if participant is None and not missing_ok:
        raise Http404
    return participant


@require_GET
@capability_required(Cap.PORTAL_VIEW)
def emergency_plan(request):
    participant = _own_participant(request)
    return plan_views.plan_page(
        request,
        participant,
        edit_url=reverse("portal:emergency_plan_edit"),
        back_url=reverse("portal:home"),
        back_label=_("My support"),
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.PORTAL_VIEW)
def emergency_plan_edit(request):
    participant = _own_participant(request)
    return plan_views.plan_edit_page(
        request,
        participant,
        back_url=reverse("portal:emergency_plan"),
        title=_("My emergency plan"),
    )


@require_GET
@capability_required(Cap.PORTAL_VIEW)
def access_history(request):
    """Who opened my record and when: the staff role (the name where the organization
    shows names), and the stated reason of an emergency access."""
    participant = _own_participant(request)
    page = selectors.openings_page(
        participant,
        request.GET.get("page"),
        shows_names=request.organization.access_history_shows_names,
    )
    read_record(request, "portal access history", [participant.pk])
    return render(
        request,
        "portal/access_history.html",
        {"page": page, "shows_names": request.organization.access_history_shows_names},
    )


@require_http_methods(["GET", "POST"])
@capability_required(Cap.PORTAL_VIEW)
def goal_check_in(request, pk: int):
    """My own check-in on one of my goals: how far along it feels, in a word or two."""
    goal = plan_selectors.own_goal(request.user, request.organization, pk)
    read_record(request, "portal goal check-in", [goal.engagement.participant_id])
    back = reverse("plans:portal_goals") + f"#goal-{goal.pk}"
    return form_page(
        request,
        PortalCheckInForm(request.POST if request.method == "POST" else None),
        save=lambda data: plan_services.check_in_by_participant(
            goal=goal, actor=request.user, **data
        ),
        title=_("How is it going with “%(goal)s”?") % {"goal": goal.statement[:80]},
        back_url=back,
        done_url=back,
        done_message=_("Thank you. Your check-in is saved and your peer supporter will see it."),
        blocked=_("This support has ended, so its goals take no more check-ins.")
        if goal.engagement.is_closed
        else "",
        submit_label=_("Save my check-in"),
    )
