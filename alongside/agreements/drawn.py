"""A signature drawn on the team's device: a small, well-formed PNG, or nothing."""

from __future__ import annotations

import base64
import binascii
import struct
import zlib

from django.utils.translation import gettext as _

from alongside.core.errors import RuleViolation

# A drawn signature: a PNG as a data: URL, small, with a sane IHDR.
SIGNATURE_DATA_URL_PREFIX = "data:image/png;base64,"
SIGNATURE_MAX_BYTES = 200 * 1024
SIGNATURE_MAX_WIDTH, SIGNATURE_MAX_HEIGHT = 2400, 1200
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_IEND = b"\x00\x00\x00\x00IEND\xaeB`\x82"
# PNG colour type → the bit depths it allows.
PNG_BIT_DEPTHS = {0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}


def signature_png_check(data: bytes) -> None:
    """Refuse anything but a small, well-formed PNG of sane dimensions."""
    unreadable = RuleViolation(
        _("The drawn signature is not a readable PNG image. Draw it again.")
    )
    if len(data) > SIGNATURE_MAX_BYTES:
        raise RuleViolation(
            _("The drawn signature is too large (at most %(kb)d KB). Clear it and draw again.")
            % {"kb": SIGNATURE_MAX_BYTES // 1024}
        )
    # Signature, then IHDR first (length 13, checked CRC), and IEND last.
    if len(data) < 8 + 25 + 12 or not data.startswith(PNG_SIGNATURE):
        raise unreadable
    length, kind = struct.unpack(">I4s", data[8:16])
    ihdr = data[16:29]
    (crc,) = struct.unpack(">I", data[29:33])
    if length != 13 or kind != b"IHDR" or zlib.crc32(kind + ihdr) != crc:
        raise unreadable
    if not data.endswith(PNG_IEND):
        raise unreadable
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(
        ">IIBBBBB", ihdr
    )
    if depth not in PNG_BIT_DEPTHS.get(colour, ()) or (compression, filtering) != (0, 0):
        raise unreadable
    if interlace not in (0, 1):
        raise unreadable
    if not (1 <= width <= SIGNATURE_MAX_WIDTH and 1 <= height <= SIGNATURE_MAX_HEIGHT):
        raise RuleViolation(
            _("The drawn signature has odd dimensions (%(w)d × %(h)d). Draw it again.")
            % {"w": width, "h": height}
        )


def signature_png_decode(data_url: str) -> bytes:
    """The PNG bytes of a drawn signature sent as a data: URL; b"" if nothing was drawn."""
    data_url = (data_url or "").strip()
    if not data_url:
        return b""
    if not data_url.startswith(SIGNATURE_DATA_URL_PREFIX):
        raise RuleViolation(_("The drawn signature must be a PNG image. Draw it again."))
    encoded = data_url[len(SIGNATURE_DATA_URL_PREFIX) :]
    # Base64 makes 4 characters of 3 bytes: refuse before decoding anything too big.
    if len(encoded) > (SIGNATURE_MAX_BYTES + 2) // 3 * 4:
        raise RuleViolation(
            _("The drawn signature is too large (at most %(kb)d KB). Clear it and draw again.")
            % {"kb": SIGNATURE_MAX_BYTES // 1024}
        )
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise RuleViolation(
            _("The drawn signature is not a readable PNG image. Draw it again.")
        ) from None
    signature_png_check(data)
    return data
