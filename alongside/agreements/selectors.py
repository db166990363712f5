"""Reads of required and signed documents; scope comes from the engagement."""

from __future__ import annotations

from dataclasses import dataclass

from alongside.agreements.models import (
    DocumentRequirement,
    DocumentTemplate,
    SignedDocument,
    SignerRole,
)
from alongside.core.permissions import engagements_visible_to, get_or_404

# Who may sign for the participant; a supporter's or witness's signature is shown, not gated.
GATING_ROLES = (SignerRole.PARTICIPANT, SignerRole.GUARDIAN)


@dataclass
class ChecklistItem:
    template: DocumentTemplate
    requirement: DocumentRequirement
    signatures: list[SignedDocument]  # every signature of this template, oldest first

    @property
    def current(self):
        return self.template.current

    @property
    def satisfying(self) -> SignedDocument | None:
        """The participant's (or guardian's) signature that counts, or None."""
        for signed in reversed(self.signatures):
            if signed.role not in GATING_ROLES:
                continue
            if signed.version_id == self.template.current_id:
                return signed
            if not self.requirement.resign_on_new_version:
                return signed
        return None

    @property
    def done(self) -> bool:
        return self.satisfying is not None

    @property
    def needs_resigning(self) -> bool:
        """Signed an earlier version, and the program asks for the new one."""
        return not self.done and any(s.role in GATING_ROLES for s in self.signatures)


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
    return [item.template.title for item in checklist(engagement) if not item.done]


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
