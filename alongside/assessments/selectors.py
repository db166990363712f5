"""What the engagement page shows of an engagement's assessments."""

from __future__ import annotations

from alongside.engagements.models import Engagement


def engagement_section(engagement: Engagement) -> dict:
    """The latest assessments, newest first."""
    return {"assessments": list(engagement.assessments.select_related("assessed_by")[:10])}
