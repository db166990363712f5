"""Ranking peer supporters for a referral, confirming a match, and changing supporter.

How a supporter is judged for a participant, in one place (batch.py computes the same
figures for many referrals at once with numpy):

- Hard constraints, each with its plain-words exclusion: in the referral's program,
  accepting new participants, an active account, enough room in the tier-weighted
  caseload, no declared conflict with the participant, not declined by the participant
  for this referral, a shared language when the referral requires it, the preferred
  gender when the referral requires it, and not phone-or-video only when the
  participant wants to meet in person.
- The score adds the program's ``MatchingWeights`` (the model's defaults when the
  program has none): shared language, each shared lived-experience area up to a
  maximum, the preferred gender, the place (the supporter serves the place the
  participant asked for, or the participant is fine with phone or video and the
  supporter meets that way), availability (the participant named good times to meet
  and the supporter's weekly windows cover at least one of them; soft, never an
  exclusion), and room in the caseload in proportion. The
  participant's own wishes weigh most with the default weights; every point is
  explained in ``reasons``.
- The tier-weighted caseload is the sum, over the supporter's open engagements in the
  organization, of the supporter's load for that engagement's current tier
  (``Engagement.tier``). An engagement not assessed yet counts as Tier 1: a new
  participant starts untiered and, while getting started, needs the most time; so a new
  match adds the supporter's Tier 1 load. Loads are kept in tenths (the fields have one
  decimal place), so the arithmetic is exact.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.text import get_text_list
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from alongside.accounts.models import (
    LANGUAGE_CHOICES,
    TIMES_OF_WEEK,
    AvailabilityWindow,
    ExperienceArea,
    LivedExperience,
    PeerSupporterProfile,
    SupporterConflict,
    TimeOfWeek,
    times_of_week,
)
from alongside.audit.services import event_record
from alongside.core.errors import RuleViolation
from alongside.core.services import save_changes
from alongside.engagements.models import Engagement
from alongside.engagements.services import (
    OPEN_STATES,
    assignment_start,
    engagement_open,
    ensure_writable,
    locked_current,
)
from alongside.matching.models import DeclinedSupporter, MatchingWeights
from alongside.notifications.services import notify
from alongside.referrals.models import OPEN_STATUSES, Referral, Status

MATCHABLE_STATUSES = [Status.ACCEPTED, Status.WAITLISTED]
MANY_WISHES = 50  # beyond this, conflicts and declines are read for the whole organization


@dataclass
class Suggestion:
    """One supporter judged for one participant: the score, why, and why not."""

    profile: PeerSupporterProfile
    caseload: float
    score: int = 0
    reasons: list[str] = field(default_factory=list)
    exclusions: list[str] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return not self.exclusions

    @property
    def capacity_left(self) -> float:
        """Room left in the tier-weighted caseload (never below zero)."""
        return max(round(self.profile.capacity - self.caseload, 1), 0)


@dataclass(frozen=True)
class Wishes:
    """What one participant needs from a supporter: the referral's wishes and constraints."""

    participant_id: int
    program_id: int
    referral_id: int | None = None
    language: str = ""
    language_required: bool = False
    gender: str = ""
    gender_required: bool = False
    place: str = ""  # as the participant wrote it
    remote_ok: bool = True
    lived_experience: tuple[str, ...] = ()
    # The tier of the engagement that would move to the supporter; None: a new participant.
    tier: int | None = None
    # Good times to meet (TimeOfWeek codes), kept in TIMES_OF_WEEK order; none: any time.
    preferred_times: tuple[str, ...] = ()
    place_key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "place_key", _place_key(self.place))
        if self.preferred_times:
            asked = set(self.preferred_times)
            times = tuple(code for code in TIMES_OF_WEEK if code in asked)
            object.__setattr__(self, "preferred_times", times)

    @classmethod
    def of_referral(cls, referral: Referral, *, tier: int | None = None) -> Wishes:
        return cls(
            participant_id=referral.participant_id,
            program_id=referral.program_id,
            referral_id=referral.pk,
            language=referral.preferred_language,
            language_required=referral.language_required,
            gender=referral.supporter_gender_preference,
            gender_required=referral.gender_required,
            place=referral.meeting_place.strip(),
            remote_ok=referral.remote_ok,
            lived_experience=tuple(referral.lived_experience_wanted or ()),
            tier=tier,
            preferred_times=tuple(referral.preferred_times or ()),
        )

    @classmethod
    def of_engagement(cls, engagement: Engagement) -> Wishes:
        """The wishes recorded at the engagement's referral, if any; its current tier."""
        if engagement.referral_id:
            return cls.of_referral(engagement.referral, tier=engagement.tier)
        return cls(
            participant_id=engagement.participant_id,
            program_id=engagement.program_id,
            tier=engagement.tier,
        )


@dataclass
class Supporter:
    """What matching reads of one supporter profile, prepared once for many participants."""

    profile_id: int
    user_id: int
    name: str
    programs: frozenset[int]
    languages: frozenset[str]
    lived_experience: frozenset[str]
    gender: str
    places: dict[str, str]  # place key → as the supporter wrote it
    remote_only: bool
    accepting: bool
    active: bool
    capacity_tenths: int
    load_tenths: int  # the tier-weighted caseload now
    tier_tenths: tuple[int, int, int]  # load of a Tier 1, 2, 3 participant
    profile: PeerSupporterProfile | None = None
    # The TimeOfWeek codes their weekly windows cover; read only when a participant named
    # good times to meet (nothing else depends on them).
    times: frozenset[str] = frozenset()

    @property
    def room_tenths(self) -> int:
        return self.capacity_tenths - self.load_tenths

    def adds_tenths(self, tier: int | None) -> int:
        """The load one participant of this tier adds (untiered counts as Tier 1)."""
        return self.tier_tenths[tier - 1] if tier in (1, 2, 3) else self.tier_tenths[0]

    def slots(self, limit: int) -> int:
        """How many new participants still fit, at most ``limit``."""
        new = self.tier_tenths[0]
        if self.room_tenths < new:
            return 0
        return limit if new <= 0 else min(self.room_tenths // new, limit)


@dataclass
class Pool:
    """Every supporter of an organization with what matching needs, in a few queries."""

    supporters: list[Supporter]
    weights: dict[int, MatchingWeights]  # program id → weights (unsaved defaults if none)
    conflicts: set[tuple[int, int]]  # (profile id, participant id)
    declined: set[tuple[int, int]]  # (referral id, supporter user id)
    experience_labels: dict[str, str]

    def by_user(self) -> dict[int, Supporter]:
        return {s.user_id: s for s in self.supporters}


def _tenths(value) -> int:
    return int(value * 10) if isinstance(value, Decimal) else int(Decimal(str(value)) * 10)


def _place_key(place: str) -> str:
    return " ".join(place.split()).casefold()


def weights_for(program_ids: Iterable[int]) -> dict[int, MatchingWeights]:
    """Each program's weights; the model's defaults (unsaved) where a program has none."""
    program_ids = set(program_ids)
    found = {w.program_id: w for w in MatchingWeights.objects.filter(program_id__in=program_ids)}
    return {pid: found.get(pid) or MatchingWeights(program_id=pid) for pid in program_ids}


def tier_weighted_loads(
    organization_id: int,
    tier_tenths: dict[int, tuple[int, int, int]],
    *,
    exclude_engagement_id: int | None = None,
) -> dict[int, int]:
    """Tier-weighted caseload in tenths per supporter user, from one aggregate query.

    ``tier_tenths`` maps each supporter user to their load of a Tier 1, 2, 3 participant.
    """
    rows = Engagement.objects.filter(
        organization_id=organization_id,
        supporter_id__isnull=False,
        state__in=OPEN_STATES,
    )
    if exclude_engagement_id is not None:
        rows = rows.exclude(pk=exclude_engagement_id)
    totals = dict.fromkeys(tier_tenths, 0)
    for supporter_id, tier, n in (
        rows.values("supporter_id", "tier")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("supporter_id", "tier", "n")
    ):
        per_tier = tier_tenths.get(supporter_id)
        if per_tier is not None:
            totals[supporter_id] += per_tier[tier - 1 if tier in (1, 2, 3) else 0] * n
    return totals


# What matching reads of a profile, in this order (see _supporter_of).
_PROFILE_FIELDS = (
    "pk",
    "user_id",
    "user__first_name",
    "user__last_name",
    "user__username",
    "user__is_active",
    "languages",
    "lived_experience",
    "gender",
    "locations_served",
    "remote_only",
    "accepting",
    "capacity",
    "tier1_load",
    "tier2_load",
    "tier3_load",
)


def _profile_row(p: PeerSupporterProfile) -> tuple:
    u = p.user
    return (
        p.pk,
        p.user_id,
        u.first_name,
        u.last_name,
        u.username,
        u.is_active,
        p.languages,
        p.lived_experience,
        p.gender,
        p.locations_served,
        p.remote_only,
        p.accepting,
        p.capacity,
        p.tier1_load,
        p.tier2_load,
        p.tier3_load,
    )


def _times_of_profiles(organization_id: int, user_ids: list[int] | None) -> dict[int, set[str]]:
    """The TimeOfWeek codes each profile's weekly windows cover, from one query."""
    windows = AvailabilityWindow.objects.filter(profile__organization_id=organization_id)
    if user_ids is not None:
        windows = windows.filter(profile__user_id__in=user_ids)
    covered: dict[int, set[str]] = {}
    for profile_id, weekday, starts, ends in windows.order_by().values_list(
        "profile_id", "weekday", "starts", "ends"
    ):
        covered.setdefault(profile_id, set()).update(times_of_week(weekday, starts, ends))
    return covered


def supporter_pool(
    *,
    organization_id: int,
    wishes: list[Wishes],
    user_ids: Iterable[int] | None = None,
    exclude_engagement_id: int | None = None,
    with_profiles: bool = True,
) -> Pool:
    """The organization's supporters judged for ``wishes``: a constant number of queries.

    Profiles with their users, program links, loads, conflicts, declines and weights are
    one query each (plus one for the organization's own lived-experience labels when a
    participant asked for one of them, and one for the weekly availability windows when a
    participant named good times to meet); nothing is fetched per supporter. Without
    ``with_profiles`` (batch matching) the profiles are read as plain values, which is
    faster, and ``Supporter.profile`` stays empty.
    """
    if user_ids is not None:
        user_ids = list(user_ids)
    query = PeerSupporterProfile.objects.filter(organization_id=organization_id)
    if user_ids is not None:
        query = query.filter(user_id__in=user_ids)
    query = query.order_by("user__first_name", "user__last_name", "pk")
    if with_profiles:
        instances = list(query.select_related("user"))
        rows = [_profile_row(p) for p in instances]
    else:
        instances = []
        rows = list(query.values_list(*_PROFILE_FIELDS))
    program_ids = {w.program_id for w in wishes}
    participant_ids = {w.participant_id for w in wishes}
    referral_ids = {w.referral_id for w in wishes if w.referral_id}
    through = PeerSupporterProfile.programs.through
    programs: dict[int, set[int]] = {}
    for profile_id, program_id in through.objects.filter(
        peersupporterprofile__organization_id=organization_id, program_id__in=program_ids
    ).values_list("peersupporterprofile_id", "program_id"):
        programs.setdefault(profile_id, set()).add(program_id)
    tier_tenths = {row[1]: (_tenths(row[13]), _tenths(row[14]), _tenths(row[15])) for row in rows}
    loads = tier_weighted_loads(
        organization_id, tier_tenths, exclude_engagement_id=exclude_engagement_id
    )
    conflicts_of = SupporterConflict.objects.filter(profile__organization_id=organization_id)
    declines_of = DeclinedSupporter.objects.filter(referral__organization_id=organization_id)
    if len(wishes) <= MANY_WISHES:
        conflicts_of = conflicts_of.filter(participant_id__in=participant_ids)
        declines_of = declines_of.filter(referral_id__in=referral_ids)
    # For a batch, the organization's few conflicts and declines cost less than long IN lists.
    conflicts = {
        pair
        for pair in conflicts_of.values_list("profile_id", "participant_id")
        if pair[1] in participant_ids
    }
    declined = {
        pair
        for pair in declines_of.values_list("referral_id", "supporter_id")
        if pair[0] in referral_ids
    }
    labels = {code: str(label) for code, label in LivedExperience.choices}
    if any(area not in labels for w in wishes for area in w.lived_experience):
        labels.update(
            ExperienceArea.objects.filter(organization_id=organization_id).values_list(
                "code", "label"
            )
        )
    times = (
        _times_of_profiles(organization_id, user_ids)
        if any(w.preferred_times for w in wishes)
        else {}
    )
    supporters = [
        Supporter(
            profile_id=row[0],
            user_id=row[1],
            name=f"{row[2]} {row[3]}".strip() or row[4],
            programs=frozenset(programs.get(row[0], ())),
            languages=frozenset(row[6] or ()),
            lived_experience=frozenset(row[7] or ()),
            gender=row[8],
            places={_place_key(place): place.strip() for place in row[9] or ()},
            remote_only=row[10],
            accepting=row[11],
            active=row[5],
            capacity_tenths=row[12] * 10,
            load_tenths=loads.get(row[1], 0),
            tier_tenths=tier_tenths[row[1]],
            profile=instances[n] if instances else None,
            times=frozenset(times.get(row[0], ())),
        )
        for n, row in enumerate(rows)
    ]
    return Pool(
        supporters=supporters,
        weights=weights_for(program_ids),
        conflicts=conflicts,
        declined=declined,
        experience_labels=labels,
    )


def capacity_points(weight: int, room_tenths: int, capacity_tenths: int) -> int:
    """Points for room in the caseload, in proportion, rounded half up (as batch.py does)."""
    if capacity_tenths <= 0:
        return 0
    room = min(max(room_tenths, 0), capacity_tenths)
    return (2 * weight * room + capacity_tenths) // (2 * capacity_tenths)


@dataclass(frozen=True)
class Words:
    """Every phrase ``judge`` writes, translated once per language (not once per pair)."""

    not_in_program: str
    not_accepting: str
    inactive: str
    at_capacity: str
    conflict: str
    declined: str
    remote_only_excluded: str
    no_language: str
    gender_required: str
    speaks: dict[str, str]  # language code → "speaks Spanish"
    lived_experience: str
    gender: str
    meets_in: str
    meets_remotely: str
    places_free: str
    # The covered good times, in TIMES_OF_WEEK order → "available weekday evenings"
    available: dict[tuple[str, ...], str]
    not_available: str
    decimal_separator: str

    def amount(self, tenths: int) -> str:
        whole, tenth = divmod(max(tenths, 0), 10)
        return f"{whole}{self.decimal_separator}{tenth}" if tenth else str(whole)


def _available_phrases() -> dict[tuple[str, ...], str]:
    """Each set of good times (in TIMES_OF_WEEK order) in words: "available weekends"."""
    plain = {
        TimeOfWeek.WEEKDAY_MORNING: _("weekday mornings"),
        TimeOfWeek.WEEKDAY_AFTERNOON: _("weekday afternoons"),
        TimeOfWeek.WEEKDAY_EVENING: _("weekday evenings"),
        TimeOfWeek.WEEKEND: _("weekends"),
    }
    available = _("available %(times)s")
    phrases = {}
    for n in range(1, len(TIMES_OF_WEEK) + 1):
        for times in itertools.combinations(TIMES_OF_WEEK, n):
            listed = get_text_list([plain[t] for t in times], _("and"))
            phrases[times] = available % {"times": listed}
    return phrases


@lru_cache(maxsize=8)
def _words_in(language: str | None) -> Words:
    speaks = _("speaks %(language)s")
    return Words(
        not_in_program=_("not in this program"),
        not_accepting=_("not taking new participants"),
        inactive=_("account inactive"),
        at_capacity=_("at capacity"),
        conflict=_("declared conflict"),
        declined=_("participant declined this supporter"),
        remote_only_excluded=_("meets by phone or video only"),
        no_language=_("no shared language"),
        gender_required=_("gender preference is required"),
        speaks={code: speaks % {"language": label} for code, label in LANGUAGE_CHOICES},
        lived_experience=_("lived experience: %(areas)s"),
        gender=_("gender as preferred"),
        meets_in=_("meets in %(place)s"),
        meets_remotely=_("meets by phone or video"),
        places_free=_("%(left)s of %(capacity)s places free"),
        available=_available_phrases(),
        not_available=_("not available at the times asked"),
        decimal_separator=str(get_format("DECIMAL_SEPARATOR")),
    )


def words() -> Words:
    """The phrases of ``judge`` in the active language."""
    return _words_in(get_language())


def judge(wishes: Wishes, s: Supporter, pool: Pool, w: Words | None = None) -> Suggestion:
    """Score one supporter for one participant, with every point and every exclusion in words."""
    w = w or words()
    weights = pool.weights[wishes.program_id]
    result = Suggestion(profile=s.profile, caseload=s.load_tenths / 10)
    reasons, exclusions = result.reasons, result.exclusions
    score = 0
    if wishes.program_id not in s.programs:
        exclusions.append(w.not_in_program)
    if not s.accepting:
        exclusions.append(w.not_accepting)
    if not s.active:
        exclusions.append(w.inactive)
    if s.room_tenths < s.adds_tenths(wishes.tier):
        exclusions.append(w.at_capacity)
    if (s.profile_id, wishes.participant_id) in pool.conflicts:
        exclusions.append(w.conflict)
    if wishes.referral_id and (wishes.referral_id, s.user_id) in pool.declined:
        exclusions.append(w.declined)
    if s.remote_only and not wishes.remote_ok:
        exclusions.append(w.remote_only_excluded)

    if wishes.language in s.languages:
        score += weights.language
        reasons.append(w.speaks.get(wishes.language) or wishes.language)
    elif wishes.language_required:
        exclusions.append(w.no_language)
    elif wishes.language:
        reasons.append(w.no_language)
    shared = [area for area in wishes.lived_experience if area in s.lived_experience]
    if shared:
        score += min(weights.lived_experience * len(shared), weights.lived_experience_max)
        reasons.append(
            w.lived_experience
            % {"areas": ", ".join(pool.experience_labels.get(a, a) for a in shared)}
        )
    if wishes.gender:
        if wishes.gender == s.gender:
            score += weights.gender
            reasons.append(w.gender)
        elif wishes.gender_required:
            exclusions.append(w.gender_required)
    place_key = wishes.place_key
    if place_key and place_key in s.places:
        score += weights.place
        reasons.append(w.meets_in % {"place": wishes.place})
    elif wishes.remote_ok and s.remote_only:
        score += weights.place
        reasons.append(w.meets_remotely)
    if wishes.preferred_times:
        covered = tuple(t for t in wishes.preferred_times if t in s.times)
        if covered:
            score += weights.availability
            reasons.append(w.available[covered])
        else:
            reasons.append(w.not_available)
    score += capacity_points(weights.capacity, s.room_tenths, s.capacity_tenths)
    reasons.append(
        w.places_free % {"left": w.amount(s.room_tenths), "capacity": w.amount(s.capacity_tenths)}
    )
    result.score = score
    return result


def supporter_suggestions(referral: Referral) -> list[Suggestion]:
    """Every supporter of the organization, eligible ones first, best fit first."""
    wishes = Wishes.of_referral(referral)
    pool = supporter_pool(organization_id=referral.organization_id, wishes=[wishes])
    w = words()
    suggestions = [judge(wishes, s, pool, w) for s in pool.supporters]
    # Stable: equal scores keep the supporters' name order.
    suggestions.sort(key=lambda s: (not s.eligible, -s.score))
    return suggestions


def engagement_suggestions(engagement: Engagement) -> list[Suggestion]:
    """Who could take over an engagement (rematch): every other supporter, best fit first.

    Judged on the wishes recorded at its referral; the engagement adds the load of its
    current tier, and its own load does not count against anyone twice.
    """
    wishes = Wishes.of_engagement(engagement)
    pool = supporter_pool(
        organization_id=engagement.organization_id,
        wishes=[wishes],
        exclude_engagement_id=engagement.pk,
    )
    w = words()
    suggestions = [
        judge(wishes, s, pool, w) for s in pool.supporters if s.user_id != engagement.supporter_id
    ]
    suggestions.sort(key=lambda s: (not s.eligible, -s.score))
    return suggestions


def _suggestion_for(wishes: Wishes, organization_id: int, user, **pool_options) -> Suggestion:
    pool = supporter_pool(
        organization_id=organization_id, wishes=[wishes], user_ids=[user.pk], **pool_options
    )
    if not pool.supporters:
        raise RuleViolation(_("Choose a peer supporter of this organization."))
    return judge(wishes, pool.supporters[0], pool)


def _lock_profiles(organization_id: int, user_ids: Iterable[int]) -> None:
    """Serialize capacity checks per supporter (PostgreSQL; SQLite has one writer anyway)."""
    list(
        PeerSupporterProfile.objects.select_for_update()
        .filter(organization_id=organization_id, user_id__in=list(user_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _welcome_url(engagement: Engagement) -> str:
    return reverse("engagements:detail", args=[engagement.pk])


def match_create(*, referral: Referral, supporter, actor, score: int) -> Engagement:
    """Open the engagement of a locked, checked referral and mark the referral matched.

    The shared machinery of ``match_confirm`` and ``batch_confirm``; callers check first.
    """
    engagement = engagement_open(referral=referral, supporter=supporter, actor=actor)
    referral.status = Status.MATCHED
    referral.matched_at = timezone.now()
    save_changes(referral, actor, ["status", "matched_at"])
    event_record(
        actor=actor,
        organization=referral.organization,
        action="referral.matched",
        obj=referral,
        data={"supporter": supporter.pk, "engagement": engagement.pk, "score": score},
    )
    return engagement


def match_confirm(*, referral: Referral, supporter, actor) -> Engagement:
    """Match a screened referral to an eligible supporter; the engagement starts onboarding."""
    with transaction.atomic():
        current = Referral.objects.select_for_update().get(pk=referral.pk)
        if current.status not in MATCHABLE_STATUSES:
            raise RuleViolation(
                _("Only an accepted or waitlisted referral can be matched; this one is %(s)s.")
                % {"s": current.get_status_display()}
            )
        _lock_profiles(current.organization_id, [supporter.pk])
        chosen = _suggestion_for(Wishes.of_referral(current), current.organization_id, supporter)
        if not chosen.eligible:
            raise RuleViolation(
                _("%(name)s cannot take this referral: %(why)s.")
                % {"name": supporter, "why": ", ".join(chosen.exclusions)}
            )
        engagement = match_create(
            referral=current, supporter=supporter, actor=actor, score=chosen.score
        )
        # The text is emailed: it never names the participant.
        notify(
            user=supporter,
            organization=current.organization,
            # The batch's plural message, so the catalog holds one entry for both.
            text=lambda: (
                ngettext(
                    "You have a new participant to welcome (onboarding).",
                    "You have %(n)s new participants to welcome (onboarding).",
                    1,
                )
                % {"n": 1}
            ),
            url=_welcome_url(engagement),
        )
    referral.status, referral.matched_at = current.status, current.matched_at
    return engagement


def supporter_decline_record(
    *, referral: Referral, supporter, actor, reason: str = ""
) -> DeclinedSupporter:
    """The participant said no to a proposed supporter: no penalty, just not suggested again."""
    with transaction.atomic():
        current = Referral.objects.select_for_update().get(pk=referral.pk)
        if current.status not in OPEN_STATUSES:
            raise RuleViolation(
                _("This referral is %(s)s; record what the participant said on the engagement.")
                % {"s": current.get_status_display()}
            )
        if not PeerSupporterProfile.objects.filter(
            organization_id=current.organization_id, user=supporter
        ).exists():
            raise RuleViolation(_("Choose a peer supporter of this organization."))
        if DeclinedSupporter.objects.filter(referral=current, supporter=supporter).exists():
            raise RuleViolation(
                _("The participant already declined %(name)s for this referral.")
                % {"name": supporter}
            )
        declined = DeclinedSupporter.objects.create(
            referral=current, supporter=supporter, reason=reason.strip(), recorded_by=actor
        )
        event_record(
            actor=actor,
            organization=current.organization,
            action="match.declined_by_participant",
            obj=current,
            data={"supporter": supporter.pk, "reason": declined.reason},
        )
    return declined


def conflict_declare(*, profile: PeerSupporterProfile, participant, actor, reason: str = ""):
    """A supporter must not be matched with this participant (a dual relationship)."""
    if profile.organization_id != participant.organization_id:
        raise RuleViolation(
            _("A conflict can only be declared with a participant of the same organization.")
        )
    with transaction.atomic():
        if SupporterConflict.objects.filter(profile=profile, participant=participant).exists():
            raise RuleViolation(
                _("%(name)s has already declared a conflict with this participant.")
                % {"name": profile}
            )
        conflict = SupporterConflict.objects.create(
            profile=profile, participant=participant, reason=reason.strip()
        )
        event_record(
            actor=actor,
            organization=profile.organization,
            action="supporter.conflict_declared",
            obj=conflict,
            data={
                "supporter": profile.user_id,
                "participant": participant.pk,
                "reason": conflict.reason,
            },
        )
    return conflict


def engagement_change_supporter(
    *, engagement: Engagement, supporter, actor, reason: str
) -> Engagement:
    """Rematch: another eligible supporter takes over; who supported when, and why, is kept."""
    reason = (reason or "").strip()
    if supporter is None:
        raise RuleViolation(_("Choose a peer supporter of this organization."))
    if not reason:
        raise RuleViolation(_("Say why the peer supporter changes."))
    with transaction.atomic():
        current = locked_current(engagement)
        ensure_writable(current)
        if current.supporter_id == supporter.pk:
            raise RuleViolation(
                _("%(name)s already supports this participant.") % {"name": supporter}
            )
        _lock_profiles(current.organization_id, [supporter.pk])
        chosen = _suggestion_for(
            Wishes.of_engagement(current),
            current.organization_id,
            supporter,
            exclude_engagement_id=current.pk,
        )
        if not chosen.eligible:
            raise RuleViolation(
                _("%(name)s cannot take over: %(why)s.")
                % {"name": supporter, "why": ", ".join(chosen.exclusions)}
            )
        previous = current.supporter_id
        assignment_start(engagement=current, supporter=supporter, actor=actor, reason=reason)
        current.supporter = supporter
        save_changes(current, actor, ["supporter"], reason=reason)
        event_record(
            actor=actor,
            organization=current.organization,
            action="engagement.supporter_changed",
            obj=current,
            data={"from": previous, "to": supporter.pk, "reason": reason},
        )
        notify(
            user=supporter,
            organization=current.organization,
            text=lambda: _("A participant's peer support moves to you; please welcome them."),
            url=_welcome_url(current),
        )
    engagement.supporter, engagement.version = current.supporter, current.version
    return current
