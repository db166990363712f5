"""Every error answers JSON ``{"detail": "…"}`` with a 4xx status (design.md §7)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as ModelValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as InputValidationError

from alongside.api.schemas import MAX_INTEGER
from alongside.core.errors import RuleViolation

NOT_JSON = "The body is not valid JSON: send a JSON object with Content-Type: application/json."
UNKNOWN_PARAMETER = (
    "Unknown query parameter: leave it out (the OpenAPI document lists the parameters taken)."
)
TWICE = "Given more than once: give it once."


class JsonErrorsAPI(NinjaAPI):
    """A NinjaAPI whose unknown paths and wrong methods also answer ``{"detail": …}``."""

    def get_openapi_schema(self, *args, **kwargs):
        """The document, with the 400 every operation taking a body may answer (a body
        that is not JSON is refused before any schema is looked at)."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if "requestBody" in operation:
                    operation["responses"].setdefault(
                        400,
                        {
                            "description": "Bad Request",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Detail"}
                                }
                            },
                        },
                    )
        return schema

    @property
    def urls(self) -> tuple[list, str, str]:
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            pattern.callback = _json_fallbacks(pattern.callback)
        patterns.append(path("<path:rest>", _unknown_path))
        return patterns, app_name, namespace


def _json_fallbacks(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Turn ninja's plain-text 405 and the root's Http404 into JSON."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return _unknown_path(request)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            return JsonResponse(
                {"detail": f"Use {allowed}."}, status=405, headers={"Allow": allowed}
            )
        return response

    return wrapped


@csrf_exempt  # it changes nothing; CSRF middleware would answer an HTML 403 first
def _unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    return JsonResponse({"detail": "Not found."}, status=404)


def _query_names(operation) -> tuple[frozenset[str], frozenset[str]]:
    """The query parameters an operation takes, by the names they have on the wire, and
    those of them that take a list (given more than once)."""
    names: set[str] = set()
    lists: set[str] = set()
    for model in operation.models:
        if getattr(model, "__ninja_param_source__", None) != "query":
            continue
        flatten_map = getattr(model, "__ninja_flatten_map__", None)
        if flatten_map:
            names.update(flatten_map)
        else:
            names.update(field.alias or name for name, field in model.model_fields.items())
        lists.update(getattr(model, "__ninja_collection_fields__", ()))
    return frozenset(names), frozenset(lists)


def check_parameters(view_func: Callable) -> Callable:
    """Refuse (422, naming it) a query parameter the operation does not take, or one given
    twice that takes one value: ninja drops the first in silence (extra="forbid" is not
    applied to query parameters) and keeps the last, so a misspelt or doubled filter would
    list as if it had filtered. A path id beyond the database's integers answers 404, as
    any id of no record does. Installed for every operation by ``register``; runs after
    authentication and the operation's own validation."""
    known: tuple[frozenset[str], frozenset[str]] | None = None

    @wraps(view_func)
    def wrapped(request: HttpRequest, *args, **kwargs):
        nonlocal known
        if known is None:
            known = _query_names(view_func._ninja_operation)
        names, lists = known
        problems = [
            {"loc": ("query", name), "msg": UNKNOWN_PARAMETER}
            for name in sorted(set(request.GET) - names)
        ] + [
            {"loc": ("query", name), "msg": TWICE}
            for name in sorted(names - lists)
            if len(request.GET.getlist(name)) > 1
        ]
        if problems:
            raise InputValidationError(problems)
        if any(isinstance(value, int) and abs(value) > MAX_INTEGER for value in kwargs.values()):
            raise Http404
        return view_func(request, *args, **kwargs)

    return wrapped


def _where(loc: list | tuple) -> str:
    # ("body", "payload", "needs") → "needs"; the parameter-model name says nothing useful.
    parts = [str(part) for part in loc if part not in ("body", "query", "path")]
    return ".".join(parts[1:] if len(parts) > 1 else parts)


def _message(error: dict) -> str:
    if error.get("type") == "extra_forbidden":
        # pydantic says "Extra inputs are not permitted"; say what to do about it.
        return "Unknown field: leave it out (the OpenAPI document lists the fields taken)."
    return str(error.get("msg", ""))


def register(api: NinjaAPI) -> None:
    """Install the handlers that turn exceptions into ``{"detail": …}`` answers, and the
    refusal of unknown query parameters."""
    api.add_decorator(check_parameters, mode="operation")

    def answer(request: HttpRequest, status: int, **body) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(InputValidationError)
    def invalid_input(request: HttpRequest, exc: InputValidationError) -> HttpResponse:
        errors = [
            {"loc": list(error.get("loc", ())), "msg": _message(error)} for error in exc.errors
        ]
        lines = [f"{_where(e['loc'])}: {e['msg']}" if e["loc"] else e["msg"] for e in errors]
        return answer(request, 422, detail="; ".join(lines) or "Invalid input.", errors=errors)

    @api.exception_handler(ModelValidationError)
    def invalid_record(request: HttpRequest, exc: ModelValidationError) -> HttpResponse:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        lines = [
            f"{field}: {' '.join(msgs)}" if field else " ".join(msgs)
            for field, msgs in errors.items()
        ]
        return answer(request, 422, detail="; ".join(lines), errors=errors)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        message = exc.message
        if message == "Unauthorized":  # ninja's own, raised when no credentials came at all
            message = "Sign in: send Authorization: Bearer <token> (from POST /api/v1/auth/token)."
        response = answer(request, 401, detail=message)
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        detail = str(exc)
        if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
            detail = NOT_JSON
        response = answer(request, exc.status_code, detail=detail)
        if getattr(exc, "etag", None):
            response["ETag"] = exc.etag  # a 412: the version the client should read now
        return response

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return answer(request, 403, detail=str(exc) or "You may not do that.")

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        # The same answer for "does not exist" and "not yours": existence is not revealed.
        return answer(request, 404, detail="Not found.")

    @api.exception_handler(RuleViolation)
    def refused(request: HttpRequest, exc: RuleViolation) -> HttpResponse:
        return answer(request, 409, detail=exc.message, missing=[str(m) for m in exc.missing])
