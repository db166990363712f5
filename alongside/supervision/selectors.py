"""Scoped reads of the supervision log, and what each reader may see of a session."""

from __future__ import annotations

from django.db.models import QuerySet

from alongside.core.permissions import engagements_visible_to, supervision_sessions_visible_to
from alongside.supervision.models import SupervisionSession


def sessions_for(user, organization) -> QuerySet[SupervisionSession]:
    return supervision_sessions_visible_to(user, organization).select_related(
        "supervisor", "supporter"
    )


def is_party(session: SupervisionSession, user) -> bool:
    """The supervisor and the supporter of a session see all of it; admins, its metadata."""
    return user.pk in (session.supervisor_id, session.supporter_id)


def session_view(session: SupervisionSession, user, organization) -> dict:
    """What ``user`` may see of a session beyond its metadata (when, who, topics).

    The engagements discussed are clinical: each reader sees those they may see now
    (so an admin sees none, and a supporter no longer sees one reassigned to someone
    else). Notes and follow-ups are for the two of them only.
    """
    if not is_party(session, user):
        return {"party": False, "engagements": [], "follow_ups": []}
    discussed = (
        engagements_visible_to(user, organization)
        .filter(pk__in=session.engagements.values("pk"))
        .select_related("participant", "program")
        .order_by("participant__last_name", "participant__first_name", "pk")
    )
    return {
        "party": True,
        "engagements": list(discussed),
        "follow_ups": list(session.follow_ups.all()),
    }
