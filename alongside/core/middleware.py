"""Request-wide context: the active organization, and no caching of records."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from alongside.accounts.models import Membership

SESSION_ORGANIZATION_KEY = "alongside_organization_id"


class OrganizationMiddleware:
    """Set ``request.organization`` to the organization the user works in now."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.organization = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            request.organization = organization_for(
                user, request.session.get(SESSION_ORGANIZATION_KEY)
            )
        return self.get_response(request)


def organization_for(user, preferred_id: int | None):
    """The preferred organization if the user belongs to it, else their first one."""
    memberships = Membership.objects.filter(user=user).select_related("organization")
    if preferred_id is not None:
        chosen = memberships.filter(organization_id=preferred_id).first()
        if chosen is not None:
            return chosen.organization
    first = memberships.order_by("organization__name", "organization_id").first()
    return first.organization if first else None


class NoStoreMiddleware:
    """Pages for signed-in people hold records: browsers and proxies must not keep them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store"
        response.setdefault("Content-Security-Policy", _csp())
        return response


def _csp() -> str:
    from django.conf import settings

    return settings.CONTENT_SECURITY_POLICY
