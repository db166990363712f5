"""Ranking peer supporters for a referral, and confirming a match."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.models import LANGUAGE_CHOICES, LivedExperience, PeerSupporterProfile
from alongside.audit.services import event_record
from alongside.core.errors import RuleViolation
from alongside.core.services import save_changes
from alongside.engagements.models import Engagement
from alongside.engagements.services import OPEN_STATES, engagement_open
from alongside.referrals.models import Referral, Status

MATCHABLE_STATUSES = [Status.ACCEPTED, Status.WAITLISTED]

# Weights of what makes a good fit; the participant's language weighs most.
WEIGHT_LANGUAGE = 40
WEIGHT_EXPERIENCE_EACH = 15
WEIGHT_EXPERIENCE_MAX = 45
WEIGHT_GENDER = 10
WEIGHT_CAPACITY = 15


@dataclass
class Suggestion:
    profile: PeerSupporterProfile
    caseload: int
    score: int = 0
    reasons: list[str] = field(default_factory=list)
    exclusions: list[str] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return not self.exclusions

    @property
    def capacity_left(self) -> int:
        return max(self.profile.capacity - self.caseload, 0)


def _label(choices, value) -> str:
    return str(dict(choices).get(value, value))


def caseloads(profiles) -> dict[int, int]:
    """Open engagements per supporter user, in one query."""
    user_ids = [p.user_id for p in profiles]
    rows = (
        Engagement.objects.filter(supporter_id__in=user_ids, state__in=OPEN_STATES)
        .values("supporter_id")
        .annotate(n=Count("id"))
    )
    return {row["supporter_id"]: row["n"] for row in rows}


def supporter_suggestions(referral: Referral) -> list[Suggestion]:
    """Every supporter of the organization, eligible ones first, best fit first."""
    profiles = list(
        PeerSupporterProfile.objects.filter(organization_id=referral.organization_id)
        .select_related("user")
        .annotate(in_program=Count("programs", filter=Q(programs=referral.program_id)))
        .order_by("user__first_name", "user__last_name", "pk")
    )
    loads = caseloads(profiles)
    suggestions = [_score(referral, p, loads.get(p.user_id, 0)) for p in profiles]
    suggestions.sort(key=lambda s: (not s.eligible, -s.score))
    return suggestions


def _score(referral: Referral, profile: PeerSupporterProfile, caseload: int) -> Suggestion:
    s = Suggestion(profile=profile, caseload=caseload)
    if not profile.in_program:
        s.exclusions.append(_("not in this program"))
    if not profile.accepting:
        s.exclusions.append(_("not taking new participants"))
    if caseload >= profile.capacity:
        s.exclusions.append(_("at capacity"))
    if not profile.user.is_active:
        s.exclusions.append(_("account inactive"))
    if referral.preferred_language in profile.languages:
        s.score += WEIGHT_LANGUAGE
        s.reasons.append(
            _("speaks %(language)s")
            % {"language": _label(LANGUAGE_CHOICES, referral.preferred_language)}
        )
    else:
        s.reasons.append(_("no shared language"))
    shared = [
        area for area in referral.lived_experience_wanted if area in profile.lived_experience
    ]
    if shared:
        s.score += min(WEIGHT_EXPERIENCE_EACH * len(shared), WEIGHT_EXPERIENCE_MAX)
        s.reasons.append(
            _("lived experience: %(areas)s")
            % {"areas": ", ".join(_label(LivedExperience.choices, a) for a in shared)}
        )
    if referral.supporter_gender_preference and (
        referral.supporter_gender_preference == profile.gender
    ):
        s.score += WEIGHT_GENDER
        s.reasons.append(_("gender as preferred"))
    if profile.capacity:
        s.score += round(WEIGHT_CAPACITY * s.capacity_left / profile.capacity)
    s.reasons.append(
        _("%(left)s of %(capacity)s places free")
        % {"left": s.capacity_left, "capacity": profile.capacity}
    )
    return s


def match_confirm(*, referral: Referral, supporter, actor) -> Engagement:
    """Match a screened referral to an eligible supporter; the engagement starts onboarding."""
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        if referral.status not in MATCHABLE_STATUSES:
            raise RuleViolation(
                _("Only an accepted or waitlisted referral can be matched; this one is %(s)s.")
                % {"s": referral.get_status_display()}
            )
        chosen = next(
            (s for s in supporter_suggestions(referral) if s.profile.user_id == supporter.pk),
            None,
        )
        if chosen is None:
            raise RuleViolation(_("Choose a peer supporter of this organization."))
        if not chosen.eligible:
            raise RuleViolation(
                _("%(name)s cannot take this referral: %(why)s.")
                % {"name": supporter, "why": ", ".join(chosen.exclusions)}
            )
        engagement = engagement_open(referral=referral, supporter=supporter, actor=actor)
        referral.status = Status.MATCHED
        referral.matched_at = timezone.now()
        save_changes(referral, actor, ["status", "matched_at"])
        event_record(
            actor=actor,
            organization=referral.organization,
            action="referral.matched",
            obj=referral,
            data={"supporter": supporter.pk, "engagement": engagement.pk, "score": chosen.score},
        )
    return engagement
