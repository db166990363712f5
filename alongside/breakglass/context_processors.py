"""Every page of a session holding an emergency-access grant says so (read-only, until
when), so a coordinator never takes a grant for their own scope."""

import datetime

from alongside.breakglass.middleware import SESSION_KEY, held


def emergency_access(request) -> dict:
    """When the session's soonest grant ends, or nothing; read from the session only."""
    session = getattr(request, "session", None)
    if session is None or SESSION_KEY not in session or not held(request):
        return {}
    ends = [datetime.datetime.fromisoformat(value[0]) for value in session[SESSION_KEY].values()]
    return {"emergency_access_until": min(ends)}
