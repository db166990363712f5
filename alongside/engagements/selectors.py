"""Scoped reads of engagements: caseloads, counts, due work, one engagement."""

from __future__ import annotations

import datetime

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy

from alongside.assessments.selectors import goal_reviews_due
from alongside.core.permissions import engagements_visible_to, get_or_404
from alongside.engagements.models import Engagement, GuidelineExtension, State
from alongside.engagements.services import OPEN_STATES
from alongside.meetings.models import Meeting, MeetingStatus
from alongside.teamplans.selectors import reviews_due

# How far ahead due work shows, and when "approaching end" starts.
DUE_SOON_DAYS = 30
APPROACHING_END_DAYS = 14
# The states in which the duration guideline is watched: an exit under way is already
# the concluding conversation, and a closed engagement has ended.
GUIDELINE_STATES = [s for s in OPEN_STATES if s != State.EXITING]
# The caseload's guideline filter: its value and what it keeps.
GUIDELINE_FILTERS = {
    "ending": _lazy("Approaching end or past guideline"),
    "past": _lazy("Past guideline"),
}


def extension_count() -> Coalesce:
    """How many times each engagement's guideline was extended, as one correlated count."""
    counted = (
        GuidelineExtension.objects.filter(engagement=OuterRef("pk"))
        .order_by()
        .values("engagement")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def engagement_list(
    user,
    organization,
    *,
    state: str | None = None,
    guideline: str | None = None,
    today: datetime.date | None = None,
) -> QuerySet[Engagement]:
    """Visible engagements with what a caseload row shows, open ones unless a state is asked.

    ``guideline="ending"`` keeps those approaching the end of their duration guideline or
    past it, ``"past"`` only those past it (one indexed range on state, guideline_ends_on).
    """
    queryset = engagements_visible_to(user, organization)
    queryset = queryset.filter(state=state) if state else queryset.filter(state__in=OPEN_STATES)
    if guideline in GUIDELINE_FILTERS:
        today = today or timezone.localdate()
        last_day = (
            today - datetime.timedelta(days=1)
            if guideline == "past"
            else today + datetime.timedelta(days=APPROACHING_END_DAYS)
        )
        queryset = queryset.filter(state__in=GUIDELINE_STATES, guideline_ends_on__lte=last_day)
    last_meeting = (
        Meeting.objects.filter(engagement=OuterRef("pk"), status=MeetingStatus.HELD)
        .order_by("-starts_at")
        .values("starts_at")[:1]
    )
    return (
        queryset.select_related("participant", "program", "supporter")
        .annotate(last_met_at=Subquery(last_meeting), extensions=extension_count())
        .order_by("participant__last_name", "participant__first_name", "pk")
    )


def state_counts(user, organization) -> list[dict]:
    """Per state, in lifecycle order: value, label and how many engagements are in it."""
    rows = (
        engagements_visible_to(user, organization)
        .order_by()
        .values("state")
        .annotate(n=Count("id"))
    )
    counts = {row["state"]: row["n"] for row in rows}
    return [
        {"state": state.value, "label": state.label, "count": counts.get(state.value, 0)}
        for state in State
    ]


def due_work(user, organization, *, today: datetime.date | None = None, limit: int = 10) -> dict:
    """Assessments and team plan reviews due soon or overdue; engagements near their end."""
    today = today or timezone.localdate()
    visible = engagements_visible_to(user, organization).select_related(
        "participant", "program", "supporter"
    )
    assessments = visible.filter(
        state__in=[State.ACTIVE, State.EXITING],
        assessment_due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
    ).order_by("assessment_due_on", "pk")
    endings = visible.filter(
        state__in=GUIDELINE_STATES,
        guideline_ends_on__lte=today + datetime.timedelta(days=APPROACHING_END_DAYS),
    ).order_by("guideline_ends_on", "pk")
    team_plans = reviews_due(visible, today)
    goal_reviews = goal_reviews_due(visible, today)
    return {
        "assessments": list(assessments[:limit]),
        "assessments_count": assessments.count(),
        "endings": list(endings[:limit]),
        "endings_count": endings.count(),
        # Yearly team plan reviews due within 30 days or overdue, or never written after
        # onboarding; each row carries ``team_plan_due_on`` (None when there is no worksheet).
        "team_plans": list(team_plans[:limit]),
        "team_plans_count": team_plans.count(),
        # Periodic goal reviews between assessments, by the program's interval.
        "goal_reviews": list(goal_reviews[:limit]),
        "goal_reviews_count": goal_reviews.count(),
        "today": today,
    }


def guideline_flag(engagement: Engagement, today: datetime.date | None = None) -> str:
    """Where the engagement stands against its program's duration guideline.

    "past" once the end has gone by; "approaching" within APPROACHING_END_DAYS of it;
    "concluding" once the concluding checklist has opened (the program's days before the
    end) but the end is further off; "" otherwise, for open-ended support, and once an
    exit is under way or the engagement is closed.
    """
    end = engagement.guideline_ends_on
    if end is None or engagement.state not in GUIDELINE_STATES:
        return ""
    today = today or timezone.localdate()
    if end < today:
        return "past"
    if end <= today + datetime.timedelta(days=APPROACHING_END_DAYS):
        return "approaching"
    if today >= concluding_opens_on(engagement):
        return "concluding"
    return ""


def concluding_opens_on(engagement: Engagement) -> datetime.date | None:
    """When the concluding checklist opens: the program's days before the guideline ends.

    None for open-ended support; the checklist then opens when the exit starts.
    """
    end = engagement.guideline_ends_on
    if end is None:
        return None
    return end - datetime.timedelta(days=engagement.program.concluding_checklist_days)


def extensions_of(engagement: Engagement) -> list[GuidelineExtension]:
    """The engagement's guideline extensions, oldest first, with who made them."""
    return list(engagement.guideline_extensions.select_related("actor"))


def engagement_get_for(user, organization, pk) -> Engagement:
    return get_or_404(
        engagements_visible_to(user, organization).select_related(
            "participant", "program", "supporter", "organization", "exit", "previous"
        ),
        pk=pk,
    )


def own_engagements(user, organization) -> QuerySet[Engagement]:
    """The signed-in participant's own engagements, within what their roles let them see."""
    return engagements_visible_to(user, organization).filter(participant__user=user)


def closed_notice(engagement: Engagement) -> str:
    """Why a form for this engagement cannot be used, or ""."""
    from django.utils.translation import gettext as _

    if engagement.is_closed:
        return _("This engagement is closed; its record can no longer be changed.")
    return ""
