"""The instruments (surveys) in use, with what a client needs to show them.

Each comes with its current version: instructions, response scales, items (in every
language the definition has) and the headline score's range and bands. Instruments are
shared by every organization and hold no personal data: anyone with a role may list them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Router, Schema

from alongside.api.schemas import ERRORS
from alongside.core.permissions import roles_of
from alongside.surveys.selectors import instruments_in_use

router = Router(tags=["instruments"])


class InstrumentOut(Schema):
    slug: str = Field(description="The short name to send as `instrument` with a response.")
    version: int = Field(description="The current version; new responses answer it.")
    title: dict[str, str] = Field(description="Language -> text, as every text here.")
    description: dict[str, str]
    instructions: dict[str, str]
    languages: list[str]
    source: str
    licence: str
    scales: dict[str, Any] = Field(
        description='Scale name -> {"options": [{"value": n, "label": {…}}]}, in display order.'
    )
    items: list[dict[str, Any]] = Field(
        description="number, kind (choice or text), scale, text, reverse, required."
    )
    scoring: dict[str, Any] = Field(description="How the score is computed, and its range.")
    bands: list[dict[str, Any]] = Field(description="min, max (inclusive), key and label.")


SHOWN = (
    "title",
    "description",
    "instructions",
    "languages",
    "source",
    "licence",
    "scales",
    "items",
    "scoring",
    "bands",
)


class InstrumentList(Schema):
    items: list[InstrumentOut]
    count: int


@router.get("", summary="List the instruments in use", response={200: InstrumentList, **ERRORS})
def instrument_list(request: HttpRequest) -> dict:
    if not roles_of(request.user, request.organization):
        raise PermissionDenied("You have no role in an organization here.")
    items = [
        {
            "slug": instrument.slug,
            "version": instrument.current.number,
            **{name: instrument.current.definition[name] for name in SHOWN},
        }
        for instrument in instruments_in_use()
    ]
    return {"items": items, "count": len(items)}
