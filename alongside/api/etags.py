"""ETag and If-Match for records that carry a ``version`` (design.md §7).

A read answers ``ETag: "<version>"``. An update must send it back as ``If-Match``:
without it the answer is 428, with an old one 412, and nothing changes. The version is
checked again inside the service's transaction (``check_version`` under a row lock), so
two writers racing with the same ETag cannot both win: the loser's ``StaleEdit`` answers
412 too (``precondition``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.http import HttpRequest, HttpResponse
from ninja.errors import HttpError

from alongside.api.schemas import Detail
from alongside.core.errors import StaleEdit

# One entity tag of an If-Match list; weak tags (W/"3") are accepted, as proxies that
# compress answers may weaken the ETag they pass on.
_TAG = re.compile(r'(?:W/)?"(\d{1,10})"')
_LIST = re.compile(r'^\s*(?:W/)?"\d{1,10}"\s*(?:,\s*(?:W/)?"\d{1,10}"\s*)*$')

# For the OpenAPI document: the answers of a conditional update, and the headers.
PRECONDITION_ERRORS = {412: Detail, 428: Detail}
ETAG_HEADER = {
    "ETag": {
        "description": "The record's version, quoted: send it back as If-Match to change it.",
        "schema": {"type": "string", "example": '"3"'},
    }
}
IF_MATCH_PARAMETER = {
    "name": "If-Match",
    "in": "header",
    "required": True,
    "description": (
        "The ETag you read. Without it the answer is 428; if the record changed since, "
        "412, and nothing is changed."
    ),
    "schema": {"type": "string", "example": '"3"'},
}


def etag(record) -> str:
    return f'"{record.version}"'


def set_etag(response: HttpResponse, record) -> None:
    response["ETag"] = etag(record)


def openapi(*, reads: tuple[int, ...] = (200,), conditional: bool = False) -> dict:
    """``openapi_extra`` for an operation: the ETag it answers, the If-Match it needs."""
    extra: dict = {
        "responses": {status: {"headers": ETAG_HEADER} for status in reads},
    }
    if conditional:
        extra["parameters"] = [IF_MATCH_PARAMETER]
    return extra


def if_match_version(request: HttpRequest, record) -> int:
    """The version the client read, from If-Match; 428 without one, 412 if it is stale."""
    header = request.headers.get("If-Match")
    if not header or not header.strip():
        raise HttpError(
            428, f"Send If-Match with the ETag you read (now {etag(record)}) to change this."
        )
    if not _LIST.match(header):
        raise HttpError(
            412,
            f"If-Match must be the ETag you read, quoted, like {etag(record)}; "
            "'*' is not accepted.",
        )
    versions = {int(version) for version in _TAG.findall(header)}
    if record.version not in versions:
        raise stale(record)
    return record.version


class PreconditionFailed(HttpError):
    """A 412 that also sends the current ETag, so a client can re-read and compare."""

    def __init__(self, message: str, current_etag: str) -> None:
        super().__init__(412, message)
        self.etag = current_etag


def stale(record, current_version: int | None = None) -> HttpError:
    now = f'"{current_version}"' if current_version is not None else etag(record)
    return PreconditionFailed(
        f"Someone changed this {record._meta.verbose_name} since you read it (now "
        f"{now}). Read it again, then make your change.",
        now,
    )


@contextmanager
def precondition(record) -> Iterator[None]:
    """Answer 412 when the service finds, under its lock, that the record changed meanwhile."""
    try:
        yield
    except StaleEdit:
        current = (
            type(record)._default_manager.filter(pk=record.pk).values_list("version", flat=True)
        ).first()
        raise stale(record, current) from None
