"""Batch matching is optimal, and its numpy figures are exactly those of the one-by-one judge."""

from __future__ import annotations

import datetime

import numpy as np
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alongside.accounts.models import TIMES_OF_WEEK, AvailabilityWindow, SupporterConflict
from alongside.matching.batch import assignment_solve, batch_propose, score_matrix
from alongside.matching.models import DeclinedSupporter, MatchingWeights
from alongside.matching.services import Pool, Supporter, Wishes, judge, supporter_pool
from alongside.matching.tests import factories
from alongside.organizations.models import Program

# No example database written into the working tree; every run draws afresh.
QUICK = settings(max_examples=300, deadline=None, database=None)
WITH_DATABASE = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

LANGUAGES = ["en", "es", "vi"]
AREAS = ["substance_use", "trauma", "parenting"]
GENDERS = ["woman", "man", "nonbinary"]
PLACES = ["Eastside", "Westside"]


def brute_force(scores: np.ndarray, feasible: np.ndarray, slots) -> int:
    """The best total over every assignment that respects feasibility and slots."""
    n_r, n_s = scores.shape
    used = [0] * n_s
    best = 0

    def place(i: int, total: int) -> None:
        nonlocal best
        if i == n_r:
            best = max(best, total)
            return
        place(i + 1, total)  # this referral waits
        for j in range(n_s):
            if feasible[i, j] and used[j] < slots[j]:
                used[j] += 1
                place(i + 1, total + int(scores[i, j]))
                used[j] -= 1

    place(0, 0)
    return best


@st.composite
def instances(draw):
    n_r = draw(st.integers(1, 6))
    n_s = draw(st.integers(1, 4))
    scores = np.array(
        draw(st.lists(st.integers(0, 100), min_size=n_r * n_s, max_size=n_r * n_s))
    ).reshape(n_r, n_s)
    feasible = np.array(
        draw(st.lists(st.booleans(), min_size=n_r * n_s, max_size=n_r * n_s)), dtype=bool
    ).reshape(n_r, n_s)
    slots = np.array(draw(st.lists(st.integers(0, 3), min_size=n_s, max_size=n_s)))
    return scores, feasible, slots


@QUICK
@given(instances())
def test_the_assignment_total_equals_the_brute_force_maximum(instance):
    scores, feasible, slots = instance

    chosen = assignment_solve(scores, feasible, slots)

    assigned = [(i, int(j)) for i, j in enumerate(chosen) if j >= 0]
    assert all(feasible[i, j] for i, j in assigned)
    for j in range(scores.shape[1]):
        assert sum(1 for _, s in assigned if s == j) <= slots[j]
    assert sum(int(scores[i, j]) for i, j in assigned) == brute_force(scores, feasible, slots)


@QUICK
@given(instances())
def test_among_equally_good_assignments_the_one_matching_more_people_wins(instance):
    scores, feasible, slots = instance
    scores = np.zeros_like(scores)  # everything ties: only the number of matches differs

    chosen = assignment_solve(scores, feasible, slots)

    # The most referrals that can be placed is the brute force maximum with unit scores.
    placed = int((chosen >= 0).sum())
    assert placed == brute_force(np.ones_like(scores), feasible, slots)


# --- the numpy figures equal judge(), pair by pair ------------------------------------------


@st.composite
def pools(draw):
    n_s = draw(st.integers(1, 5))
    supporters = []
    for j in range(n_s):
        capacity = draw(st.integers(0, 4))
        tier_tenths = tuple(draw(st.sampled_from([0, 5, 10, 15, 20])) for _ in range(3))
        supporters.append(
            Supporter(
                profile_id=100 + j,
                user_id=200 + j,
                name=f"S{j}",
                programs=frozenset(draw(st.sets(st.sampled_from([1, 2])))),
                languages=frozenset(draw(st.sets(st.sampled_from(LANGUAGES)))),
                lived_experience=frozenset(draw(st.sets(st.sampled_from(AREAS)))),
                gender=draw(st.sampled_from([*GENDERS, "undisclosed"])),
                places={p.casefold(): p for p in draw(st.sets(st.sampled_from(PLACES)))},
                remote_only=draw(st.booleans()),
                accepting=draw(st.booleans()),
                active=draw(st.booleans()),
                capacity_tenths=capacity * 10,
                load_tenths=draw(st.integers(0, 50)),
                tier_tenths=tier_tenths,
                times=frozenset(draw(st.sets(st.sampled_from(TIMES_OF_WEEK)))),
            )
        )
    n_r = draw(st.integers(1, 5))
    wishes = [
        Wishes(
            participant_id=draw(st.integers(1, 3)),
            program_id=draw(st.sampled_from([1, 2])),
            referral_id=300 + i,
            language=draw(st.sampled_from(LANGUAGES)),
            language_required=draw(st.booleans()),
            gender=draw(st.sampled_from(["", *GENDERS])),
            gender_required=draw(st.booleans()),
            place=draw(st.sampled_from(["", " eastside", "WESTSIDE", "Northside"])),
            remote_ok=draw(st.booleans()),
            lived_experience=tuple(draw(st.lists(st.sampled_from(AREAS), max_size=4))),
            tier=draw(st.sampled_from([None, 1, 2, 3])),
            preferred_times=tuple(
                draw(st.lists(st.sampled_from([*TIMES_OF_WEEK, "brunch"]), max_size=3))
            ),
        )
        for i in range(n_r)
    ]
    weight = st.integers(0, 60)
    weights = {
        pid: MatchingWeights(
            program_id=pid,
            language=draw(weight),
            lived_experience=draw(weight),
            lived_experience_max=draw(weight),
            gender=draw(weight),
            place=draw(weight),
            capacity=draw(weight),
            availability=draw(weight),
        )
        for pid in (1, 2)
    }
    conflicts = draw(
        st.sets(st.tuples(st.sampled_from([s.profile_id for s in supporters]), st.integers(1, 3)))
    )
    declined = draw(
        st.sets(
            st.tuples(
                st.sampled_from([w.referral_id for w in wishes]),
                st.sampled_from([s.user_id for s in supporters]),
            )
        )
    )
    pool = Pool(
        supporters=supporters,
        weights=weights,
        conflicts=conflicts,
        declined=declined,
        experience_labels={a: a for a in AREAS},
    )
    return wishes, pool


@QUICK
@given(pools())
def test_the_numpy_scores_and_constraints_equal_the_judge_pair_by_pair(drawn):
    wishes, pool = drawn

    matrix = score_matrix(wishes, pool)

    for i, w in enumerate(wishes):
        for j, s in enumerate(pool.supporters):
            judged = judge(w, s, pool)
            assert matrix.scores[i, j] == judged.score, (w, s)
            assert matrix.feasible[i, j] == judged.eligible, (w, s, judged.exclusions)
    assert list(matrix.slots) == [s.slots(len(wishes)) for s in pool.supporters]


# --- end to end, through the database --------------------------------------------------------


class _Rollback(Exception):
    pass


# A weekly window: a day, the hour it starts, how many hours it lasts (ending by 23:00).
windows = st.tuples(st.integers(0, 6), st.integers(0, 21), st.integers(1, 4))


@st.composite
def organizations(draw):
    supporters = [
        {
            "languages": sorted(draw(st.sets(st.sampled_from(LANGUAGES), min_size=1))),
            "lived_experience": sorted(draw(st.sets(st.sampled_from(AREAS)))),
            "gender": draw(st.sampled_from(GENDERS)),
            "capacity": draw(st.integers(0, 3)),
            "tier1_load": 1,
            "accepting": draw(st.booleans() | st.just(True)),
            "remote_only": draw(st.booleans()),
            "locations_served": sorted(draw(st.sets(st.sampled_from(PLACES)))),
            # At most one window a day: windows of one day never overlap.
            "windows": draw(st.lists(windows, max_size=3, unique_by=lambda w: w[0])),
        }
        for _ in range(draw(st.integers(1, 4)))
    ]
    referrals = [
        {
            "preferred_language": draw(st.sampled_from(LANGUAGES)),
            "language_required": draw(st.booleans()),
            "lived_experience_wanted": sorted(draw(st.sets(st.sampled_from(AREAS)))),
            "supporter_gender_preference": draw(st.sampled_from(["", *GENDERS])),
            "gender_required": draw(st.booleans()),
            "meeting_place": draw(st.sampled_from(["", "eastside", "Westside "])),
            "remote_ok": draw(st.booleans()),
            "preferred_times": sorted(
                draw(st.sets(st.sampled_from(TIMES_OF_WEEK))), key=TIMES_OF_WEEK.index
            ),
        }
        for _ in range(draw(st.integers(1, 6)))
    ]
    weight = st.integers(0, 50)
    weights = {
        name: draw(weight)
        for name in ("language", "lived_experience", "gender", "place", "capacity", "availability")
    }
    weights["lived_experience_max"] = draw(st.integers(0, 90))
    n_s, n_r = len(supporters), len(referrals)
    conflicts = draw(st.sets(st.tuples(st.integers(0, n_s - 1), st.integers(0, n_r - 1))))
    declines = draw(st.sets(st.tuples(st.integers(0, n_r - 1), st.integers(0, n_s - 1))))
    return supporters, referrals, weights, conflicts, declines


@WITH_DATABASE
@given(organizations())
def test_a_proposed_batch_has_the_best_total_fit_a_brute_force_finds(world, drawn):
    supporters, referrals, weights, conflicts, declines = drawn
    try:
        with transaction.atomic():
            program = Program.objects.create(organization=world.org, name="Batch program")
            MatchingWeights.objects.create(program=program, **weights)
            profiles = []
            for n, drawn_supporter in enumerate(supporters):
                fields = dict(drawn_supporter)
                days = fields.pop("windows")
                profile = factories.supporter(world, f"Peer{n}", programs=[program], **fields)
                AvailabilityWindow.objects.bulk_create(
                    AvailabilityWindow(
                        profile=profile,
                        weekday=day,
                        starts=datetime.time(hour),
                        ends=datetime.time(min(hour + hours, 23)),
                    )
                    for day, hour, hours in days
                )
                profiles.append(profile)
            made = [
                factories.referral(world, first_name=f"P{n}", program=program, **fields)
                for n, fields in enumerate(referrals)
            ]
            for s, r in conflicts:
                SupporterConflict.objects.create(
                    profile=profiles[s], participant=made[r].participant
                )
            for r, s in declines:
                DeclinedSupporter.objects.create(
                    referral=made[r], supporter=profiles[s].user, recorded_by=world.coordinator
                )

            batch = batch_propose(organization=world.org, referrals=made, actor=world.coordinator)

            wishes = [Wishes.of_referral(r) for r in made]
            pool = supporter_pool(organization_id=world.org.pk, wishes=wishes)
            judged = [[judge(w, s, pool) for s in pool.supporters] for w in wishes]
            scores = np.array([[j.score for j in row] for row in judged])
            feasible = np.array([[j.eligible for j in row] for row in judged], dtype=bool)
            slots = [s.slots(len(made)) for s in pool.supporters]
            assert batch.total_score == brute_force(scores, feasible, slots)
            column = {s.user_id: j for j, s in enumerate(pool.supporters)}
            for i, entry in enumerate(batch.proposal):
                assert entry["referral"] == made[i].pk
                if entry["supporter"] is not None:
                    j = column[entry["supporter"]]
                    assert feasible[i, j]
                    assert entry["score"] == scores[i, j]
                    assert entry["reasons"] == judged[i][j].reasons
                else:
                    assert entry["unassigned_reason"]
            raise _Rollback
    except _Rollback:
        pass
