"""For tests elsewhere: a required document signed on paper by everyone who signs it."""

from __future__ import annotations

from django.utils import timezone

from alongside.agreements.models import SignerRole
from alongside.agreements.selectors import needed_roles
from alongside.agreements.services import document_record_paper


def signed_on_paper(engagement, template, actor, *, name: str = "Robin Vale", signed_on=None):
    """The participant's side signs as ``name``; the supporter and a witness as themselves."""
    supporter = engagement.supporter
    names = {
        SignerRole.PARTICIPANT: name,
        SignerRole.SUPPORTER: supporter.get_full_name() if supporter else "Peer Supporter",
        SignerRole.WITNESS: "Wren Witness",
    }
    return [
        document_record_paper(
            engagement=engagement,
            version=template.current,
            signer_name=names[role],
            role=role,
            signed_on=signed_on or timezone.localdate(),
            actor=actor,
        )
        for role in needed_roles(template.current.signers)
    ]


def signing_form(engagement, template, user, role: str = "participant", **fields) -> dict:
    """What a signing page posts back: the version and hash shown, and its opening token."""
    from alongside.agreements.forms import opening_token

    version = template.current
    return {
        "version": version.pk,
        "document_hash": version.sha256,
        "opened": opening_token(engagement=engagement, version=version, role=role, user=user),
        **fields,
    }
