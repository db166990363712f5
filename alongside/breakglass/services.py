"""Breaking the glass (a time-limited, read-only opening of one record, with a reason)
and the admin's review of it."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.models import Membership, Role
from alongside.audit.services import event_record
from alongside.breakglass.models import LOG_REASON_PREFIX, EmergencyAccess, EmergencyAccessReview
from alongside.core.errors import RuleViolation
from alongside.core.permissions import (
    Cap,
    emergency_reads,
    has_capability,
    participants_visible_to,
)
from alongside.notifications.services import notify

# A reason someone else can judge later: a few words are not enough.
MIN_REASON_LENGTH = 20
MAX_REASON_LENGTH = 1000
MAX_COMMENT_LENGTH = 2000
DEFAULT_MINUTES = 60


def emergency_access_minutes() -> int:
    """How long a grant lasts (ALONGSIDE_EMERGENCY_ACCESS_MINUTES, default 60)."""
    minutes = getattr(settings, "ALONGSIDE_EMERGENCY_ACCESS_MINUTES", DEFAULT_MINUTES)
    return max(1, int(minutes))


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise RuleViolation(
            _(
                "Say why this record must be opened now, in at least %(n)d characters: "
                "the organization's admin reviews it and the participant can read it."
            )
            % {"n": MIN_REASON_LENGTH}
        )
    if len(reason) > MAX_REASON_LENGTH:
        raise RuleViolation(_("Keep the reason to %(n)d characters.") % {"n": MAX_REASON_LENGTH})
    return reason


@transaction.atomic
def emergency_access_grant(
    *, actor, organization, participant, reason: str, now: datetime.datetime | None = None
) -> EmergencyAccess:
    """Open one participant's record to a coordinator for a limited time, read-only.

    Only within the coordinator's own organization, only for a record they cannot already
    see, with a reason; audited, and the organization's admins are told to review it.
    """
    if not has_capability(actor, organization, Cap.EMERGENCY_ACCESS):
        raise RuleViolation(_("Only a coordinator can open a record for an emergency."))
    if organization is None or participant.organization_id != organization.pk:
        raise RuleViolation(_("Emergency access is only for records of your organization."))
    reason = _clean_reason(reason)
    with emergency_reads(False):
        in_scope = participants_visible_to(actor, organization).filter(pk=participant.pk)
        if in_scope.exists():
            raise RuleViolation(
                _("You can already see this record; no emergency access is needed.")
            )
    now = now or timezone.now()
    held = (
        EmergencyAccess.objects.select_for_update()
        .filter(
            grantee_id=actor.pk,
            participant_id=participant.pk,
            granted_at__lte=now,
            expires_at__gt=now,
        )
        .first()
    )
    if held is not None:
        raise RuleViolation(
            _("You already have emergency access to this record until %(time)s.")
            % {"time": timezone.localtime(held.expires_at).strftime("%H:%M")}
        )
    access = EmergencyAccess.objects.create(
        organization=organization,
        grantee=actor,
        participant=participant,
        reason=reason,
        log_reason=(LOG_REASON_PREFIX + " ".join(reason.split()))[:200],
        granted_at=now,
        expires_at=now + datetime.timedelta(minutes=emergency_access_minutes()),
    )
    event_record(
        actor=actor,
        organization=organization,
        action="emergency_access.granted",
        obj=access,
        data={
            "participant": participant.pk,
            "reason": reason,
            "expires_at": access.expires_at.isoformat(),
        },
    )
    _tell_admins(access)
    return access


def _tell_admins(access: EmergencyAccess) -> None:
    """Each admin of the organization gets a notice (no participant name: it is emailed)."""
    admins = (
        Membership.objects.filter(organization_id=access.organization_id, role=Role.ADMIN)
        .exclude(user_id=access.grantee_id)
        .select_related("user")
    )
    who = access.grantee.get_full_name() or access.grantee.get_username()
    url = reverse("breakglass:review", args=[access.pk])
    for membership in admins:
        if membership.user.is_active:
            notify(
                user=membership.user,
                organization=access.organization,
                # A function: written in each admin's own language, not the coordinator's.
                text=lambda: (
                    _("%(who)s opened a record for an emergency; please review it.") % {"who": who}
                ),
                url=url,
            )


@transaction.atomic
def emergency_access_review(
    *, access: EmergencyAccess, actor, comment: str
) -> EmergencyAccessReview:
    """Mark a grant reviewed, with the admin's comment; once per grant, by someone else."""
    if not has_capability(actor, access.organization, Cap.EMERGENCY_REVIEW):
        raise RuleViolation(_("Only an admin of the organization reviews emergency access."))
    if access.grantee_id == actor.pk:
        raise RuleViolation(_("Someone else must review your own emergency access."))
    comment = (comment or "").strip()
    if not comment:
        raise RuleViolation(_("Write a comment: what you checked and what you found."))
    if len(comment) > MAX_COMMENT_LENGTH:
        raise RuleViolation(_("Keep the comment to %(n)d characters.") % {"n": MAX_COMMENT_LENGTH})
    already = _("This emergency access has already been reviewed.")
    if EmergencyAccessReview.objects.filter(access=access).exists():
        raise RuleViolation(already)
    try:
        with transaction.atomic():
            review = EmergencyAccessReview.objects.create(
                access=access, reviewer=actor, comment=comment
            )
    except IntegrityError:  # another admin's review came first
        raise RuleViolation(already) from None
    event_record(
        actor=actor,
        organization=access.organization,
        action="emergency_access.reviewed",
        obj=access,
        data={"comment": comment},
    )
    return review
