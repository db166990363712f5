"""Referrals and supporters for the matching tests, built on the ``world`` personas."""

from __future__ import annotations

from alongside.accounts.models import PeerSupporterProfile, Role
from alongside.participants.models import Participant
from alongside.referrals.models import Referral, Source, Status
from conftest import grant, make_user


def referral(world, *, first_name="Robin", last_name="Vale", status=Status.ACCEPTED, **fields):
    """An accepted referral for a new participant of Riverbend (Community Peer Support)."""
    participant = fields.pop("participant", None) or Participant.objects.create(
        organization=world.org, first_name=first_name, last_name=last_name
    )
    fields.setdefault("program", world.program)
    fields.setdefault("preferred_language", "en")
    return Referral.objects.create(
        organization=world.org,
        participant=participant,
        source=Source.CLINIC,
        needs="Someone who has been there.",
        status=status,
        received_by=world.coordinator,
        **fields,
    )


def supporter(world, first_name: str, *, programs=None, **profile) -> PeerSupporterProfile:
    """Another peer supporter of Riverbend, in Community Peer Support unless told."""
    user = make_user(first_name.lower(), first_name)
    grant(user, world.org, Role.SUPPORTER)
    created = PeerSupporterProfile.objects.create(user=user, organization=world.org, **profile)
    created.programs.set(programs if programs is not None else [world.program])
    return created


def by_name(suggestions) -> dict:
    return {s.profile.user.first_name: s for s in suggestions}
