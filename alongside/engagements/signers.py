"""Who may sign for an engagement, and the name each must type (documents and plans)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from alongside.core.errors import RuleViolation


def normalized(name: str) -> str:
    """Names compare without case or extra spaces: "pat  RIVERA" is Pat Rivera."""
    return " ".join(name.split()).casefold()


def participant_full_name(participant) -> str:
    return f"{participant.first_name} {participant.last_name}".strip()


def is_participant_name(participant, typed_name: str) -> bool:
    """The typed name is the participant's, as the program has it (or their display name)."""
    names = {normalized(participant_full_name(participant)), normalized(participant.display_name)}
    return normalized(typed_name) in names


def check_typed(typed_name: str) -> None:
    if not normalized(typed_name):
        raise RuleViolation(_("Type the signer's full name."))


def check_participant_signs(participant, typed_name: str) -> None:
    check_typed(typed_name)
    if not is_participant_name(participant, typed_name):
        raise RuleViolation(
            _("Type the participant's full name as the program has it: %(name)s.")
            % {"name": participant_full_name(participant)}
        )


def check_supporter_signs(engagement, actor, typed_name: str) -> None:
    """Only the engagement's own peer supporter signs as supporter, under their own name."""
    check_typed(typed_name)
    if actor is None or actor.pk != engagement.supporter_id:
        raise RuleViolation(_("Only the engagement's peer supporter signs as supporter."))
    own = actor.get_full_name() or actor.get_username()
    if normalized(typed_name) != normalized(own):
        raise RuleViolation(
            _("Type your full name as your account has it: %(name)s.") % {"name": own}
        )
