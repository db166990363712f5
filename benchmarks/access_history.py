"""A participant's access history among 500,000 access-log rows (issue 8).

    python benchmarks/access_history.py [--quick] [-n 15]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alongside python benchmarks/access_history.py

Writes 500,000 access-log rows (``--quick``: 50,000) through the same two tables the site
writes (``audit.AccessLog`` and its index ``audit.AccessLogParticipant``), each naming one
to three of 10,000 people; one participant, Pat, is named in 300 of them. Then times
``GET /portal/access-history/`` (first page, and page 5) as Pat, in-process through
Django's test client (server time: middleware, the count, the page of rows, the roles).
The baseline is ``GET /portal/details/`` (a small portal page, the same middleware and
sign-in), timed in the same interleaved rounds. On PostgreSQL it also times, once, what
the index replaces: finding Pat's rows in the log's JSON column
(``participant_ids @> [pk]``, a scan of the whole log).

Without DATABASE_URL it all lives in a throwaway SQLite file. With DATABASE_URL the rows
are written inside one transaction that the run rolls back, so nothing of it stays.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from django_setup import configure

WARMUP_ROUNDS = 2
PEOPLE = 10_000
PAT_ROWS = 300
BATCH = 5_000


def build(rows: int):
    """An organization, Pat and their supporter, and ``rows`` access-log rows."""
    from alongside.accounts.models import Membership, Role, User
    from alongside.audit.models import AccessLog, AccessLogParticipant
    from alongside.organizations.models import Organization
    from alongside.participants.models import Participant

    org = Organization.objects.create(name="Bench Access Network", slug="bench-access")
    staff = []
    for n, role in enumerate([Role.SUPPORTER, Role.COORDINATOR, Role.SUPERVISOR] * 4):
        user = User.objects.create_user(username=f"bench-access-{n}", first_name=f"Staff{n}")
        Membership.objects.create(user=user, organization=org, role=role)
        staff.append(user)
    pat_user = User.objects.create_user(username="bench-access-pat", first_name="Pat")
    Membership.objects.create(user=pat_user, organization=org, role=Role.PARTICIPANT)
    pat = Participant.objects.create(organization=org, user=pat_user, first_name="Pat")
    # Other people's ids: plain numbers are enough, the log does not point at them.
    others = [pat.pk + 1 + n for n in range(PEOPLE)]
    chance = PAT_ROWS / rows
    rng = random.Random(8)
    written = 0
    while written < rows:
        size = min(BATCH, rows - written)
        logs = []
        for _ in range(size):
            ids = set(rng.sample(others, rng.randint(1, 3)))
            if rng.random() < chance:
                ids.add(pat.pk)
            actor = rng.choice(staff)
            logs.append(
                AccessLog(
                    organization=org,
                    actor=actor,
                    method="GET",
                    path="/engagements/1/",
                    what="engagement",
                    participant_ids=sorted(ids),
                )
            )
        logs = AccessLog.objects.bulk_create(logs)
        AccessLogParticipant.objects.bulk_create(
            AccessLogParticipant(log=log, participant_id=pk, actor_id=log.actor_id, at=log.at)
            for log in logs
            for pk in log.participant_ids
        )
        written += size
    return pat, pat_user


def measure(pat_user, rounds: int):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(pat_user, backend="django.contrib.auth.backends.ModelBackend")
    targets = [
        ("baseline: GET /portal/details/", "/portal/details/"),
        ("access history, page 1", "/portal/access-history/"),
        ("access history, page 5", "/portal/access-history/?page=5"),
    ]
    timings: dict[str, list[float]] = {label: [] for label, _ in targets}
    for n in range(WARMUP_ROUNDS + rounds):
        for label, url in targets:
            begun = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - begun) * 1000
            if response.status_code != 200:
                print(f"{label}: GET {url} answered {response.status_code}", file=sys.stderr)
                return None
            if n >= WARMUP_ROUNDS:
                timings[label].append(elapsed)
    queries = {}
    for label, url in targets:
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        queries[label] = len(captured.captured_queries)
    return timings, queries, targets


def lookups_ms(pat) -> tuple[float, float | None]:
    """Pat's rows counted through the index, and (PostgreSQL) through what the index
    replaces: the log's JSON column (``participant_ids @> [pk]``), median of 5 each."""
    from django.db import connection

    from alongside.audit.models import AccessLog
    from alongside.portal.selectors import access_history

    def median_ms(count) -> tuple[float, int]:
        times, found = [], 0
        for _ in range(5):
            begun = time.perf_counter()
            found = count()
            times.append((time.perf_counter() - begun) * 1000)
        return statistics.median(times), found

    indexed, found = median_ms(lambda: access_history(pat).count())
    print(f"  Pat's openings through the index: {found} rows counted in {indexed:.1f} ms")
    if connection.vendor != "postgresql":
        return indexed, None
    scan, found = median_ms(
        lambda: AccessLog.objects.filter(participant_ids__contains=[pat.pk]).count()
    )
    print(f"  the same through the log's JSON column: {found} rows in {scan:.1f} ms")
    return indexed, scan


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50,000 rows instead of 500,000")
    parser.add_argument("-n", type=int, default=15, help="timed requests each (≥ 5)")
    args = parser.parse_args()
    rows = 50_000 if args.quick else 500_000
    rounds = max(args.n, 5)

    on_url = bool(os.environ.get("DATABASE_URL"))
    with contextlib.ExitStack() as stack:
        if on_url:
            configure(None)
        else:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="alongside-bench-"))
            configure(Path(folder) / "bench.sqlite3")
        from django.core.management import call_command
        from django.db import connection, transaction

        call_command("migrate", verbosity=0, interactive=False)
        vendor = connection.vendor
        with transaction.atomic():
            started = time.perf_counter()
            pat, pat_user = build(rows)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            print(f"Wrote {rows:,} access-log rows in {time.perf_counter() - started:.1f} s.")
            measured = measure(pat_user, rounds)
            indexed, scan = lookups_ms(pat)
            transaction.set_rollback(True)
        connection.close()
    if measured is None:
        return 1
    timings, queries, targets = measured
    medians = {label: statistics.median(values) for label, values in timings.items()}
    print(f"access history: median of {rounds} requests each, {vendor}")
    width = max(len(label) for label in medians)
    for label, median in medians.items():
        print(f"  {label:<{width}}  {median:7.1f} ms  {queries[label]:3d} queries")
    history, base = medians[targets[1][0]], medians[targets[0][0]]
    if scan is not None:
        print(f"  the index against the JSON column: {scan / indexed:.0f}× faster")
    print(f"RESULT access_history {history:.1f} ms ratio={history / base:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
