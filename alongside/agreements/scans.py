"""Scans of documents signed on paper: PDF, PNG or JPEG, at most ``SCAN_MAX_BYTES``.

The type is read from the file's own bytes, not from its name or the browser's word:
a PDF must start with ``%PDF-`` and end with ``%%EOF``; an image must be one Pillow
opens and verifies as PNG or JPEG. Anything else is refused and nothing is stored.
"""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext as _

from alongside.core.errors import RuleViolation

SCAN_MAX_BYTES = 10 * 1024 * 1024
# Extension → the content type its bytes must show.
SCAN_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
PILLOW_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}


def _sniffed(upload) -> str:
    """The content type the bytes show, or "" if they are not a PDF, PNG or JPEG."""
    upload.seek(0)
    head = upload.read(5)
    if head == b"%PDF-":
        upload.seek(max(0, upload.size - 1024))
        tail = upload.read()
        upload.seek(0)
        return "application/pdf" if b"%%EOF" in tail else ""
    from PIL import Image, UnidentifiedImageError

    upload.seek(0)
    try:
        with Image.open(upload) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return ""
    finally:
        upload.seek(0)
    return PILLOW_TYPES.get(kind, "")


def scan_check(upload) -> str:
    """The scan's content type; refused unless its size, name and bytes all agree."""
    allowed = ", ".join(sorted({ext.lstrip(".").upper() for ext in SCAN_TYPES}))
    if upload.size > SCAN_MAX_BYTES:
        raise RuleViolation(
            _("The scan is too large (at most %(mb)d MB).") % {"mb": SCAN_MAX_BYTES // 2**20}
        )
    if upload.size == 0:
        raise RuleViolation(_("The scan is empty."))
    expected = SCAN_TYPES.get(Path(upload.name or "").suffix.lower())
    if expected is None:
        raise RuleViolation(_("Attach the scan as %(types)s.") % {"types": allowed})
    if _sniffed(upload) != expected:
        raise RuleViolation(
            _("The scan is not a readable %(type)s file. Attach it as %(types)s.")
            % {"type": Path(upload.name).suffix.lstrip(".").upper(), "types": allowed}
        )
    return expected
