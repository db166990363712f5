"""Reads of exits: the engagement page's section, the closure summary, a participant's
earlier engagements (for a returning participant's referral), and scoped fetches."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from alongside.core.permissions import engagements_visible_to, get_or_404
from alongside.engagements.models import Engagement, State
from alongside.engagements.selectors import own_engagements
from alongside.exits.models import ConcludingStep, Exit
from alongside.exits.services import (
    EXIT_SURVEY,
    Step,
    checklist_is_open,
    checklist_opens_on,
    completion_missing,
    records_open,
)


def _exit_of(engagement: Engagement) -> Exit | None:
    try:
        return engagement.exit
    except Exit.DoesNotExist:
        return None


def exit_survey_responses(engagement: Engagement) -> list:
    """The engagement's exit survey responses, newest first (one query)."""
    from alongside.surveys.models import Response

    return list(
        Response.objects.filter(
            engagement=engagement, instrument_version__instrument__slug=EXIT_SURVEY
        )
        .select_related("instrument_version__instrument")
        .order_by("-started_at", "-pk")
    )


def checklist(engagement: Engagement) -> list[dict]:
    """Each step in order with its record (or None); one query."""
    rows = {
        s.step: s
        for s in ConcludingStep.objects.filter(engagement=engagement).select_related("recorded_by")
    }
    return [{"step": step, "row": rows.get(step.value)} for step in Step]


def engagement_section(
    engagement: Engagement, visible=None, today: datetime.date | None = None
) -> dict:
    """What the engagement page shows of the ending: the exit (kind, reason, step-down plan),
    the concluding checklist once it opens, what completion still needs, the exit survey,
    and the way back (earlier and later engagements). A handful of queries, fixed."""
    today = today or timezone.localdate()
    exit_ = _exit_of(engagement)
    opens_on = checklist_opens_on(engagement, exit_)
    is_open = checklist_is_open(engagement, exit_, today)
    items = checklist(engagement) if (is_open or exit_ is not None) else []
    steps = {item["step"].value: item["row"] for item in items if item["row"] is not None}
    closed = engagement.state == State.CLOSED
    open_records = [] if closed or not is_open else records_open(engagement)
    missing = (
        completion_missing(engagement, exit_, steps, open_records=open_records, today=today)
        if exit_ is not None and not exit_.is_complete
        else []
    )
    responses = exit_survey_responses(engagement) if items else []
    return {
        "exit": exit_,
        "checklist_open": is_open,
        "opens_on": opens_on,
        "items": items,
        "open_records": open_records,
        "missing": missing,
        "may_not_do": exit_ is not None and exit_.is_abrupt and not exit_.is_complete,
        "survey_done": next((r for r in responses if r.is_complete), None),
        "survey_draft": next((r for r in responses if not r.is_complete), None),
        "summary_ready": closed and exit_ is not None and exit_.is_complete,
        # Later support is listed only where the viewer may see it (``visible``).
        "returns": (
            list(visible.filter(previous=engagement).select_related("program"))
            if closed and visible is not None
            else []
        ),
    }


# The closure summary -------------------------------------------------------------------


def closure_summary(engagement: Engagement) -> dict:
    """What the participant's closure summary says: the dates of support, the goals and
    what was achieved, growth reflected on, supports and resources, how to come back."""
    from alongside.plans.models import GoalStatus

    steps = {item["step"].value: item["row"] for item in checklist(engagement)}
    goals = list(engagement.goals.order_by("created_at", "pk"))
    return {
        "engagement": engagement,
        "participant": engagement.participant,
        "organization": engagement.organization,
        "program": engagement.program,
        "supporter": engagement.supporter,
        "exit": _exit_of(engagement),
        "achieved": [g for g in goals if g.status == GoalStatus.ACHIEVED],
        "other_goals": [g for g in goals if g.status != GoalStatus.ACHIEVED],
        "growth": steps.get(Step.GROWTH_REFLECTED),
        "supports": steps.get(Step.SUPPORTS_CONNECTED),
        "way_back": steps.get(Step.WAY_BACK_EXPLAINED),
        "today": timezone.localdate(),
    }


def _with_summary(engagements: QuerySet[Engagement]) -> QuerySet[Engagement]:
    """Closed engagements whose exit was completed: those that have a closure summary."""
    return engagements.filter(state=State.CLOSED, exit__completed_at__isnull=False).select_related(
        "participant", "program", "supporter", "organization", "exit"
    )


def closed_engagement_for(user, organization, pk) -> Engagement:
    """A closed engagement with a completed exit in the user's scope, else 404."""
    return get_or_404(_with_summary(engagements_visible_to(user, organization)), pk=pk)


def own_closed_engagement(user, organization, pk) -> Engagement:
    """The signed-in participant's own closed engagement, else 404 (never another's)."""
    return get_or_404(_with_summary(own_engagements(user, organization)), pk=pk)


# The way back ----------------------------------------------------------------------------


def returning_history(user, organization, referral) -> dict | None:
    """For a referral's page: the participant's earlier engagements the viewer may see,
    newest first, each with its exit; None when the participant is new to support.

    ``reopened_from`` is the engagement support was reopened from (the new engagement's
    ``previous``), when the referral already led to one.
    """
    engagement = getattr(referral, "engagement", None) if referral.pk else None
    earlier = (
        engagements_visible_to(user, organization)
        .filter(participant_id=referral.participant_id, state=State.CLOSED)
        .select_related("program", "supporter", "exit")
        .order_by("-closed_on", "-pk")
    )
    if engagement is not None:
        earlier = earlier.exclude(pk=engagement.pk)
    earlier = list(earlier[:20])
    previous_id = engagement.previous_id if engagement is not None else None
    if not earlier and previous_id is None:
        return None
    return {
        "earlier": earlier,
        "reopened_from": next((e for e in earlier if e.pk == previous_id), None),
        "hidden_previous": previous_id is not None and all(e.pk != previous_id for e in earlier),
    }
