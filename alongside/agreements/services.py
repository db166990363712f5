"""Publishing document templates and signing them."""

from __future__ import annotations

import datetime
from pathlib import Path

import nh3
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.agreements.drawn import signature_png_check
from alongside.agreements.fields import fields_parse, filled_clean
from alongside.agreements.models import (
    DocumentKind,
    DocumentTemplate,
    DocumentVersion,
    SignatureMethod,
    SignedDocument,
    SignerRole,
)
from alongside.agreements.scans import scan_check
from alongside.agreements.selectors import PARTICIPANT_SIDE, may_sign_as
from alongside.audit.services import event_record
from alongside.core.errors import RuleViolation
from alongside.engagements.services import ensure_writable
from alongside.engagements.signers import (
    check_participant_signs,
    check_supporter_signs,
    check_typed,
    is_participant_name,
    participant_full_name,
)

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
    *, organization, title: str, kind: str, body: str, signers, actor, fields=()
) -> DocumentTemplate:
    """A new template with its first version."""
    title = title.strip()
    if DocumentTemplate.objects.filter(organization=organization, title=title).exists():
        raise RuleViolation(_("A document named “%(title)s” already exists.") % {"title": title})
    with transaction.atomic():
        template = DocumentTemplate.objects.create(
            organization=organization, title=title, kind=kind
        )
        document_version_publish(
            template=template, body=body, signers=signers, actor=actor, fields=fields
        )
    template.refresh_from_db()
    return template


def document_version_publish(
    *,
    template: DocumentTemplate,
    body: str,
    signers,
    actor,
    title: str | None = None,
    fields=(),
) -> DocumentVersion | None:
    """Publish a new version if the text, title, signers or fields changed; else None.

    ``fields`` is a list of field dicts or the admin's lines (see ``fields_parse``).
    """
    fields = fields_parse(fields) if isinstance(fields, str) else list(fields)
    body = sanitize_body(body)
    if not body:
        raise RuleViolation(_("Write the document's text before publishing it."))
    signers = _clean_signers(signers)
    title = (title or template.title).strip()
    with transaction.atomic():
        locked = DocumentTemplate.objects.select_for_update().get(pk=template.pk)
        current = locked.current
        unchanged = (
            (current.body, current.signers, current.title, current.fields) if current else None
        )
        if unchanged == (body, signers, title, fields):
            return None
        version = DocumentVersion.objects.create(
            template=locked,
            number=(current.number + 1) if current else 1,
            title=title,
            body=body,
            signers=signers,
            fields=fields,
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
    ("participant_manual.html", "Participant Manual", DocumentKind.POLICY, ["participant"]),
    ("wellness_definitions.html", "Wellness Definitions", DocumentKind.OTHER, ["participant"]),
    ("participant_tiers.html", "Participant Tiers", DocumentKind.POLICY, ["participant"]),
    ("participant_centered_goals.html", "Participant-Centered Goals", DocumentKind.AGREEMENT,
     ["participant"]),
)  # fmt: skip
# Fields the participant's side fills in a starting template (none required: adapt them).
STARTING_FIELDS = {
    "Joint Participation Contract": (
        "What I hope to get from peer support [long]\nHow often we plan to meet"
    ),
}


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
                fields=STARTING_FIELDS.get(title, ""),
                actor=actor,
            )
        )
    return made


def _already_signed(version) -> RuleViolation:
    return RuleViolation(
        _("%(document)s (version %(n)d) is already signed.")
        % {"document": version.title, "n": version.number}
    )


def _record(engagement, version, role, *, scan=None, **fields) -> SignedDocument:
    """Save the signature (and its scan); the unique constraint refuses a second one."""
    signed = SignedDocument(engagement=engagement, version=version, role=role, **fields)
    try:
        with transaction.atomic():
            if scan:
                signed.scan.save(scan.name, scan, save=False)
            signed.save()
    except IntegrityError:
        if signed.scan:
            signed.scan.delete(save=False)
        raise _already_signed(version) from None
    return signed


def _check_version(engagement, version: DocumentVersion, role: str) -> None:
    """The engagement may take this version's signature in this role, once."""
    ensure_writable(engagement)
    if version.template.organization_id != engagement.organization_id:
        raise RuleViolation(_("Choose a document of this organization."))
    if role not in may_sign_as(version.signers):
        raise RuleViolation(
            _("%(document)s is not signed by a %(role)s. Who signs: %(signers)s.")
            % {
                "document": version.title,
                "role": str(SignerRole(role).label).lower() if role in SignerRole else role,
                "signers": ", ".join(version.signer_labels()),
            }
        )
    if SignedDocument.objects.filter(engagement=engagement, version=version, role=role).exists():
        raise _already_signed(version)


def _check_signer(engagement, role: str, typed_name: str, relationship: str, actor) -> None:
    """Who may sign in each role, and the name each must type."""
    participant = engagement.participant
    if role == SignerRole.PARTICIPANT:
        check_participant_signs(participant, typed_name)
    elif role == SignerRole.SUPPORTER:
        check_supporter_signs(engagement, actor, typed_name)
    else:
        check_typed(typed_name)
    if role in (SignerRole.GUARDIAN, SignerRole.WITNESS) and is_participant_name(
        participant, typed_name
    ):
        raise RuleViolation(
            _("A %(role)s is someone other than %(name)s: type their own name.")
            % {
                "role": str(SignerRole(role).label).lower(),
                "name": participant_full_name(participant),
            }
        )
    if role == SignerRole.GUARDIAN and not relationship.strip():
        raise RuleViolation(
            _(
                "Write the guardian's relationship or authority (for example: parent, "
                "court-appointed guardian)."
            )
        )


def _check_current(version, shown_hash: str) -> None:
    """The version is still the template's current one (read under a lock) and was shown."""
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


def _filled(version, role: str, values: dict | None) -> list[dict]:
    """The participant's side fills the version's fields; others sign what they wrote."""
    if role in PARTICIPANT_SIDE and version.fields:
        return filled_clean(version, values or {})
    return []


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
    relationship: str = "",
    values: dict | None = None,
) -> SignedDocument:
    """Someone signs the version they were shown (its hash proves which text).

    ``signer`` is the signing user when it is not the actor (in person: the participant's
    user if they confirmed with their own password, else None); ``signature_png`` is a
    drawn signature, checked again here whoever decoded it; ``values`` fill the version's
    fields (the participant's side only); ``relationship`` is a guardian's authority.
    """
    if signature_png:
        signature_png_check(signature_png)
    if method == SignatureMethod.PORTAL and role != SignerRole.PARTICIPANT:
        raise RuleViolation(_("Only the participant signs in the portal."))
    if method not in (SignatureMethod.PORTAL, SignatureMethod.IN_PERSON):
        raise RuleViolation(_("Record a paper signature with its own form."))
    with transaction.atomic():
        _check_version(engagement, version, role)
        _check_current(version, shown_hash)
        _check_signer(engagement, role, typed_name, relationship, actor)
        filled = _filled(version, role, values)
        signer = actor if signer is _THE_ACTOR else signer
        signed = _record(
            engagement,
            version,
            role,
            signer=signer,
            signer_name=" ".join(typed_name.split()),
            signer_relationship=" ".join(relationship.split()),
            method=method,
            signed_at=timezone.now(),
            ip=ip,
            user_agent=user_agent[:500],
            sha256=version.sha256,
            recorded_by=actor,
            signature_png=signature_png,
            filled=filled,
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
                "role": role,
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
    relationship: str = "",
    scan=None,
) -> SignedDocument:
    """Staff record a document signed on paper (printed from this version), with its scan.

    The fields were filled on the paper; the scan, if attached, shows them.
    """
    _check_version(engagement, version, role)
    if signed_on > timezone.localdate():
        raise RuleViolation(_("The signing date cannot be in the future."))
    signer_name = " ".join(signer_name.split())
    if not signer_name:
        raise RuleViolation(_("Write the name of the person who signed."))
    if role == SignerRole.GUARDIAN and not relationship.strip():
        raise RuleViolation(_("Write the guardian's relationship or authority."))
    scan_type = scan_check(scan) if scan else ""
    noon = datetime.datetime.combine(signed_on, datetime.time(12))
    with transaction.atomic():
        signed = _record(
            engagement,
            version,
            role,
            signer_name=signer_name,
            signer_relationship=" ".join(relationship.split()),
            method=SignatureMethod.PAPER,
            signed_at=timezone.make_aware(noon),
            sha256=version.sha256,
            recorded_by=actor,
            scan=scan,
            scan_type=scan_type,
        )
        event_record(
            actor=actor,
            organization=engagement.organization,
            action="document.recorded",
            obj=signed,
            data={
                "engagement": engagement.pk,
                "title": version.title,
                "number": version.number,
                "role": role,
                "scan": scan_type,
            },
        )
    return signed
