"""Matching budgets of issue 3: suggestions for one referral, and batch matching.

    python benchmarks/matching.py [--quick] [-n 25]

(a) ``supporter_suggestions`` for one referral with wishes of every kind (good times to
    meet included) against every supporter (500): median server time over n runs
    (budget under 50 ms) and its number of queries.
(b) ``batch_propose`` for 2,000 waiting referrals and 500 supporters with capacities,
    end to end (reading, scoring, solving, writing the proposal; budget under 2 s),
    and, in the same rounds, the raw ``linear_sum_assignment`` call on the very cost
    matrix the batch solves: the ratio batch / raw solver (aim: at most 1.5).

The synthetic organization lives in var/bench-matching[-quick].sqlite3, written with
``bulk_create`` the first time and reused afterwards (delete the file to rebuild); a
file built before availability counted gets its windows and good times added once.
``--quick`` uses 100 supporters and 300 referrals (a smoke run: there the solver takes a
few milliseconds, so the ratio says little).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLUG = "bench-matching"
WARMUP = 2


def configure(quick: bool) -> Path:
    """Settings for a production-like run against the benchmark's own SQLite file."""
    database = ROOT / "var" / f"bench-matching{'-quick' if quick else ''}.sqlite3"
    database.parent.mkdir(exist_ok=True)
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "alongside.settings"
    os.environ["ALONGSIDE_DEBUG"] = "0"
    os.environ["ALONGSIDE_HTTPS"] = "0"
    os.environ["ALONGSIDE_SQLITE_PATH"] = str(database)
    os.environ.pop("DATABASE_URL", None)
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import django

    django.setup()
    return database


NEIGHBORHOODS = [
    "Eastside",
    "Westside",
    "Riverside",
    "Old Town",
    "North Valley",
    "Harbor",
    "Hillcrest",
    "Mill District",
    "Southgate",
    "Lakeview",
]
OTHER_LANGUAGES = ["zh", "vi", "ar", "fr", "ht", "asl"]


def build(supporters: int, referrals: int, seed: int = 0) -> None:
    """One organization, two programs, supporters with caseloads, waiting referrals."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from alongside.accounts.models import (
        Gender,
        LivedExperience,
        Membership,
        PeerSupporterProfile,
        Role,
        User,
    )
    from alongside.engagements.models import Engagement, State
    from alongside.organizations.models import Organization, Program
    from alongside.participants.models import Participant
    from alongside.referrals.models import Referral, Source, Status

    rng = random.Random(seed)
    areas = [a for a, _ in LivedExperience.choices]
    now = timezone.now()
    today = timezone.localdate()
    unusable = make_password(None)
    with transaction.atomic():
        org = Organization.objects.create(name="Benchmark Peer Network", slug=SLUG)
        cps = Program.objects.create(organization=org, name="Community Peer Support")
        respite = Program.objects.create(organization=org, name="Peer Respite")
        users = User.objects.bulk_create(
            User(username=f"bench-peer-{i:04d}", first_name=f"Peer{i:04d}", password=unusable)
            for i in range(supporters)
        )
        Membership.objects.bulk_create(
            Membership(user=u, organization=org, role=Role.SUPPORTER) for u in users
        )
        profiles = []
        for user in users:
            languages = ["en"] + (["es"] if rng.random() < 0.3 else [])
            if rng.random() < 0.1:
                languages.append(rng.choice(OTHER_LANGUAGES))
            profiles.append(
                PeerSupporterProfile(
                    user=user,
                    organization=org,
                    languages=languages,
                    lived_experience=rng.sample(areas, rng.randint(1, 3)),
                    gender=rng.choices(
                        [Gender.WOMAN, Gender.MAN, Gender.NONBINARY], weights=[5, 4, 1]
                    )[0],
                    locations_served=rng.sample(NEIGHBORHOODS, rng.randint(1, 3)),
                    remote_only=rng.random() < 0.1,
                    capacity=rng.randint(8, 20),
                    accepting=rng.random() < 0.9,
                )
            )
        profiles = PeerSupporterProfile.objects.bulk_create(profiles)
        through = PeerSupporterProfile.programs.through
        links = []
        for profile in profiles:
            in_cps = rng.random() < 0.9
            if in_cps:
                links.append(through(peersupporterprofile=profile, program=cps))
            if not in_cps or rng.random() < 0.3:
                links.append(through(peersupporterprofile=profile, program=respite))
        through.objects.bulk_create(links)

        # Current caseloads: most supporters are fairly full, a few have plenty of room.
        caseload = [(p.user_id, rng.randint(0, int(p.capacity / 1.5))) for p in profiles]
        people = Participant.objects.bulk_create(
            Participant(organization=org, first_name=f"Person{i:05d}", last_name="Bench")
            for i in range(sum(n for _, n in caseload) + referrals)
        )
        engaged, waiting = people[: len(people) - referrals], people[len(people) - referrals :]
        rows, k = [], 0
        for user_id, n in caseload:
            for _ in range(n):
                rows.append(
                    Engagement(
                        organization=org,
                        program=cps,
                        participant=engaged[k],
                        supporter_id=user_id,
                        state=rng.choice([State.ONBOARDING, State.ACTIVE, State.ACTIVE]),
                        state_changed_at=now,
                        started_on=today - datetime.timedelta(days=rng.randint(1, 400)),
                        tier=rng.choice([None, 1, 2, 2, 3]),
                    )
                )
                k += 1
        Engagement.objects.bulk_create(rows, batch_size=2000)
        Referral.objects.bulk_create(
            (
                Referral(
                    organization=org,
                    program=cps if rng.random() < 0.85 else respite,
                    participant=person,
                    source=Source.CLINIC,
                    needs="Someone who has been there.",
                    preferred_language=(
                        language := rng.choices(
                            ["en", "es", rng.choice(OTHER_LANGUAGES)], weights=[70, 25, 5]
                        )[0]
                    ),
                    language_required=language != "en" and rng.random() < 0.3,
                    supporter_gender_preference=(
                        gender := rng.choice(["", "", "", "", Gender.WOMAN, Gender.MAN])
                    ),
                    gender_required=bool(gender) and rng.random() < 0.3,
                    meeting_place=rng.choice(NEIGHBORHOODS) if rng.random() < 0.6 else "",
                    remote_ok=rng.random() < 0.7,
                    lived_experience_wanted=rng.sample(areas, rng.randint(0, 2)),
                    status=rng.choice([Status.ACCEPTED, Status.ACCEPTED, Status.WAITLISTED]),
                )
                for person in waiting
            ),
            batch_size=2000,
        )
        add_times(org)


def add_times(org, seed: int = 1) -> None:
    """Weekly windows of every supporter, good times to meet of about half the referrals.

    A generator of its own, so the rest of the organization draws as before (and a file
    built before availability counted gets the same figures as a fresh one).
    """
    from django.db import transaction

    from alongside.accounts.models import TIMES_OF_WEEK, AvailabilityWindow, PeerSupporterProfile
    from alongside.referrals.models import Referral

    rng = random.Random(seed)
    profiles = list(PeerSupporterProfile.objects.filter(organization=org).order_by("pk"))
    windows = []
    for profile in profiles:
        for weekday in sorted(rng.sample(range(7), rng.randint(2, 4))):
            start = rng.randint(8, 19)
            windows.append(
                AvailabilityWindow(
                    profile=profile,
                    weekday=weekday,
                    starts=datetime.time(start),
                    ends=datetime.time(min(start + rng.randint(2, 4), 23)),
                )
            )
    referrals = list(Referral.objects.filter(organization=org).order_by("pk"))
    for referral in referrals:
        if rng.random() < 0.5:
            picked = set(rng.sample(TIMES_OF_WEEK, rng.randint(1, 2)))
            referral.preferred_times = [code for code in TIMES_OF_WEEK if code in picked]
    with transaction.atomic():
        AvailabilityWindow.objects.bulk_create(windows, batch_size=2000)
        Referral.objects.bulk_update(referrals, ["preferred_times"], batch_size=2000)


def prepare(database: Path, supporters: int, referrals: int) -> None:
    from django.core.management import call_command

    from alongside.accounts.models import AvailabilityWindow
    from alongside.organizations.models import Organization

    call_command("migrate", verbosity=0, interactive=False)
    org = Organization.objects.filter(slug=SLUG).first()
    if org is None:
        print(
            f"Building {supporters} supporters and {referrals} referrals in "
            f"{database.relative_to(ROOT)} (once)…"
        )
        started = time.perf_counter()
        build(supporters, referrals)
        print(f"  built in {time.perf_counter() - started:.1f} s")
    elif not AvailabilityWindow.objects.filter(profile__organization=org).exists():
        print(f"Adding availability to {database.relative_to(ROOT)} (once)…")
        add_times(org)


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 supporters, 300 referrals")
    parser.add_argument("-n", type=int, default=25, help="timed runs of each (at least 20)")
    args = parser.parse_args()
    supporters, referrals = (100, 300) if args.quick else (500, 2000)
    rounds = max(args.n, 20)

    database = configure(args.quick)
    prepare(database, supporters, referrals)

    import numpy as np
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from scipy.optimize import linear_sum_assignment

    from alongside.accounts.models import PeerSupporterProfile, User
    from alongside.matching import batch as batching
    from alongside.matching.models import MatchBatch
    from alongside.matching.services import supporter_suggestions
    from alongside.organizations.models import Organization
    from alongside.referrals.models import Referral, Status

    org = Organization.objects.get(slug=SLUG)
    actor = User.objects.filter(supporter_profiles__organization=org).first()
    waiting = Referral.objects.filter(
        organization=org, status__in=[Status.ACCEPTED, Status.WAITLISTED]
    ).order_by("pk")
    ids = list(waiting.values_list("pk", flat=True))
    n_supporters = PeerSupporterProfile.objects.filter(organization=org).count()
    # One referral with wishes of every kind, as the suggestions page would show it.
    one = (
        waiting.exclude(meeting_place="")
        .exclude(lived_experience_wanted=[])
        .exclude(preferred_times=[])
        .first()
        or waiting.first()
    )

    # (a) suggestions for one referral
    times = []
    for n in range(WARMUP + rounds):
        started = time.perf_counter()
        suggestions = supporter_suggestions(one)
        elapsed = time.perf_counter() - started
        if n >= WARMUP:
            times.append(elapsed)
    with CaptureQueriesContext(connection) as captured:
        supporter_suggestions(one)
    suggestions_ms = median_ms(times)
    eligible = sum(1 for s in suggestions if s.eligible)

    # (b) batch_propose end to end, and the raw solver on the same cost matrix.
    def cost_of_batch():
        """The very matrix batch_propose hands to the solver (same reading, same scoring)."""
        problem = batching.batch_problem(organization=org, referrals=ids)
        m = problem.matrix
        _rows, cost, _owner = batching.solver_input(m.scores, m.feasible, m.slots)
        return cost

    cost = cost_of_batch()
    # Interleaved, so drift (other processes, memory) touches both alike.
    batch_runs = max(rounds // 3, 5)
    batch_times, solver_times, totals = [], [], set()
    for n in range(1 + batch_runs):
        started = time.perf_counter()
        proposal = batching.batch_propose(organization=org, referrals=ids, actor=actor)
        elapsed = time.perf_counter() - started
        totals.add(proposal.total_score)
        started = time.perf_counter()
        rows, cols = linear_sum_assignment(cost, maximize=True)
        raw = time.perf_counter() - started
        if n >= 1:  # the first round warms caches
            batch_times.append(elapsed)
            solver_times.append(raw)
    assigned = sum(1 for row in proposal.proposal if row["supporter"])
    raw_total = int(np.floor(cost[rows, cols][np.isfinite(cost[rows, cols])].sum()))
    MatchBatch.objects.filter(organization=org).delete()

    batch_s = statistics.median(batch_times)
    solver_s = statistics.median(solver_times)
    ratio = batch_s / solver_s
    print(
        f"matching: {n_supporters} supporters, {len(ids)} waiting referrals, SQLite "
        f"({database.relative_to(ROOT)})"
    )
    print(
        f"  (a) suggestions for one referral: {suggestions_ms:6.1f} ms median of {rounds}, "
        f"{len(captured.captured_queries)} queries, {eligible} of {len(suggestions)} eligible "
        f"(budget < 50 ms)"
    )
    print(
        f"  (b) batch_propose end to end:     {batch_s * 1000:6.1f} ms median of "
        f"{len(batch_times)} (budget < 2000 ms); {assigned} of {len(ids)} matched, "
        f"total fit {proposal.total_score}"
    )
    print(
        f"      raw linear_sum_assignment:    {solver_s * 1000:6.1f} ms median, same "
        f"{cost.shape[0]} x {cost.shape[1]} matrix (total {raw_total}); "
        f"ratio {ratio:.2f} (aim <= 1.5)"
    )
    if len(totals) != 1 or raw_total != proposal.total_score:
        print("  the batch and the raw solver disagree on the total fit", file=sys.stderr)
        return 1
    print(f"RESULT matching {batch_s:.3f} s ratio={ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
