"""Reads of required and signed documents; scope comes from the engagement."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from alongside.agreements.models import (
    DocumentRequirement,
    DocumentTemplate,
    SignedDocument,
    SignerRole,
)
from alongside.core.permissions import engagements_visible_to, get_or_404

# The participant's side of a document: the participant, or a guardian signing for them.
PARTICIPANT_SIDE = (SignerRole.PARTICIPANT, SignerRole.GUARDIAN)


def needed_roles(signers) -> list[str]:
    """Whose signatures a version waits for: the participant's side once, then the others.

    A guardian signs in the participant's place (or beside them, for a minor), so the
    participant's side counts once; the supporter and a witness each sign for themselves.
    """
    needed = [SignerRole.PARTICIPANT] if set(signers) & set(PARTICIPANT_SIDE) else []
    return needed + [r for r in (SignerRole.SUPPORTER, SignerRole.WITNESS) if r in signers]


def may_sign_as(signers) -> list[str]:
    """The roles that may sign a version: its signers, and either side of the participant's."""
    roles = set(signers)
    if roles & set(PARTICIPANT_SIDE):
        roles |= set(PARTICIPANT_SIDE)
    return [role for role in SignerRole.values if role in roles]


@dataclass
class ChecklistItem:
    template: DocumentTemplate
    requirement: DocumentRequirement
    signatures: list[SignedDocument]  # every signature of this template, oldest first

    @property
    def current(self):
        return self.template.current

    def _counts(self, signed: SignedDocument) -> bool:
        return (
            signed.version_id == self.template.current_id
            or not self.requirement.resign_on_new_version
        )

    def signature_for(self, role: str) -> SignedDocument | None:
        """The latest signature that fills this role's place (participant: either side)."""
        roles = PARTICIPANT_SIDE if role == SignerRole.PARTICIPANT else (role,)
        for signed in reversed(self.signatures):
            if signed.role in roles and self._counts(signed):
                return signed
        return None

    @property
    def missing_roles(self) -> list[str]:
        return [r for r in needed_roles(self.current.signers) if self.signature_for(r) is None]

    @property
    def missing_role_labels(self) -> list[tuple[str, str]]:
        return [(role, SignerRole(role).label) for role in self.missing_roles]

    @property
    def satisfying(self) -> SignedDocument | None:
        """The participant's (or guardian's) signature that counts, or None."""
        return self.signature_for(SignerRole.PARTICIPANT)

    @property
    def done(self) -> bool:
        return not self.missing_roles

    @property
    def needs_resigning(self) -> bool:
        """Signed an earlier version, and the program asks for the new one."""
        return not self.done and any(
            s.version_id != self.template.current_id for s in self.signatures
        )

    @property
    def filled(self) -> list[dict]:
        """The fields as the participant's side filled them on the current version."""
        signed = self.signature_for(SignerRole.PARTICIPANT)
        return signed.filled if signed and signed.version_id == self.template.current_id else []

    @property
    def missing_label(self) -> str:
        """The document, and whose signature it lacks when someone has signed already."""
        missing = self.missing_roles
        if len(missing) == len(needed_roles(self.current.signers)):
            return self.template.title
        whose = ", ".join(str(SignerRole(role).label).lower() for role in missing)
        return _("%(document)s (still to sign: %(whose)s)") % {
            "document": self.template.title,
            "whose": whose,
        }


def checklist(engagement) -> list[ChecklistItem]:
    """The program's required documents with who signed which version when (two queries)."""
    requirements = list(
        DocumentRequirement.objects.filter(
            program_id=engagement.program_id, template__current__isnull=False
        ).select_related("template__current")
    )
    by_template: dict[int, list[SignedDocument]] = {}
    for signed in SignedDocument.objects.filter(engagement=engagement).select_related(
        "version", "recorded_by"
    ):
        by_template.setdefault(signed.version.template_id, []).append(signed)
    return [ChecklistItem(r.template, r, by_template.get(r.template_id, [])) for r in requirements]


def missing_documents(engagement) -> list[str]:
    return [item.missing_label for item in checklist(engagement) if not item.done]


def signed_documents_visible_to(user, organization):
    return SignedDocument.objects.filter(
        engagement__in=engagements_visible_to(user, organization)
    ).select_related("version__template", "engagement__participant", "recorded_by")


def signed_document_get_for(user, organization, pk) -> SignedDocument:
    return get_or_404(signed_documents_visible_to(user, organization), pk=pk)


def own_signed_document(user, organization, pk) -> SignedDocument:
    """One of the signed-in participant's own signed documents, else 404."""
    return get_or_404(
        signed_documents_visible_to(user, organization).filter(engagement__participant__user=user),
        pk=pk,
    )
