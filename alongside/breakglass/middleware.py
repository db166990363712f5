"""Emergency access is read-only and bound to the session that opened it.

A grant made (or resumed) in a session is held in that session: participant id → until
when, and the reason the access log carries. Only GET and HEAD requests of a session
holding an unexpired grant see through it (core.permissions.emergency_reads); the grant
itself is still checked in the database by the scope's subquery, so the session only ever
narrows access. Every other request runs exactly as without this app: no extra query.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from alongside.audit.services import pending_reads
from alongside.core.permissions import emergency_reads

SESSION_KEY = "alongside_emergency_access"
READ_METHODS = {"GET", "HEAD"}


def hold(request: HttpRequest, grants: Iterable) -> None:
    """Let this session read through these (active) grants until they end."""
    held = dict(request.session.get(SESSION_KEY, {}))
    for grant in grants:
        held[str(grant.participant_id)] = [grant.expires_at.isoformat(), grant.log_reason]
    request.session[SESSION_KEY] = held


def held(request: HttpRequest, now: datetime.datetime | None = None) -> dict[int, str]:
    """Participant id → log reason of the grants this session holds that have not ended;
    ended ones are dropped from the session."""
    session = getattr(request, "session", None)
    if session is None or SESSION_KEY not in session:
        return {}
    now = now or timezone.now()
    stored = session[SESSION_KEY]
    live = {
        pk: value
        for pk, value in stored.items()
        if datetime.datetime.fromisoformat(value[0]) > now
    }
    if len(live) != len(stored):
        if live:
            session[SESSION_KEY] = live
        else:
            del session[SESSION_KEY]
    return {int(pk): value[1] for pk, value in live.items()}


class EmergencyReadsMiddleware:
    """Open emergency reads for GET/HEAD of a session holding a grant; after the view,
    give the request's access-log row the reason of the grants it read through. Sits
    after audit's AccessLogMiddleware, which writes that row."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in READ_METHODS:
            return self.get_response(request)
        if held(request):
            with emergency_reads():
                response = self.get_response(request)
        else:
            response = self.get_response(request)
        reads = pending_reads(request)
        if reads and reads["ids"]:
            # Asked again after the view: the grant page resumes a grant in a new session.
            reasons = held(request)
            used = [reasons[pk] for pk in sorted(reads["ids"]) if pk in reasons]
            if used:
                reads["reason"] = "; ".join(dict.fromkeys(used))[:200]
        return response
