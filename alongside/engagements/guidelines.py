"""Extending support past the program's duration guideline.

The guideline is a guide, not a wall: a coordinator may move its end later, and must
say why. Each extension is kept (previous end, new end, reason, who, when) so the
caseload and the timeline show that support was extended, and how often.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.audit.services import event_record
from alongside.core.errors import RuleViolation
from alongside.core.services import check_version, save_changes
from alongside.engagements.models import Engagement, GuidelineExtension
from alongside.engagements.selectors import closed_notice
from alongside.engagements.services import due_dates, ensure_writable, locked_current

# Far enough for any real extension; further is almost certainly a typing slip.
MAX_AHEAD_DAYS = 730


def current_end(engagement: Engagement) -> datetime.date | None:
    """The guideline's end as it stands: the kept date, or the program's (None: open-ended)."""
    if not engagement.program.duration_guideline_days:
        return None
    return engagement.guideline_ends_on or due_dates(engagement)[1]


def extension_refusal(engagement: Engagement) -> str:
    """Why this engagement's guideline cannot be extended at all ("" when it can)."""
    closed = closed_notice(engagement)
    if closed:
        return closed
    if not engagement.program.duration_guideline_days:
        return _("%(program)s has no duration guideline: support is open-ended.") % {
            "program": engagement.program
        }
    return ""


def guideline_extend(
    *,
    engagement: Engagement,
    actor,
    until: datetime.date,
    reason: str,
    expected_version: int | None,
) -> GuidelineExtension:
    """Move the end of the engagement's duration guideline to ``until``, with a reason."""
    reason = (reason or "").strip()
    with transaction.atomic():
        current = locked_current(engagement)
        check_version(current, expected_version)
        ensure_writable(current)
        refusal = extension_refusal(current)
        if refusal:
            raise RuleViolation(refusal)
        if not reason:
            raise RuleViolation(
                _("Say why support goes on past the guideline."), missing=[_("reason")]
            )
        previous = current_end(current)
        today = timezone.localdate()
        if until <= previous:
            raise RuleViolation(
                _("Choose a date after the current end of the guideline (%(end)s).")
                % {"end": previous.isoformat()}
            )
        if until <= today:
            raise RuleViolation(_("Choose a date in the future."))
        if until > today + datetime.timedelta(days=MAX_AHEAD_DAYS):
            raise RuleViolation(
                _("An extension can reach at most %(days)s days ahead; extend again later.")
                % {"days": MAX_AHEAD_DAYS}
            )
        current.guideline_ends_on = until
        save_changes(current, actor, ["guideline_ends_on"], reason=reason)
        extension = GuidelineExtension.objects.create(
            engagement=current,
            previous_ends_on=previous,
            new_ends_on=until,
            reason=reason,
            actor=actor,
            at=timezone.now(),
        )
        event_record(
            actor=actor,
            organization=current.organization,
            action="engagement.guideline_extended",
            obj=current,
            data={"from": previous.isoformat(), "to": until.isoformat(), "reason": reason},
        )
    # The caller's copy now matches what is stored.
    engagement.guideline_ends_on = current.guideline_ends_on
    engagement.version = current.version
    return extension
