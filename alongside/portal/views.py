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
from alongside.emergencyplans import views as plan_views
from alongside.emergencyplans.selectors import plan_for
from alongside.engagements.selectors import own_engagements
from alongside.meetings.models import Meeting, MeetingStatus
from alongside.meetings.notes import participant_summaries_attach
from alongside.participants.models import Participant
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
    read_record(request, "portal", {e.participant_id for e in engagements})
    return render(
        request,
        "portal/home.html",
        {
            "engagements": engagements,
            "concerns": concerns,
            "participant": participant,
            "emergency_plan": plan,
        },
    )


def _own_participant(request, missing_ok: bool = False) -> Participant | None:
    """The participant record of the person signed in, in this organization."""
    participant = Participant.objects.filter(
        user=request.user, organization=request.organization
    ).first()
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
