"""Batch matching: the assignment of many waiting referrals that maximizes total fit.

Every supporter offers as many slots as new participants still fit in their
tier-weighted caseload; each referral also has its own zero-score "unassigned"
column, so a referral nobody may take simply stays waiting. The optimal assignment
of referrals to columns is then one call of ``scipy.optimize.linear_sum_assignment``.
Scores and hard constraints are those of ``services.judge``, computed for the whole
referral-by-supporter matrix at once with numpy; the words (reasons) are written only
for the pairs proposed.

Among assignments with the same total fit, the one that matches more people wins:
each match adds ε < 1 / (2 * referrals) to its score, so the integer total always
comes first.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext
from scipy.optimize import linear_sum_assignment

from alongside.accounts.models import TIMES_OF_WEEK, PeerSupporterProfile, User
from alongside.audit.services import event_record
from alongside.core.errors import RuleViolation
from alongside.engagements.models import Engagement
from alongside.engagements.services import OPEN_STATES
from alongside.matching.models import MatchBatch
from alongside.matching.services import (
    MATCHABLE_STATUSES,
    Pool,
    Supporter,
    Wishes,
    judge,
    match_create,
    supporter_pool,
    words,
)
from alongside.notifications.services import notify
from alongside.referrals.models import Referral, Status

# The hard constraints of services.judge, in the order its exclusions are listed.
EXCLUSIONS = (
    ("program", gettext_noop("not in this program")),
    ("accepting", gettext_noop("not taking new participants")),
    ("inactive", gettext_noop("account inactive")),
    ("capacity", gettext_noop("at capacity")),
    ("conflict", gettext_noop("declared conflict")),
    ("declined", gettext_noop("participant declined this supporter")),
    ("remote", gettext_noop("meets by phone or video only")),
    ("language", gettext_noop("no shared language")),
    ("gender", gettext_noop("gender preference is required")),
)


@dataclass
class Matrix:
    """Scores and hard constraints of every referral-supporter pair."""

    scores: np.ndarray  # int32, referrals by supporters
    feasible: np.ndarray  # bool, referrals by supporters
    excluded: dict[str, np.ndarray]  # constraint → bool array, broadcastable to the above
    slots: np.ndarray  # int64 per supporter: new participants that still fit


_TIME_INDEX = {code: i for i, code in enumerate(TIMES_OF_WEEK)}


def _index(values: Iterable) -> dict:
    return {v: i for i, v in enumerate(dict.fromkeys(values))}


def score_matrix(wishes: list[Wishes], pool: Pool) -> Matrix:
    """The figures of ``judge`` for every pair, vectorized; equal to it pair by pair."""
    sup: list[Supporter] = pool.supporters
    n_r, n_s = len(wishes), len(sup)
    programs = _index(w.program_id for w in wishes)
    languages = _index(w.language for w in wishes)
    areas = _index(a for w in wishes for a in w.lived_experience)
    places = _index(w.place_key for w in wishes if w.place_key)
    genders = _index([*(s.gender for s in sup), *(w.gender for w in wishes if w.gender)])

    # Each referral's wishes as columns, in one pass.
    wanted = np.zeros((n_r, len(areas)), dtype=np.float32)
    asked = np.zeros((n_r, len(TIMES_OF_WEEK)), dtype=np.float32)  # good times to meet
    columns: list[tuple] = []
    for i, w in enumerate(wishes):
        for a in w.lived_experience:
            wanted[i, areas[a]] += 1  # counted per mention, as judge counts them
        for t in w.preferred_times:
            asked[i, _TIME_INDEX[t]] = 1
        columns.append(
            (
                programs[w.program_id],
                languages[w.language],
                w.language_required,
                genders[w.gender] if w.gender else -1,
                bool(w.gender and w.gender_required),
                places.get(w.place_key, len(places)),
                w.remote_ok,
                w.tier - 1 if w.tier in (1, 2, 3) else 0,
            )
        )
    table = np.array(columns, dtype=np.int64).reshape(n_r, 8)
    prog_idx, lang_idx, place_idx, tier_idx = table[:, 0], table[:, 1], table[:, 5], table[:, 7]
    lang_required = table[:, 2:3].astype(bool)
    preferred = table[:, 3:4]
    gender_required = table[:, 4:5].astype(bool)
    remote_ok = table[:, 6:7].astype(bool)

    # Each supporter's facts, small tables indexed by the referrals' wishes.
    in_program = np.zeros((len(programs), n_s), dtype=bool)
    speaks = np.zeros((len(languages), n_s), dtype=bool)
    lived = np.zeros((len(areas), n_s), dtype=np.float32)
    serves = np.zeros((len(places) + 1, n_s), dtype=bool)  # last row: no place asked for
    covers = np.zeros((len(TIMES_OF_WEEK), n_s), dtype=np.float32)
    facts = np.zeros((n_s, 9), dtype=np.int64)
    for j, s in enumerate(sup):
        for t in s.times:
            covers[_TIME_INDEX[t], j] = 1
        for pid in s.programs:
            if pid in programs:
                in_program[programs[pid], j] = True
        for code in s.languages:
            if code in languages:
                speaks[languages[code], j] = True
        for a in s.lived_experience:
            if a in areas:
                lived[areas[a], j] = 1
        for key in s.places:
            if key in places:
                serves[places[key], j] = True
        facts[j] = (
            genders[s.gender],
            s.remote_only,
            s.accepting,
            s.active,
            s.capacity_tenths,
            s.room_tenths,
            *s.tier_tenths,
        )
    gender_of = facts[:, 0]
    remote_only = facts[None, :, 1].astype(bool)
    capacity, room, tiers = facts[:, 4], facts[:, 5], facts[:, 6:9]

    def by_program(name: str) -> np.ndarray:
        return np.array([getattr(pool.weights[pid], name) for pid in programs], dtype=np.int64)

    def weight(name: str) -> np.ndarray:
        """The weight per referral, as a column (int32: scores stay far below 2**31)."""
        return by_program(name).astype(np.int32)[prog_idx][:, None]

    lang_match = speaks[lang_idx]
    gender_match = preferred == gender_of[None, :]
    # The place asked for is one the supporter serves, or remote is fine and they meet so.
    place_match = serves[place_idx] | (remote_ok & remote_only)
    shared = np.rint(wanted @ lived).astype(np.int32) if areas else np.zeros((n_r, n_s), np.int32)
    # Points for room depend on the program's weight and the supporter only: a small table.
    clipped = np.clip(room, 0, capacity)[None, :]
    safe = np.maximum(capacity, 1)[None, :]
    per_program = (2 * by_program("capacity")[:, None] * clipped + safe) // (2 * safe)
    per_program *= capacity[None, :] > 0

    scores = per_program.astype(np.int32)[prog_idx]
    scores += weight("language") * lang_match
    shared *= weight("lived_experience")
    np.minimum(shared, weight("lived_experience_max"), out=shared)
    scores += shared
    scores += weight("gender") * gender_match
    scores += weight("place") * place_match
    if asked.any():
        # Available at one of the good times asked, at least; soft, never an exclusion.
        scores += weight("availability") * ((asked @ covers) > 0)

    conflict = np.zeros((n_r, n_s), dtype=bool)
    declined = np.zeros((n_r, n_s), dtype=bool)
    if pool.conflicts or pool.declined:
        rows_of_participant: dict[int, list[int]] = defaultdict(list)
        rows_of_referral: dict[int, list[int]] = defaultdict(list)
        for i, w in enumerate(wishes):
            rows_of_participant[w.participant_id].append(i)
            if w.referral_id:
                rows_of_referral[w.referral_id].append(i)
        col_of_profile = {s.profile_id: j for j, s in enumerate(sup)}
        col_of_user = {s.user_id: j for j, s in enumerate(sup)}
        for profile_id, participant_id in pool.conflicts:
            if profile_id in col_of_profile:
                rows = rows_of_participant.get(participant_id, [])
                conflict[rows, col_of_profile[profile_id]] = True
        for referral_id, user_id in pool.declined:
            if user_id in col_of_user:
                declined[rows_of_referral.get(referral_id, []), col_of_user[user_id]] = True

    adds = tiers[None, :, 0] if not tier_idx.any() else tiers.T[tier_idx]
    excluded = {
        "program": ~in_program[prog_idx],
        "accepting": ~facts[None, :, 2].astype(bool),
        "inactive": ~facts[None, :, 3].astype(bool),
        "capacity": room[None, :] < adds,
        "conflict": conflict,
        "declined": declined,
        "remote": remote_only & ~remote_ok,
        "language": lang_required & ~lang_match,
        "gender": gender_required & ~gender_match,
    }
    feasible = np.ones((n_r, n_s), dtype=bool)
    for part in excluded.values():
        feasible &= ~part
    slots = np.fromiter((s.slots(n_r) for s in sup), dtype=np.int64, count=n_s)
    return Matrix(scores=scores, feasible=feasible, excluded=excluded, slots=slots)


def cost_matrix(
    scores: np.ndarray, feasible: np.ndarray, slots: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Gains of referrals (rows) in capacity slots, then one unassigned column per referral.

    Returns the matrix for ``linear_sum_assignment(..., maximize=True)`` and the supporter
    owning each slot column. Forbidden cells are -inf.
    """
    n_r = scores.shape[0]
    # A supporter never needs more slots than referrals they may take.
    slots = np.minimum(slots, feasible.sum(axis=0))
    owner = np.repeat(np.arange(scores.shape[1]), slots)
    n_k = owner.size
    epsilon = 2.0 ** -(int(n_r).bit_length() + 1)  # n_r * ε < 1/2: integer totals come first
    # Each supporter's gains, plus a last column of -inf that every unassigned column copies;
    # one gather then writes the whole matrix without temporaries (it is large: 2,000 rows).
    gains = np.full((n_r, scores.shape[1] + 1), -np.inf)
    np.add(scores, epsilon, out=gains[:, :-1], where=feasible)
    columns = np.concatenate([owner, np.full(n_r, scores.shape[1])])
    cost = np.take(gains, columns, axis=1)
    cost[np.arange(n_r), n_k + np.arange(n_r)] = 0.0
    return cost, owner


def solver_input(
    scores: np.ndarray, feasible: np.ndarray, slots: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The referral rows worth solving (someone may take them), their cost matrix, slot owners."""
    rows = np.flatnonzero(feasible.any(axis=1))
    cost, owner = cost_matrix(scores[rows], feasible[rows], slots)
    return rows, cost, owner


def assignment_solve(scores: np.ndarray, feasible: np.ndarray, slots: np.ndarray) -> np.ndarray:
    """The supporter (column index) for each referral, or -1: the best total fit within slots."""
    chosen = np.full(scores.shape[0], -1, dtype=np.int64)
    rows, cost, owner = solver_input(scores, feasible, slots)
    if rows.size == 0 or owner.size == 0:
        return chosen
    assigned_rows, columns = linear_sum_assignment(cost, maximize=True)
    to_slot = columns < owner.size
    chosen[rows[assigned_rows[to_slot]]] = owner[columns[to_slot]]
    return chosen


# --- proposing -----------------------------------------------------------------------------


def _referral_ids(referrals) -> list[int]:
    if isinstance(referrals, QuerySet):
        return list(referrals.values_list("pk", flat=True))
    ids = [r if isinstance(r, int) else r.pk for r in referrals]
    return list(dict.fromkeys(ids))


_WISH_FIELDS = (
    "pk",
    "organization_id",
    "program__organization_id",
    "status",
    "participant_id",
    "program_id",
    "preferred_language",
    "language_required",
    "supporter_gender_preference",
    "gender_required",
    "meeting_place",
    "remote_ok",
    "lived_experience_wanted",
    "preferred_times",
)


def _wishes_of_rows(rows: list[tuple]) -> list[Wishes]:
    return [
        Wishes(
            participant_id=row[4],
            program_id=row[5],
            referral_id=row[0],
            language=row[6],
            language_required=row[7],
            gender=row[8],
            gender_required=row[9],
            place=row[10].strip(),
            remote_ok=row[11],
            lived_experience=tuple(row[12] or ()),
            preferred_times=tuple(row[13] or ()),
        )
        for row in rows
    ]


def _refuse_unmatchable(organization, ids: list[int], found: dict[int, tuple]) -> None:
    """Name every referral that cannot be matched in this organization's batch."""
    bad = [
        pk
        for pk in ids
        if pk not in found
        or found[pk][1] != organization.pk
        or found[pk][2] != organization.pk
        or found[pk][3] not in MATCHABLE_STATUSES
    ]
    if not bad:
        return
    own = {
        r.pk: r
        for r in Referral.objects.filter(pk__in=bad, organization=organization).select_related(
            "participant"
        )
    }
    problems = []
    for pk in bad:
        referral = own.get(pk)
        if referral is None:
            problems.append(_("referral #%(pk)s is not one of this organization's") % {"pk": pk})
        else:
            problems.append(
                _("%(name)s (%(status)s)")
                % {"name": referral.participant, "status": referral.get_status_display()}
            )
    raise RuleViolation(
        _("Only accepted or waitlisted referrals of this organization can be matched: %(list)s.")
        % {"list": "; ".join(problems)},
        missing=problems,
    )


def _blocked(
    organization_id: int, wishes: list[Wishes], programs: dict[int, str]
) -> dict[int, str]:
    """Rows that cannot be matched whoever the supporter: an open engagement, or a duplicate."""
    wanted = {(w.participant_id, w.program_id) for w in wishes}
    # The organization's open engagements: cheaper than an IN list of every participant.
    open_now = wanted.intersection(
        Engagement.objects.filter(organization_id=organization_id, state__in=OPEN_STATES)
        .order_by()
        .values_list("participant_id", "program_id")
    )
    blocked: dict[int, str] = {}
    seen: set[tuple[int, int]] = set()
    for i, w in enumerate(wishes):
        key = (w.participant_id, w.program_id)
        if key in open_now:
            blocked[i] = _("already has an open engagement in %(program)s") % {
                "program": programs.get(w.program_id, "")
            }
        elif key in seen:
            blocked[i] = _("another referral of the same person for this program is in the batch")
        seen.add(key)
    return blocked


def _why_nobody(matrix: Matrix, row: int, n_supporters: int) -> str:
    if n_supporters == 0:
        return _("no peer supporters are set up")
    counts = []
    for key, phrase in EXCLUSIONS:
        part = np.broadcast_to(matrix.excluded[key], matrix.feasible.shape)[row]
        n = int(part.sum())
        if n:
            counts.append(f"{n} {_(phrase)}")
    return _("no eligible peer supporter: %(counts)s") % {"counts": ", ".join(counts)}


@dataclass
class Problem:
    """A batch to solve: the referrals' wishes, the supporters, and every pair's figures."""

    wishes: list[Wishes]
    pool: Pool
    matrix: Matrix
    blocked: dict[int, str]  # row → why nobody may take this referral


def batch_problem(*, organization, referrals) -> Problem:
    """Read and score a batch in a constant number of queries; refuse unmatchable referrals."""
    ids = _referral_ids(referrals)
    if not ids:
        raise RuleViolation(_("Choose at least one waiting referral."))
    rows = {
        row[0]: row
        for row in Referral.objects.filter(pk__in=ids).order_by().values_list(*_WISH_FIELDS)
    }
    _refuse_unmatchable(organization, ids, rows)
    wishes = _wishes_of_rows([rows[pk] for pk in ids])
    pool = supporter_pool(organization_id=organization.pk, wishes=wishes, with_profiles=False)
    matrix = score_matrix(wishes, pool)
    program_names = dict(organization.programs.values_list("pk", "name"))
    blocked = _blocked(organization.pk, wishes, program_names)
    if blocked:
        matrix.feasible[list(blocked)] = False
    return Problem(wishes=wishes, pool=pool, matrix=matrix, blocked=blocked)


def batch_propose(*, organization, referrals, actor) -> MatchBatch:
    """Propose the best assignment of these waiting referrals; nothing is matched yet."""
    problem = batch_problem(organization=organization, referrals=referrals)
    wishes, pool, matrix, blocked = problem.wishes, problem.pool, problem.matrix, problem.blocked
    chosen = assignment_solve(matrix.scores, matrix.feasible, matrix.slots)

    proposal = []
    total = 0
    phrases = words()
    for i, w in enumerate(wishes):
        j = int(chosen[i])
        if j >= 0:
            supporter = pool.supporters[j]
            judged = judge(w, supporter, pool, phrases)
            total += judged.score
            entry = {
                "referral": w.referral_id,
                "supporter": supporter.user_id,
                "score": judged.score,
                "reasons": judged.reasons,
                "unassigned_reason": "",
            }
        else:
            if i in blocked:
                why = blocked[i]
            elif not matrix.feasible[i].any():
                why = _why_nobody(matrix, i, len(pool.supporters))
            else:
                why = _("the peer supporters who fit have no room left after this batch's matches")
            entry = {
                "referral": w.referral_id,
                "supporter": None,
                "score": 0,
                "reasons": [],
                "unassigned_reason": why,
            }
        proposal.append(entry)
    with transaction.atomic():
        batch = MatchBatch.objects.create(
            organization=organization, created_by=actor, proposal=proposal, total_score=total
        )
        event_record(
            actor=actor,
            organization=organization,
            action="match.batch_proposed",
            obj=batch,
            data={
                "referrals": len(proposal),
                "assigned": sum(1 for e in proposal if e["supporter"]),
                "total_score": total,
            },
        )
    return batch


# --- confirming ----------------------------------------------------------------------------


def _pairs(pairs: dict) -> dict[int, int | None]:
    cleaned: dict[int, int | None] = {}
    for referral_id, user_id in pairs.items():
        cleaned[int(referral_id)] = int(user_id) if user_id not in (None, "") else None
    return cleaned


def _room_problem(supporter: Supporter, n: int) -> str | None:
    room = supporter.slots(n)
    if room >= n:
        return None
    if room == 0 and n == 1:
        return _("%(name)s has no room left for a new participant") % {"name": supporter.name}
    if room == 0:
        return _("%(name)s has no room left for %(n)s more") % {"name": supporter.name, "n": n}
    return _("%(name)s has room for %(room)s more, not %(n)s") % {
        "name": supporter.name,
        "room": room,
        "n": n,
    }


def batch_confirm(*, batch: MatchBatch, actor, pairs: dict) -> list[Engagement]:
    """Create every engagement of the reviewed batch at once, or none if anything changed."""
    pairs = _pairs(pairs)
    with transaction.atomic():
        current = MatchBatch.objects.select_for_update().get(pk=batch.pk)
        if current.status == MatchBatch.Status.CONFIRMED:
            raise RuleViolation(_("This batch was already confirmed; propose a new one."))
        if current.status != MatchBatch.Status.PROPOSED:
            raise RuleViolation(_("This batch was discarded; propose a new one."))
        organization = current.organization
        in_batch = {entry["referral"] for entry in current.proposal}
        problems = [
            _("referral #%(pk)s is not part of this batch") % {"pk": pk}
            for pk in pairs
            if pk not in in_batch
        ]
        chosen = {r: s for r, s in pairs.items() if s is not None and r in in_batch}
        if not chosen and not problems:
            raise RuleViolation(
                _("Nothing to confirm: choose a peer supporter for at least one referral.")
            )
        referrals = {
            r.pk: r
            for r in Referral.objects.select_for_update(of=("self",))
            .filter(pk__in=chosen, organization=organization)
            .select_related("participant", "program", "organization")
            .order_by("pk")
        }
        user_ids = set(chosen.values())
        locked = set(
            PeerSupporterProfile.objects.select_for_update()
            .filter(organization=organization, user_id__in=user_ids)
            .order_by("pk")
            .values_list("user_id", flat=True)
        )
        strangers = User.objects.filter(pk__in=user_ids - locked).order_by("pk")
        problems += [
            _("%(name)s is not a peer supporter of this organization") % {"name": user}
            for user in strangers
        ]
        wishes = {pk: Wishes.of_referral(r) for pk, r in referrals.items()}
        pool = supporter_pool(
            organization_id=organization.pk, wishes=list(wishes.values()), user_ids=locked
        )
        supporters = pool.by_user()
        open_now = set(
            Engagement.objects.filter(
                participant_id__in={r.participant_id for r in referrals.values()},
                program_id__in={r.program_id for r in referrals.values()},
                state__in=OPEN_STATES,
            ).values_list("participant_id", "program_id")
        )
        seen: set[tuple[int, int]] = set()
        scores: dict[int, int] = {}
        for pk, user_id in sorted(chosen.items()):
            referral = referrals.get(pk)
            if referral is None:
                problems.append(_("referral #%(pk)s no longer exists") % {"pk": pk})
                continue
            name = referral.participant
            if referral.status == Status.MATCHED:
                problems.append(_("%(name)s was matched meanwhile") % {"name": name})
                continue
            if referral.status not in MATCHABLE_STATUSES:
                problems.append(
                    _("%(name)s's referral is now %(status)s")
                    % {"name": name, "status": referral.get_status_display()}
                )
                continue
            key = (referral.participant_id, referral.program_id)
            if key in open_now:
                problems.append(
                    _("%(name)s already has an open engagement in %(program)s")
                    % {"name": name, "program": referral.program}
                )
            elif key in seen:
                problems.append(
                    _("%(name)s is in this batch twice for %(program)s")
                    % {"name": name, "program": referral.program}
                )
            seen.add(key)
            supporter = supporters.get(user_id)
            if supporter is None:
                continue  # named above
            judged = judge(wishes[pk], supporter, pool)
            scores[pk] = judged.score
            other = [e for e in judged.exclusions if e != _("at capacity")]
            if other:
                problems.append(
                    _("%(supporter)s cannot take %(name)s: %(why)s")
                    % {"supporter": supporter.name, "name": name, "why": ", ".join(other)}
                )
        per_supporter = Counter(chosen.values())
        for user_id, n in sorted(per_supporter.items()):
            supporter = supporters.get(user_id)
            if supporter is not None and (problem := _room_problem(supporter, n)):
                problems.append(problem)
        if problems:
            raise RuleViolation(
                _("Nothing was confirmed; these changed or do not fit: %(list)s.")
                % {"list": "; ".join(str(p) for p in problems)},
                missing=[str(p) for p in problems],
            )

        users = {u.pk: u for u in User.objects.filter(pk__in=user_ids)}
        engagements: list[Engagement] = []
        made: dict[int, list[Engagement]] = defaultdict(list)
        for pk, user_id in sorted(chosen.items()):
            engagement = match_create(
                referral=referrals[pk], supporter=users[user_id], actor=actor, score=scores[pk]
            )
            engagements.append(engagement)
            made[user_id].append(engagement)
        current.status = MatchBatch.Status.CONFIRMED
        current.confirmed_at = timezone.now()
        current.save(update_fields=["status", "confirmed_at"])
        for user_id, theirs in made.items():
            count = len(theirs)
            # The text is emailed: it says how many, never who (in the supporter's language).
            notify(
                user=users[user_id],
                organization=organization,
                text=lambda n=count: (
                    ngettext(
                        "You have a new participant to welcome (onboarding).",
                        "You have %(n)s new participants to welcome (onboarding).",
                        n,
                    )
                    % {"n": n}
                ),
                url=reverse("engagements:detail", args=[theirs[0].pk])
                if len(theirs) == 1
                else reverse("engagements:list"),
            )
        event_record(
            actor=actor,
            organization=organization,
            action="match.batch_confirmed",
            obj=current,
            data={
                "pairs": {str(pk): user_id for pk, user_id in sorted(chosen.items())},
                "engagements": [e.pk for e in engagements],
            },
        )
    batch.status, batch.confirmed_at = current.status, current.confirmed_at
    return engagements
