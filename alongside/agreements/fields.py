"""Fields to fill in a document: defined on a version, filled by the participant's side.

The admin writes one field per line: ``Label``, ``Label *`` (must be filled),
``Label [date]``, ``Label [yes/no]`` or ``Label [long]`` (several lines of text).
"""

from __future__ import annotations

import datetime
import re

from django.utils.text import slugify
from django.utils.translation import gettext as _

from alongside.core.errors import RuleViolation

FIELD_KINDS = {"text": "text", "long": "long", "date": "date", "yes/no": "yesno"}
FIELD_LINE = re.compile(r"^(?P<label>.+?)\s*(?:\[(?P<kind>[^\]]*)\])?\s*(?P<required>\*)?$")
MAX_FIELDS = 30
FIELD_MAX_LENGTH = {"text": 200, "long": 2000}


def fields_parse(text: str) -> list[dict]:
    """The fields a signer fills, from the admin's lines; a line that makes no sense is refused."""
    fields, keys = [], set()
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        match = FIELD_LINE.match(line)
        label = match["label"].strip() if match else ""
        kind = FIELD_KINDS.get((match["kind"] or "text").strip().lower()) if match else None
        if not label or kind is None or len(label) > 120 or set(label) & set("[]*"):
            raise RuleViolation(
                _(
                    "Fields, line %(n)d: write a label of up to 120 characters, then optionally "
                    "[date], [yes/no] or [long], then * if it must be filled."
                )
                % {"n": number}
            )
        key = slugify(label)[:50] or f"field-{number}"
        if key in keys:
            raise RuleViolation(
                _("Fields, line %(n)d: “%(label)s” is there twice.")
                % {"n": number, "label": label}
            )
        keys.add(key)
        fields.append(
            {"key": key, "label": label, "kind": kind, "required": bool(match["required"])}
        )
    if len(fields) > MAX_FIELDS:
        raise RuleViolation(_("A document can have at most %(n)d fields.") % {"n": MAX_FIELDS})
    return fields


def fields_text(fields: list[dict]) -> str:
    """The admin's lines for ``fields``: ``fields_parse(fields_text(f)) == f``."""
    names = {kind: name for name, kind in FIELD_KINDS.items()}
    lines = []
    for field in fields:
        kind = "" if field["kind"] == "text" else f" [{names[field['kind']]}]"
        lines.append(f"{field['label']}{kind}{' *' if field['required'] else ''}")
    return "\n".join(lines)


def filled_clean(version, values: dict) -> list[dict]:
    """The version's fields as filled, in order; refused if a required one is empty or odd.

    ``values`` maps field keys to what the signer wrote (a date, "yes"/"no", text).
    """
    filled, empty = [], []
    for field in version.fields:
        value = values.get(field["key"])
        if isinstance(value, datetime.date):
            value = value.isoformat()
        value = (
            ""
            if value is None
            else " ".join(str(value).split())
            if field["kind"] != "long"
            else str(value).strip()
        )
        if field["kind"] == "date" and value:
            try:
                datetime.date.fromisoformat(value)
            except ValueError:
                raise RuleViolation(
                    _("%(label)s: write a date.") % {"label": field["label"]}
                ) from None
        if field["kind"] == "yesno" and value not in ("", "yes", "no"):
            raise RuleViolation(_("%(label)s: answer yes or no.") % {"label": field["label"]})
        limit = FIELD_MAX_LENGTH.get(field["kind"])
        if limit and len(value) > limit:
            raise RuleViolation(
                _("%(label)s: at most %(n)d characters.") % {"label": field["label"], "n": limit}
            )
        if field["required"] and not value:
            empty.append(field["label"])
        filled.append({"label": field["label"], "value": value})
    if empty:
        raise RuleViolation(
            _("Fill in: %(fields)s.") % {"fields": ", ".join(empty)}, missing=empty
        )
    return filled
