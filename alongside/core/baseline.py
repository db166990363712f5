"""A bare view doing one query: the load test's yardstick for the caseload page.

Registered only when ``ALONGSIDE_LOADTEST_BASELINE`` is on (the load test sets it), so a
normal deployment has no such URL. It goes through the same middleware as every page;
what is left is the cost of a page's own queries and template.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from alongside.organizations.models import Organization


def baseline(request: HttpRequest) -> HttpResponse:
    """One query, a few bytes: the most the server can answer through Django."""
    name = Organization.objects.order_by("pk").values_list("name", flat=True).first()
    return HttpResponse(name or "", content_type="text/plain; charset=utf-8")


urlpatterns = [path("loadtest/baseline/", baseline, name="loadtest_baseline")]
