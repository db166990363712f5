"""Who may sign for an engagement and the name each must type (documents, plans,
assessments), and how a text both sign is recorded as signed (plans, assessments)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.audit.services import event_record
from alongside.core.errors import RuleViolation

# The roles and methods of a text both sign (each app's choices have these values).
PARTICIPANT, SUPPORTER = "participant", "supporter"
PORTAL, IN_PERSON = "portal", "in_person"


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


def check_signer(engagement, role: str, typed_name: str, actor, method: str) -> None:
    """The participant signs under their own name; the supporter in person, as themselves."""
    if role == PARTICIPANT:
        check_participant_signs(engagement.participant, typed_name)
    elif role == SUPPORTER:
        if method != IN_PERSON:
            raise RuleViolation(_("Only the participant signs in the portal."))
        check_supporter_signs(engagement, actor, typed_name)


def signature_record(
    model,
    record,
    *,
    field: str,
    about: dict | None = None,
    action: str,
    taken: str,
    organization,
    role: str,
    typed_name: str,
    actor,
    signer,
    method: str,
    ip: str | None,
    user_agent: str,
):
    """Save the signature of ``record``'s current text and its audit event ``action``.

    ``field`` is the signature's field naming the record (and the event's key for it);
    ``about`` adds to the event's data. A second signature that the model's unique
    constraint refuses becomes the refusal ``taken``. Call it inside the transaction that
    checked the rules.
    """
    signature = model(
        **{field: record},
        role=role,
        signer=signer,
        signer_name=" ".join(typed_name.split()),
        method=method,
        signed_at=timezone.now(),
        ip=ip,
        user_agent=user_agent[:500],
        sha256=record.sha256,
        recorded_by=actor,
    )
    try:
        with transaction.atomic():
            signature.save()
    except IntegrityError:
        raise RuleViolation(taken) from None
    event_record(
        actor=actor,
        organization=organization,
        action=action,
        obj=signature,
        data={
            field: record.pk,
            **(about or {}),
            "role": role,
            "method": method,
            "identity": "signer's password" if signer is not None else "attested by the recorder",
        },
    )
    return signature
