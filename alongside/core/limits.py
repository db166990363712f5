"""One cap on the size of any request, checked before Django reads the body.

Django limits form fields (``DATA_UPLOAD_MAX_MEMORY_SIZE``) but streams uploaded files
to disk whatever their size; a view's own limit (a scan's 10 MB) only runs after the
whole upload has been read. This answers 413 at once, from the declared length, with a
page (or, for the API, JSON) saying how large a request may be.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _


def request_limit_bytes() -> int:
    return settings.ALONGSIDE_MAX_REQUEST_BYTES


class RequestSizeLimitMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django's own parsing refuses a malformed length
        limit = request_limit_bytes()
        if length > limit:
            return self._too_large(request, limit)
        return self.get_response(request)

    def _too_large(self, request, limit: int) -> HttpResponse:
        message = _(
            "What you sent is too large (at most %(mb)d MB at once). Send a smaller file, "
            "or fewer at a time."
        ) % {"mb": limit // 2**20}
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=413)
        html = render_to_string("core/too_large.html", {"message": message}, request=None)
        response = HttpResponse(html, status=413)
        response["Connection"] = "close"  # the unread body is not waited for
        return response
