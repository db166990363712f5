"""What the engagement page shows of an engagement's exit."""

from __future__ import annotations

from alongside.engagements.models import Engagement


def engagement_section(engagement: Engagement) -> dict:
    """The exit, started or completed, or None."""
    return {"exit": getattr(engagement, "exit", None)}
