"""Giving a participant a sign-in for the portal."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils.translation import gettext as _

from alongside.accounts.models import Membership, Role, User
from alongside.audit.services import event_record
from alongside.core.errors import RuleViolation
from alongside.core.services import save_changes
from alongside.participants.models import Participant


def participant_portal_invite(
    *, participant: Participant, actor, username: str, password: str
) -> User:
    """Create the participant's own sign-in; they see only their own record with it."""
    username = username.strip()
    if participant.user_id is not None:
        raise RuleViolation(_("%(name)s already has a portal sign-in.") % {"name": participant})
    if not username:
        raise RuleViolation(_("Choose a username."))
    if User.objects.filter(username__iexact=username).exists():
        raise RuleViolation(_("That username is taken; choose another."))
    candidate = User(
        username=username,
        first_name=participant.preferred_name or participant.first_name,
        last_name=participant.last_name,
        email=participant.email,
    )
    validate_password(password, user=candidate)
    with transaction.atomic():
        candidate.set_password(password)
        if participant.preferred_language in dict(
            User._meta.get_field("preferred_language").choices
        ):
            candidate.preferred_language = participant.preferred_language
        candidate.save()
        Membership.objects.create(
            user=candidate, organization=participant.organization, role=Role.PARTICIPANT
        )
        participant.user = candidate
        save_changes(participant, actor, ["user"])
        event_record(
            actor=actor,
            organization=participant.organization,
            action="participant.portal_invited",
            obj=participant,
            data={"user": candidate.pk},
        )
    return candidate
