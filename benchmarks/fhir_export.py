"""FHIR export of one engagement with 500 meetings: the budget is under 1 s (issue 7).

    python benchmarks/fhir_export.py [--quick] [-n 15]
    DATABASE_URL=postgres://127.0.0.1/alongside_bench python benchmarks/fhir_export.py

Builds one organization and an engagement with a referral, goals, plans, a survey,
consents and 500 meetings (``--quick``: 50), then times
``GET /api/v1/engagements/{id}/fhir`` in-process through Django's test client (server
time: middleware, permission checks, queries, building and validating the models,
serializing). The baseline is ``GET /api/v1/engagements/{id}`` (one engagement read as
JSON, the same middleware and sign-in), timed in the same interleaved rounds.

Without DATABASE_URL it all lives in a throwaway SQLite file (a temporary file, removed
afterwards). With DATABASE_URL (PostgreSQL) the organization is built in that database,
alongside whatever it holds (the large seed, say), inside one transaction that the run
rolls back, so nothing of it stays.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
import types
from pathlib import Path

from django_setup import configure

WARMUP_ROUNDS = 2


def build(meetings: int):
    """The organization, its people and one engagement with ``meetings`` meetings."""

    from alongside.accounts.models import Membership, PeerSupporterProfile, Role, User
    from alongside.engagements.models import Engagement, State
    from alongside.fhir.testing import full_record, meetings_add
    from alongside.organizations.models import Organization, Program
    from alongside.participants.models import Participant

    world = types.SimpleNamespace()
    # Names of its own: on DATABASE_URL it sits beside the demo organization's people.
    world.org = Organization.objects.create(name="Bench Peer Network", slug="bench-fhir")
    world.program = Program.objects.create(organization=world.org, name="Community Peer Support")

    def person(username: str, first: str, role: str) -> User:
        user = User.objects.create_user(username=username, first_name=first, last_name="Bench")
        membership = Membership.objects.create(user=user, organization=world.org, role=role)
        if role == Role.COORDINATOR:
            membership.programs.set([world.program])
        return user

    world.coordinator = person("bench-fhir-coordinator", "Cora", Role.COORDINATOR)
    world.supporter = person("bench-fhir-supporter", "Sunny", Role.SUPPORTER)
    PeerSupporterProfile.objects.create(user=world.supporter, organization=world.org)
    world.participant = Participant.objects.create(
        organization=world.org, first_name="Pat", last_name="Rivera"
    )
    import datetime

    from django.utils import timezone

    world.engagement = Engagement.objects.create(
        organization=world.org,
        program=world.program,
        participant=world.participant,
        supporter=world.supporter,
        state=State.ACTIVE,
        state_changed_at=timezone.now(),
        started_on=timezone.localdate() - datetime.timedelta(days=400),
    )
    made = full_record(world)
    meetings_add(world.engagement, world.supporter, max(0, meetings - len(made["meetings"])))
    return world


def measure(world, meetings: int, rounds: int):
    """Timings, CPU, sizes and query counts of the baseline and the export (None: failed)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from alongside.accounts.testing import pass_second_step

    client = Client()
    client.force_login(world.supporter, backend="django.contrib.auth.backends.ModelBackend")
    pass_second_step(client)  # a finished sign-in, as staff have after their code
    pk = world.engagement.pk
    targets = [
        ("baseline: GET /api/v1/engagements/{id}", f"/api/v1/engagements/{pk}"),
        (f"FHIR export, {meetings} meetings", f"/api/v1/engagements/{pk}/fhir"),
    ]
    timings: dict[str, list[float]] = {label: [] for label, _ in targets}
    cpu: dict[str, list[float]] = {label: [] for label, _ in targets}
    sizes: dict[str, int] = {}
    for n in range(WARMUP_ROUNDS + rounds):
        for label, url in targets:
            begun, begun_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            elapsed = (time.perf_counter() - begun) * 1000
            elapsed_cpu = (time.process_time() - begun_cpu) * 1000
            if response.status_code != 200:
                print(f"{label}: GET {url} answered {response.status_code}", file=sys.stderr)
                return None
            sizes[label] = len(response.content)
            if n >= WARMUP_ROUNDS:
                timings[label].append(elapsed)
                cpu[label].append(elapsed_cpu)
    queries = {}
    for label, url in targets:
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        queries[label] = len(captured.captured_queries)
    return timings, cpu, sizes, queries, targets


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50 meetings instead of 500")
    parser.add_argument("-n", type=int, default=15, help="timed requests each (≥ 5)")
    args = parser.parse_args()
    meetings = 50 if args.quick else 500
    rounds = max(args.n, 5)

    on_url = bool(os.environ.get("DATABASE_URL"))
    with contextlib.ExitStack() as stack:
        if on_url:
            configure(None)
        else:
            folder = stack.enter_context(
                tempfile.TemporaryDirectory(prefix="alongside-bench-fhir-")
            )
            configure(Path(folder) / "bench.sqlite3")
        from django.core.management import call_command
        from django.db import connection, transaction

        call_command("migrate", verbosity=0, interactive=False)
        vendor = connection.vendor
        where = f"{vendor}, rolled back afterwards" if on_url else "throwaway SQLite"
        with transaction.atomic():
            started = time.perf_counter()
            world = build(meetings)
            print(f"Built the engagement in {time.perf_counter() - started:.1f} s ({where}).")
            measured = measure(world, meetings, rounds)
            transaction.set_rollback(True)
        connection.close()
    if measured is None:
        return 1
    timings, cpu, sizes, queries, targets = measured

    medians = {label: statistics.median(values) for label, values in timings.items()}
    base_label, export_label = targets[0][0], targets[1][0]
    print(
        f"fhir: median of {rounds} requests each after {WARMUP_ROUNDS} warm-up rounds, "
        f"{vendor} (CPU: this process's own time, a guide on a busy machine)"
    )
    width = max(len(label) for label in medians)
    for label, median in medians.items():
        print(
            f"  {label:<{width}}  {median:7.1f} ms  (CPU {statistics.median(cpu[label]):6.1f} ms)"
            f"  {queries[label]:3d} queries  {sizes[label] / 1024:7.1f} KiB"
        )
    export, base = medians[export_label], medians[base_label]
    verdict = "within" if export < 1000 else "OVER"
    print(f"  budget: under 1000 ms for 500 meetings ({verdict} budget)")
    print(f"RESULT fhir_engagement {export:.1f} ms ratio={export / base:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
