"""ETag and If-Match for records that carry a ``version`` (design.md §7).

A read answers ``ETag: "<version>"``. An update must send it back as ``If-Match``:
without it the answer is 428, with an old one 412, and nothing changes. The version is
checked again inside the service's transaction (``check_version`` under a row lock), so
two writers racing with the same ETag cannot both win.
"""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from ninja.errors import HttpError

_TAG = re.compile(r'^\s*(?:W/)?"(\d{1,10})"\s*$')


def etag(record) -> str:
    return f'"{record.version}"'


def set_etag(response: HttpResponse, record) -> None:
    response["ETag"] = etag(record)


def if_match_version(request: HttpRequest, record) -> int:
    """The version the client read, from If-Match; 428 without one, 412 if it is stale."""
    header = request.headers.get("If-Match")
    if not header:
        raise HttpError(
            428, f"Send If-Match with the ETag you read (now {etag(record)}) to change this."
        )
    match = _TAG.match(header)
    if match is None or int(match[1]) != record.version:
        raise stale(record)
    return int(match[1])


def stale(record) -> HttpError:
    return HttpError(
        412,
        f"Someone changed this {record._meta.verbose_name} since you read it (now "
        f"{etag(record)}). Read it again, then make your change.",
    )
