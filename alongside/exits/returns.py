"""The way back: reopening support for a participant whose engagement closed.

A return is a new referral (so intake numbers and waiting times stay honest), accepted
and matched at once by the coordinator, with the same or a new supporter. The new
engagement links to the participant's latest closed one (``Engagement.previous``), so
their history is one click away. The referral says it is a return in ``source_detail``
(the Referral model has no field of its own for that).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from alongside.audit.services import event_record
from alongside.core.errors import RuleViolation
from alongside.core.permissions import supporters_of
from alongside.engagements.models import Engagement, State
from alongside.engagements.services import OPEN_STATES
from alongside.referrals.models import Source

# What a return's referral copies from the earlier one: the person's wishes.
WISHES = (
    "preferred_language",
    "language_required",
    "supporter_gender_preference",
    "gender_required",
    "meeting_place",
    "remote_ok",
    "preferred_times",
    "lived_experience_wanted",
    "contact_channel",
    "contact_notes",
)


def return_marker(engagement: Engagement) -> str:
    """The referral's ``source_detail`` for a return: how it is recognized in lists."""
    return _("Returning to support (after engagement #%(pk)s)") % {"pk": engagement.pk}


def reopen_refusal(engagement: Engagement) -> str:
    """Why support cannot be reopened from this engagement now ("" when it can)."""
    if engagement.state != State.CLOSED:
        return _("Only a closed engagement can be reopened; this one is still open.")
    if Engagement.objects.filter(
        participant_id=engagement.participant_id,
        program_id=engagement.program_id,
        state__in=OPEN_STATES,
    ).exists():
        return _("%(name)s already has an open engagement in %(program)s.") % {
            "name": engagement.participant,
            "program": engagement.program,
        }
    return ""


def support_reopen(*, engagement: Engagement, supporter, actor, needs: str = "") -> Engagement:
    """Reopen support quickly: an accepted, matched referral marked as a return, and a new
    engagement (onboarding) with ``supporter``, linked to the earlier ones. All or nothing.

    The match goes through ``match_confirm``, so a return obeys the matching rules (a
    declared conflict, capacity, the program's supporters) and the supporter is told.
    """
    from alongside.matching.services import match_confirm
    from alongside.referrals.services import referral_accept, referral_create

    refusal = reopen_refusal(engagement)
    if refusal:
        raise RuleViolation(refusal)
    if supporter is None or not (
        supporter.is_active
        and supporters_of(engagement.organization).filter(user=supporter).exists()
    ):
        raise RuleViolation(_("Choose a peer supporter of this organization."))
    earlier = engagement.referral
    wishes = {name: getattr(earlier, name) for name in WISHES} if earlier else {}
    needs = (needs or "").strip() or (
        earlier.needs if earlier else _("Support again after an earlier engagement.")
    )
    with transaction.atomic():
        referral = referral_create(
            organization=engagement.organization,
            program=engagement.program,
            actor=actor,
            participant=engagement.participant,
            source=Source.OTHER,
            source_detail=return_marker(engagement),
            needs=needs[:4000],
            **wishes,
        )
        referral = referral_accept(referral=referral, actor=actor)
        reopened = match_confirm(referral=referral, supporter=supporter, actor=actor)
        event_record(
            actor=actor,
            organization=engagement.organization,
            action="engagement.reopened",
            obj=reopened,
            data={"from": engagement.pk, "referral": referral.pk, "supporter": supporter.pk},
        )
    return reopened
