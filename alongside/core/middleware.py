"""Request-wide context: the active organization, and no caching of records."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from alongside.accounts.models import Membership
from alongside.core.permissions import remember_roles

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
    """The preferred organization if the user belongs to it, else their first one.

    One query reads all the user's memberships; the roles held in the chosen organization
    go to roles_of's cache, so permission checks in this request read Membership no more.
    """
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("organization")
        .order_by("organization__name", "organization_id")
    )
    if not memberships:
        return None
    preferred = (m for m in memberships if m.organization_id == preferred_id)
    organization = next(preferred, memberships[0]).organization
    remember_roles(
        user, organization, (m.role for m in memberships if m.organization_id == organization.pk)
    )
    return organization


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


class UserLanguageMiddleware:
    """A signed-in person sees pages in the language they chose (participants: the one in
    their details), whatever the browser asks; LocaleMiddleware decides for everyone else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = getattr(user, "preferred_language", "")
            if language in dict(settings.LANGUAGES):
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
