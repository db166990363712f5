"""Writes one access-log row per request that showed participant records."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from alongside.audit.services import access_log_write, pending_reads


class AccessLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        flush_reads(request, response)
        return response


def flush_reads(request: HttpRequest, response: HttpResponse) -> None:
    """Write the request's reads, if any were shown (not for refused requests)."""
    reads = pending_reads(request)
    if not reads or response.status_code >= 400:
        return
    user = request.user if request.user.is_authenticated else None
    access_log_write(
        organization=getattr(request, "organization", None),
        actor=user,
        method=request.method,
        path=request.get_full_path(),
        what=", ".join(dict.fromkeys(reads["what"])),
        participant_ids=reads["ids"],
        # Set by breakglass's middleware for reads through an emergency-access grant.
        reason=reads.get("reason", ""),
    )
    request.__dict__.pop("_alongside_reads", None)
