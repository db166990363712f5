"""Reads of assessments and goal reviews: scoped fetches, page sections, due work."""

from __future__ import annotations

import datetime

from django.db.models import Prefetch, QuerySet

from alongside.assessments.models import Assessment, AssessmentSignature
from alongside.assessments.services import ASSESSABLE_STATES, missing_to_sign, signature_state
from alongside.core.permissions import get_or_404, scoped
from alongside.engagements.models import Engagement
from alongside.engagements.services import OPEN_STATES

DUE_SOON_DAYS = 30
SECTION_ASSESSMENTS = 10
SECTION_REVIEWS = 5


def _with_signatures(queryset: QuerySet[Assessment]) -> QuerySet[Assessment]:
    return queryset.prefetch_related(
        Prefetch("signatures", queryset=AssessmentSignature.objects.order_by("signed_at", "id"))
    )


def _related(queryset: QuerySet[Assessment]) -> QuerySet[Assessment]:
    return queryset.select_related(
        "engagement__participant",
        "engagement__organization",
        "engagement__supporter",
        "engagement__program",
        "assessed_by",
    )


def assessment_get_for(user, organization, pk) -> Assessment:
    """An assessment of an engagement this user may see, else 404."""
    assessments = _with_signatures(_related(Assessment.objects.all()))
    return get_or_404(scoped(assessments, user, organization, via="engagement"), pk=pk)


def own_assessment(user, organization, pk) -> Assessment:
    """An assessment of the signed-in participant's own engagement, else 404."""
    assessments = _with_signatures(
        _related(Assessment.objects.filter(engagement__participant__user=user))
    )
    return get_or_404(scoped(assessments, user, organization, via="engagement"), pk=pk)


def with_state(assessments) -> list[Assessment]:
    """Each assessment (signatures prefetched) gets ``signed`` and ``missing_to_sign``."""
    assessments = list(assessments)
    for assessment in assessments:
        assessment.signed = signature_state(assessment)
        assessment.missing = missing_to_sign(assessment)
    return assessments


def engagement_section(engagement: Engagement) -> dict:
    """The engagement page's assessments (newest first, with who signed), the goal reviews
    and the due dates. Three queries, whatever the history's size."""
    assessments = with_state(
        _with_signatures(engagement.assessments.select_related("assessed_by"))[
            :SECTION_ASSESSMENTS
        ]
    )
    reviews = list(engagement.goal_reviews.select_related("reviewed_by")[:SECTION_REVIEWS])
    return {
        "assessments": assessments,
        "unsigned": [a for a in assessments if not a.signed["complete"]],
        "goal_reviews": reviews,
        "assessment_due_on": engagement.assessment_due_on,
        "goal_review_due_on": engagement.goal_review_due_on,
        "can_assess": engagement.state in ASSESSABLE_STATES,
    }


def portal_assessments(engagements) -> list[Assessment]:
    """The assessments of the participant's own engagements, newest first (two queries)."""
    return with_state(
        _with_signatures(
            Assessment.objects.filter(engagement__in=engagements).select_related(
                "engagement__program"
            )
        ).order_by("-assessed_on", "-id")
    )


def goal_reviews_due(
    visible_engagements: QuerySet[Engagement], today: datetime.date
) -> QuerySet[Engagement]:
    """Open engagements whose goal review is overdue or due within 30 days, soonest first.

    Pass the engagements the user may see (``engagements_visible_to``); one indexed range.
    """
    return (
        visible_engagements.filter(
            state__in=OPEN_STATES,
            goal_review_due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
        )
        .select_related("participant", "program", "supporter")
        .order_by("goal_review_due_on", "pk")
    )
