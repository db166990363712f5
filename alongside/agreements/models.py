"""Document templates a program requires, their immutable versions, and signed documents.

A template (Release of Liability, Joint Participation Contract…) belongs to an
organization; every edit publishes a new ``DocumentVersion`` and the template points at
the current one. A ``SignedDocument`` records who signed which version, when, how, and
the SHA-256 of the exact text they were shown. Versions and signatures are never edited.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from alongside.core.storage import private_storage


def scan_path(instance, filename: str) -> str:
    """A random name: the participant's name never appears in a path."""
    extension = Path(filename).suffix.lower()
    return f"signed-documents/{timezone.now():%Y/%m}/{secrets.token_hex(16)}{extension}"


class Immutable(Exception):
    """Raised when code tries to change a record that may only be created."""


class DocumentKind(models.TextChoices):
    AGREEMENT = "agreement", _("Agreement")
    POLICY = "policy", _("Policy")
    RELEASE = "release", _("Release")
    OTHER = "other", _("Other")


class SignerRole(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    SUPPORTER = "supporter", _("Peer supporter")
    GUARDIAN = "guardian", _("Guardian")
    WITNESS = "witness", _("Witness")


class SignatureMethod(models.TextChoices):
    PORTAL = "portal", _("Signed in the portal")
    IN_PERSON = "in_person", _("Signed in person on a team device")
    PAPER = "paper", _("Recorded on paper")


def document_html(title: str, body: str) -> str:
    """The exact text a signer is shown, hashed and printed: the title, then the body.

    The 0004 data migration repeats this formula; change both together or not at all.
    """
    return f"<h1>{escape(title)}</h1>\n{body}"


def document_hash(title: str, body: str) -> str:
    return hashlib.sha256(document_html(title, body).encode("utf-8")).hexdigest()


class DocumentTemplate(models.Model):
    """A document the organization uses; ``current`` is its latest published version."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="document_templates"
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=20, choices=DocumentKind.choices, default=DocumentKind.AGREEMENT
    )
    current = models.OneToOneField(
        "DocumentVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("document template")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "title"], name="document_template_unique_title"
            )
        ]

    def __str__(self) -> str:
        return self.title


class DocumentVersion(models.Model):
    """One published text of a template; immutable once saved."""

    template = models.ForeignKey(
        DocumentTemplate, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body (sanitized HTML)"))
    signers = models.JSONField(_("who signs"), default=list)
    # Blanks the participant's side fills when signing: [{"key", "label", "kind", "required"}].
    fields = models.JSONField(_("fields to fill"), default=list, blank=True)
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["template", "number"]
        verbose_name = _("document version")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "number"], name="document_version_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise Immutable("A published document version is never changed; publish a new one.")
        super().save(*args, **kwargs)

    @property
    def html(self) -> str:
        return document_html(self.title, self.body)

    @property
    def sha256(self) -> str:
        return document_hash(self.title, self.body)

    def signer_labels(self) -> list[str]:
        return [str(SignerRole(role).label) for role in self.signers if role in SignerRole]


class DocumentRequirement(models.Model):
    """A program requires this document signed before an engagement becomes active."""

    program = models.ForeignKey(
        "organizations.Program", on_delete=models.CASCADE, related_name="document_requirements"
    )
    template = models.ForeignKey(
        DocumentTemplate, on_delete=models.CASCADE, related_name="requirements"
    )
    resign_on_new_version = models.BooleanField(
        _("re-sign when a new version is published"),
        default=True,
        help_text=_("If off, a signature on any earlier version still counts."),
    )

    class Meta:
        ordering = ["template__title"]
        verbose_name = _("required document")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "template"], name="document_requirement_unique"
            )
        ]

    def __str__(self) -> str:
        return str(self.template)


class SignedDocument(models.Model):
    """Who signed which version, when and how; immutable once saved."""

    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="signed_documents"
    )
    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="+")
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signer_name = models.CharField(_("signer's name as signed"), max_length=200)
    # A guardian or representative signing for the participant: their relationship or authority.
    signer_relationship = models.CharField(
        _("relationship or authority"), max_length=200, blank=True
    )
    role = models.CharField(_("signed as"), max_length=20, choices=SignerRole.choices)
    method = models.CharField(_("how"), max_length=20, choices=SignatureMethod.choices)
    signed_at = models.DateTimeField(_("signed at"))
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=500, blank=True)
    sha256 = models.CharField(_("SHA-256 of the text signed"), max_length=64)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    # Signed in person: the PNG drawn on the team's device (checked before it is stored).
    signature_png = models.BinaryField(_("drawn signature (PNG)"), blank=True, default=b"")
    # What the participant's side wrote in the version's fields: [{"label", "value"}].
    filled = models.JSONField(_("fields as filled"), default=list, blank=True)
    # Signed on paper: the scan, in private storage, served only through a permission check.
    scan = models.FileField(
        _("scan of the paper"), storage=private_storage, upload_to=scan_path, blank=True
    )
    scan_type = models.CharField(_("scan's content type"), max_length=40, blank=True)

    class Meta:
        ordering = ["signed_at"]
        verbose_name = _("signed document")
        constraints = [
            # One signature per version and role: a replayed submission finds it taken.
            models.UniqueConstraint(
                fields=["engagement", "version", "role"], name="signed_document_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.version} signed by {self.signer_name}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise Immutable("A signed document is never changed.")
        super().save(*args, **kwargs)

    @property
    def signature_data_uri(self) -> str:
        """The drawn signature as a data: URI for the PDF, or "" if none was drawn."""
        if not self.signature_png:
            return ""
        return "data:image/png;base64," + base64.b64encode(bytes(self.signature_png)).decode()
