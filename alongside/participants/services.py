"""A participant's details after intake, and their sign-in for the portal."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils.translation import gettext as _

from alongside.accounts.models import Membership, Role, User
from alongside.audit.services import event_record
from alongside.core.errors import RuleViolation
from alongside.core.permissions import may_change_participant
from alongside.core.services import check_version, save_changes
from alongside.participants.models import (
    DETAIL_FIELDS,
    OWN_DETAIL_FIELDS,
    Participant,
    RaceEthnicity,
)


def _tidy(name: str, value):
    """Strip text; keep races and ethnicities once each, in the listed order."""
    if isinstance(value, str):
        return value.strip()
    if name == "race_ethnicity" and isinstance(value, list | tuple):
        if all(isinstance(item, str) for item in value):
            listed = [code for code in RaceEthnicity.values if code in value]
            return listed + [item for item in dict.fromkeys(value) if item not in listed]
        return list(value)
    return value


def _check_may_change(participant: Participant, actor, changes: dict) -> None:
    """The person changes how to reach and address them; their team (core.permissions:
    participants_changeable_by) changes any detail; nobody else changes anything."""
    if participant.user_id is not None and participant.user_id == actor.pk:
        if set(changes) - set(OWN_DETAIL_FIELDS):
            raise RuleViolation(
                _("Ask your peer supporter or a coordinator to change that for you.")
            )
        return
    if not may_change_participant(actor, participant.organization, participant.pk):
        raise RuleViolation(
            _(
                "Only a coordinator of their program, or the peer supporter of their open "
                "engagement, can change the details of %(name)s."
            )
            % {"name": participant}
        )


def participant_update(
    *, participant: Participant, actor, expected_version: int, **changes
) -> Participant:
    """Change a participant's details, refusing if someone changed them since
    ``expected_version``. Only fields whose value differs are saved; nothing else moves.

    Bad values raise ValidationError (per field) and change nothing.
    """
    unknown = sorted(set(changes) - set(DETAIL_FIELDS))
    if unknown:
        raise TypeError(f"participant_update() does not change: {', '.join(unknown)}")
    _check_may_change(participant, actor, changes)
    with transaction.atomic():
        current = Participant.objects.select_for_update().get(pk=participant.pk)
        check_version(current, expected_version)
        # Compared tidied, so the same races listed in another order are no change.
        before = {name: _tidy(name, getattr(current, name)) for name in changes}
        for name, value in changes.items():
            setattr(current, name, _tidy(name, value))
        # Only what is being changed is checked: an old value stored before a rule existed
        # does not block a new phone number.
        current.full_clean(
            exclude=[f.name for f in Participant._meta.fields if f.name not in changes],
            validate_unique=False,
            validate_constraints=False,
        )
        fields = [name for name in changes if getattr(current, name) != before[name]]
        if not fields:
            return current
        save_changes(current, actor, fields)
        _sync_sign_in(current)
        event_record(
            actor=actor,
            organization=current.organization,
            action="participant.updated",
            obj=current,
            # Which details changed, not their values: the history keeps those.
            data={"fields": fields},
        )
    return current


def _sign_in_details(participant: Participant) -> dict:
    """What the portal sign-in copies from the person: the name they go by, email, language."""
    details = {
        "first_name": participant.preferred_name or participant.first_name,
        "last_name": participant.last_name,
        "email": participant.email,
    }
    if participant.preferred_language in dict(User._meta.get_field("preferred_language").choices):
        details["preferred_language"] = participant.preferred_language
    return details


def _sync_sign_in(participant: Participant) -> None:
    """Keep the portal sign-in's copy current, so emails and the portal's language follow."""
    if participant.user_id is None:
        return
    user = User.objects.select_for_update().get(pk=participant.user_id)
    details = _sign_in_details(participant)
    changed = [name for name, value in details.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, details[name])
    if changed:
        user.save(update_fields=changed)


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
    candidate = User(username=username, **_sign_in_details(participant))
    validate_password(password, user=candidate)
    with transaction.atomic():
        candidate.set_password(password)
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
