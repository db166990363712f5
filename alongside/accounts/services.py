"""A peer supporter keeping what matching knows about them up to date."""

from __future__ import annotations

import datetime
import itertools

from django.db import transaction
from django.utils.translation import gettext as _

from alongside.accounts.models import AvailabilityWindow, PeerSupporterProfile, Weekday
from alongside.audit.services import event_record
from alongside.core.errors import RuleViolation
from alongside.core.services import save_changes

SELF_EDITABLE = (
    "languages",
    "lived_experience",
    "gender",
    "age_band",
    "locations_served",
    "travel_radius_miles",
    "remote_only",
    "accepting",
)


def _check_windows(windows: list[tuple[int, datetime.time, datetime.time]]) -> None:
    by_day: dict[int, list[tuple[datetime.time, datetime.time]]] = {}
    for weekday, starts, ends in windows:
        if ends <= starts:
            raise RuleViolation(
                _("On %(day)s, the end of a window must be after its start.")
                % {"day": Weekday(weekday).label}
            )
        by_day.setdefault(weekday, []).append((starts, ends))
    for weekday, spans in by_day.items():
        spans.sort()
        for (_s1, end1), (start2, _e2) in itertools.pairwise(spans):
            if start2 < end1:
                raise RuleViolation(
                    _("Two windows on %(day)s overlap; merge them into one.")
                    % {"day": Weekday(weekday).label}
                )


def supporter_profile_update(
    *,
    profile: PeerSupporterProfile,
    actor,
    windows: list[tuple[int, datetime.time, datetime.time]],
    **changes,
) -> PeerSupporterProfile:
    """Save the supporter's own details and replace their weekly availability."""
    unknown = set(changes) - set(SELF_EDITABLE)
    if unknown:
        raise RuleViolation(_("These details are set by an administrator: %s") % sorted(unknown))
    _check_windows(windows)
    with transaction.atomic():
        for name, value in changes.items():
            setattr(profile, name, value)
        profile.full_clean()
        save_changes(profile, actor, list(changes))
        profile.availability.all().delete()
        AvailabilityWindow.objects.bulk_create(
            AvailabilityWindow(profile=profile, weekday=d, starts=s, ends=e) for d, s, e in windows
        )
        event_record(
            actor=actor,
            organization=profile.organization,
            action="supporter_profile.updated",
            obj=profile,
            data={"fields": sorted(changes), "windows": len(windows)},
        )
    return profile
