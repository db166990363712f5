"""The one way views declare what they need."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from alongside.core.permissions import Cap, has_capability


def capability_required(cap: Cap) -> Callable:
    """Sign-in first (redirect), then the capability in the active organization (403)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not has_capability(request.user, request.organization, cap):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_capability = cap
        return wrapped

    return decorator
