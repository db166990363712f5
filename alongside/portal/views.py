"""The participant's own view of their support."""

from django.db.models import Prefetch
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from alongside.audit.services import read_record
from alongside.concerns.models import Concern
from alongside.core.decorators import capability_required
from alongside.core.permissions import Cap, engagements_visible_to
from alongside.meetings.models import Meeting, MeetingStatus


@require_GET
@capability_required(Cap.PORTAL_VIEW)
def portal_home(request):
    engagements = list(
        engagements_visible_to(request.user, request.organization)
        .filter(participant__user=request.user)
        .select_related("program", "supporter", "participant")
        .prefetch_related(
            "goals",
            Prefetch(
                "meetings",
                # Notes are the team's; the participant sees when and how they met.
                queryset=Meeting.objects.exclude(status=MeetingStatus.CANCELLED).order_by(
                    "starts_at"
                ),
            ),
        )
        .order_by("-started_on")
    )
    now = timezone.now()
    for engagement in engagements:
        meetings = list(engagement.meetings.all())
        engagement.upcoming = [m for m in meetings if m.starts_at >= now][:5]
        engagement.past = [m for m in reversed(meetings) if m.starts_at < now][:10]
    concerns = Concern.objects.filter(
        organization=request.organization, raised_by=request.user
    ).order_by("-created_at")[:10]
    read_record(request, "portal", {e.participant_id for e in engagements})
    return render(
        request,
        "portal/home.html",
        {"engagements": engagements, "concerns": concerns},
    )
