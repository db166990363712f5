"""Publishing document templates and signing them."""

from __future__ import annotations

import base64
import binascii
import datetime
import struct
import zlib
from pathlib import Path

import nh3
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.agreements.models import (
    DocumentKind,
    DocumentTemplate,
    DocumentVersion,
    SignatureMethod,
    SignedDocument,
    SignerRole,
)
from alongside.audit.services import event_record
from alongside.core.errors import RuleViolation
from alongside.engagements.services import ensure_writable

# Safe formatting only: no script, no style, no event handlers, links to web or mail.
ALLOWED_TAGS = {"p", "h2", "h3", "ul", "ol", "li", "strong", "em", "br", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_body(html: str) -> str:
    """The body as stored: only the formatting of ALLOWED_TAGS survives."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    ).strip()


def _clean_signers(signers) -> list[str]:
    roles = [role for role in SignerRole.values if role in set(signers)]
    if not roles:
        raise RuleViolation(_("Choose who signs this document (at least the participant)."))
    return roles


def document_template_create(
    *, organization, title: str, kind: str, body: str, signers, actor
) -> DocumentTemplate:
    """A new template with its first version."""
    title = title.strip()
    if DocumentTemplate.objects.filter(organization=organization, title=title).exists():
        raise RuleViolation(_("A document named “%(title)s” already exists.") % {"title": title})
    with transaction.atomic():
        template = DocumentTemplate.objects.create(
            organization=organization, title=title, kind=kind
        )
        document_version_publish(template=template, body=body, signers=signers, actor=actor)
    template.refresh_from_db()
    return template


def document_version_publish(
    *, template: DocumentTemplate, body: str, signers, actor, title: str | None = None
) -> DocumentVersion | None:
    """Publish a new version if the text, title or signers changed; None if nothing did."""
    body = sanitize_body(body)
    if not body:
        raise RuleViolation(_("Write the document's text before publishing it."))
    signers = _clean_signers(signers)
    title = (title or template.title).strip()
    with transaction.atomic():
        locked = DocumentTemplate.objects.select_for_update().get(pk=template.pk)
        current = locked.current
        if current and (current.body, current.signers, current.title) == (body, signers, title):
            return None
        version = DocumentVersion.objects.create(
            template=locked,
            number=(current.number + 1) if current else 1,
            title=title,
            body=body,
            signers=signers,
            published_at=timezone.now(),
            published_by=actor if getattr(actor, "pk", None) else None,
        )
        locked.current = version
        locked.title = title
        locked.save(update_fields=["current", "title"])
        template.current, template.title = version, title
        event_record(
            actor=actor,
            organization=locked.organization,
            action="document.published",
            obj=version,
            data={"template": locked.pk, "title": title, "number": version.number},
        )
    return version


# The starting templates: file in starting_templates/ → title, kind, who signs.
STARTING_TEMPLATES_DIR = Path(__file__).parent / "starting_templates"
STARTING_TEMPLATES = (
    ("release_of_liability.html", "Release of Liability", DocumentKind.RELEASE,
     ["participant"]),
    ("joint_participation_contract.html", "Joint Participation Contract",
     DocumentKind.AGREEMENT, ["participant", "supporter"]),
    ("on_board_policy.html", "On-Board Policy", DocumentKind.POLICY, ["participant"]),
    ("participant_privacy_and_safety.html", "Participant Privacy & Safety",
     DocumentKind.POLICY, ["participant"]),
    ("peer_support_boundaries.html", "Peer Support Boundaries", DocumentKind.AGREEMENT,
     ["participant", "supporter"]),
    ("peer_support_rules.html", "Peer Support Rules", DocumentKind.POLICY, ["participant"]),
)  # fmt: skip


def starting_templates_install(*, organization, actor=None) -> list[DocumentTemplate]:
    """Add Alongside's starting templates the organization does not have yet (by title)."""
    have = set(organization.document_templates.values_list("title", flat=True))
    made = []
    for filename, title, kind, signers in STARTING_TEMPLATES:
        if title in have:
            continue
        body = (STARTING_TEMPLATES_DIR / filename).read_text(encoding="utf-8")
        made.append(
            document_template_create(
                organization=organization,
                title=title,
                kind=kind,
                body=body,
                signers=signers,
                actor=actor,
            )
        )
    return made


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


def _normalized(name: str) -> str:
    return " ".join(name.split()).casefold()


def _record(engagement, version, role, **fields) -> SignedDocument:
    try:
        with transaction.atomic():
            signed = SignedDocument.objects.create(
                engagement=engagement, version=version, role=role, **fields
            )
    except IntegrityError:
        raise RuleViolation(
            _("%(document)s (version %(n)d) is already signed.")
            % {"document": version.title, "n": version.number}
        ) from None
    return signed


def _check_version(engagement, version: DocumentVersion, role: str) -> None:
    ensure_writable(engagement)
    if version.template.organization_id != engagement.organization_id:
        raise RuleViolation(_("Choose a document of this organization."))
    if role not in SignerRole.values:
        raise RuleViolation(_("Choose who signed."))
    if SignedDocument.objects.filter(engagement=engagement, version=version, role=role).exists():
        raise RuleViolation(
            _("%(document)s (version %(n)d) is already signed.")
            % {"document": version.title, "n": version.number}
        )


_THE_ACTOR = object()  # document_sign's default signer: whoever is signing


def document_sign(
    *,
    engagement,
    version: DocumentVersion,
    shown_hash: str,
    typed_name: str,
    actor,
    method: str = SignatureMethod.PORTAL,
    role: str = SignerRole.PARTICIPANT,
    ip: str | None = None,
    user_agent: str = "",
    signer=_THE_ACTOR,
    signature_png: bytes = b"",
) -> SignedDocument:
    """The participant signs the version they were shown (its hash proves which text).

    ``signer`` is the signing user when it is not the actor (in person: the participant's
    user if they confirmed with their own password, else None); ``signature_png`` is a
    drawn signature, checked again here whoever decoded it.
    """
    if signature_png:
        signature_png_check(signature_png)
    with transaction.atomic():
        return _document_sign(
            engagement=engagement,
            version=version,
            shown_hash=shown_hash,
            typed_name=typed_name,
            actor=actor,
            method=method,
            role=role,
            ip=ip,
            user_agent=user_agent,
            signer=actor if signer is _THE_ACTOR else signer,
            signature_png=signature_png,
        )


def _document_sign(
    *,
    engagement,
    version,
    shown_hash,
    typed_name,
    actor,
    method,
    role,
    ip,
    user_agent,
    signer,
    signature_png,
) -> SignedDocument:
    _check_version(engagement, version, role)
    # Read from the database under a lock: publishing a new version waits, or we see it.
    current_id = (
        DocumentTemplate.objects.select_for_update()
        .values_list("current_id", flat=True)
        .get(pk=version.template_id)
    )
    if current_id != version.pk:
        raise RuleViolation(
            _("A new version of %(document)s has been published; read it, then sign.")
            % {"document": version.template.title}
        )
    if shown_hash != version.sha256:
        raise RuleViolation(
            _("The document you signed does not match the published text. Open it again.")
        )
    participant = engagement.participant
    names = {
        _normalized(f"{participant.first_name} {participant.last_name}"),
        _normalized(participant.display_name),
    }
    if role == SignerRole.PARTICIPANT and _normalized(typed_name) not in names:
        raise RuleViolation(
            _("Type your full name as the program has it: %(name)s.")
            % {"name": f"{participant.first_name} {participant.last_name}".strip()}
        )
    with transaction.atomic():
        signed = _record(
            engagement,
            version,
            role,
            signer=signer,
            signer_name=" ".join(typed_name.split()),
            method=method,
            signed_at=timezone.now(),
            ip=ip,
            user_agent=user_agent[:500],
            sha256=version.sha256,
            recorded_by=actor,
            signature_png=signature_png,
        )
        event_record(
            actor=actor,
            organization=engagement.organization,
            action="document.signed",
            obj=signed,
            data={
                "engagement": engagement.pk,
                "title": version.title,
                "number": version.number,
                "method": method,
                "drawn": bool(signature_png),
                "identity": (
                    "signer's password" if signer is not None else "attested by the recorder"
                ),
            },
        )
    return signed


def document_record_paper(
    *,
    engagement,
    version: DocumentVersion,
    signer_name: str,
    signed_on: datetime.date,
    actor,
    role: str = SignerRole.PARTICIPANT,
) -> SignedDocument:
    """Staff record a document signed on paper (printed from this version)."""
    _check_version(engagement, version, role)
    if signed_on > timezone.localdate():
        raise RuleViolation(_("The signing date cannot be in the future."))
    signer_name = " ".join(signer_name.split())
    if not signer_name:
        raise RuleViolation(_("Write the name of the person who signed."))
    noon = datetime.datetime.combine(signed_on, datetime.time(12))
    with transaction.atomic():
        signed = _record(
            engagement,
            version,
            role,
            signer_name=signer_name,
            method=SignatureMethod.PAPER,
            signed_at=timezone.make_aware(noon),
            sha256=version.sha256,
            recorded_by=actor,
        )
        event_record(
            actor=actor,
            organization=engagement.organization,
            action="document.recorded",
            obj=signed,
            data={"engagement": engagement.pk, "title": version.title, "number": version.number},
        )
    return signed
