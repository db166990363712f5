"""Median server time of the busiest staff pages on the large data set (design.md §6).

    python benchmarks/pages.py [--quick] [-n 25]

Requests go through Django's test client in-process, so the figure is server
time (middleware, view, queries, template) without the network. The baseline
is a view doing one query behind the same middleware, signed in the same way,
measured in the same interleaved rounds as the pages. The data set lives in
var/bench-<scale>.sqlite3; it is built once (the large one takes a few minutes)
and reused after that.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import types
import warnings
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE_URLCONF = "benchmarks_pages_urls"
WARMUP_ROUNDS = 3


def configure(scale: str) -> Path:
    """Settings for a production-like run against the benchmark's own SQLite file."""
    database = ROOT / "var" / f"bench-{scale}.sqlite3"
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "alongside.settings"
    os.environ["ALONGSIDE_DEMO"] = "1"
    os.environ["ALONGSIDE_DEBUG"] = "0"
    os.environ["ALONGSIDE_HTTPS"] = "0"
    os.environ["ALONGSIDE_SQLITE_PATH"] = str(database)
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.pop("DATABASE_URL", None)
    # Static files are served from the finders here; collectstatic is not needed.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import django

    django.setup()
    return database


def prepare(scale: str, database: Path) -> None:
    """Migrate, and build the data set if this file does not hold it yet."""
    from django.core.management import call_command

    from alongside.organizations.demo import ORGANIZATION_SLUG
    from alongside.organizations.models import Organization

    fresh = not database.exists()
    call_command("migrate", verbosity=0, interactive=False)
    if fresh or not Organization.objects.filter(slug=ORGANIZATION_SLUG).exists():
        print(f"Building the {scale} data set in {database.relative_to(ROOT)} (once)…")
        out = StringIO()
        call_command("seed_demo", scale=scale, seed=0, stdout=out)
        print(out.getvalue().splitlines()[0])


def install_baseline_urlconf() -> str:
    """The project's URLs plus one bare view that runs a single query."""
    from django.http import HttpResponse
    from django.urls import include, path

    from alongside.organizations.models import Organization

    def baseline(request):
        name = Organization.objects.values_list("name", flat=True).first()
        return HttpResponse(f"<!doctype html><title>{name}</title><p>{name}</p>")

    module = types.ModuleType(BASELINE_URLCONF)
    module.urlpatterns = [
        path("__bench__/baseline/", baseline, name="bench-baseline"),
        path("", include("alongside.urls")),
    ]
    sys.modules[BASELINE_URLCONF] = module
    return "bench-baseline"


def signed_in(username: str):
    from django.test import Client

    from alongside.accounts.models import User
    from alongside.accounts.testing import pass_second_step

    client = Client()
    client.force_login(
        User.objects.get(username=username), backend="django.contrib.auth.backends.ModelBackend"
    )
    pass_second_step(client)  # a finished sign-in, as staff have after their code
    return client


def busiest_engagement_of(username: str):
    from django.db.models import Count

    from alongside.engagements.models import Engagement, State

    return (
        Engagement.objects.filter(supporter__username=username, state=State.ACTIVE)
        .annotate(notes=Count("meetings__note"))
        .order_by("-notes", "pk")
        .first()
    )


TIMELINE_ENTRIES = 500


def engagement_with_long_timeline(username: str, entries: int = TIMELINE_ENTRIES):
    """The supporter's busiest engagement, topped up to ``entries`` held meetings.

    Called inside a transaction the benchmark rolls back, so the data set is unchanged.
    """
    import datetime

    from django.db.models import Count
    from django.utils import timezone

    from alongside.meetings.models import Meeting, MeetingStatus

    engagement = busiest_engagement_of(username)
    have = (
        type(engagement)
        .objects.filter(pk=engagement.pk)
        .annotate(n=Count("meetings"))
        .values_list("n", flat=True)[0]
    )
    start = timezone.now() - datetime.timedelta(days=3)
    Meeting.objects.bulk_create(
        Meeting(
            engagement=engagement,
            starts_at=start - datetime.timedelta(hours=6 * i),
            duration_minutes=30,
            planned_minutes=30,
            mode="phone",
            status=MeetingStatus.HELD,
            service_units=2,
            created_by=engagement.supporter,
        )
        for i in range(max(0, entries - have))
    )
    return engagement


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="use the small data set")
    parser.add_argument("-n", type=int, default=25, help="timed requests per page (≥ 20)")
    args = parser.parse_args()
    scale = "small" if args.quick else "large"
    rounds = max(args.n, 20)

    database = configure(scale)
    prepare(scale, database)

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.urls import reverse

    from alongside.organizations.demo import demo_counts
    from alongside.organizations.models import Organization

    baseline_name = install_baseline_urlconf()
    coordinator, supporter = signed_in("coordinator"), signed_in("supporter1")
    engagement = busiest_engagement_of("supporter1")
    with transaction.atomic(), override_settings(ROOT_URLCONF=BASELINE_URLCONF):
        long_one = engagement_with_long_timeline("supporter1")
        targets = [
            ("baseline (one-query view)", coordinator, reverse(baseline_name)),
            ("dashboard (coordinator)", coordinator, reverse("dashboard")),
            ("caseload (supporter1)", supporter, reverse("engagements:list")),
            ("all engagements (coordinator)", coordinator, reverse("engagements:list")),
            ("referrals (coordinator)", coordinator, reverse("referrals:list")),
            (
                f"engagement #{engagement.pk} (supporter1, {engagement.notes} notes)",
                supporter,
                reverse("engagements:detail", kwargs={"pk": engagement.pk}),
            ),
            ("dashboard with caseload (supporter1)", supporter, reverse("dashboard")),
            ("week view (supporter1)", supporter, reverse("meetings:week")),
            (
                f"timeline, {TIMELINE_ENTRIES}+ entries (supporter1)",
                supporter,
                reverse("engagements:timeline", kwargs={"pk": long_one.pk}),
            ),
            (
                f"timeline, page 15 of {TIMELINE_ENTRIES}+ (supporter1)",
                supporter,
                reverse("engagements:timeline", kwargs={"pk": long_one.pk}) + "?page=15",
            ),
        ]
        # Interleaved rounds, so drift (cache, disk) touches every page alike.
        timings: dict[str, list[float]] = {label: [] for label, _, _ in targets}
        queries: dict[str, int] = {}
        for n in range(WARMUP_ROUNDS + rounds):
            for label, client, url in targets:
                started = time.perf_counter()
                response = client.get(url)
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    print(f"{label}: GET {url} answered {response.status_code}", file=sys.stderr)
                    return 1
                if n >= WARMUP_ROUNDS:
                    timings[label].append(elapsed)
        for label, client, url in targets:
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            queries[label] = len(captured.captured_queries)
        transaction.set_rollback(True)  # the long timeline was for this run only

    counts = demo_counts(Organization.objects.get(slug="riverbend"))
    print(
        f"pages: {scale} data set ({counts['participants']:,} participants, "
        f"{counts['engagements']:,} engagements, {counts['notes']:,} notes), SQLite; "
        f"median of {rounds} requests each after {WARMUP_ROUNDS} warm-up rounds"
    )
    medians = {label: statistics.median(values) for label, values in timings.items()}
    base_label = targets[0][0]
    base = medians[base_label]
    width = max(len(label) for label in medians)
    for label, median in medians.items():
        ratio = "" if label == base_label else f"  ratio {median / base:5.1f}"
        print(f"  {label:<{width}}  {median:7.1f} ms  {queries[label]:3d} queries{ratio}")
    worst = max(median for label, median in medians.items() if label != base_label)
    print(f"RESULT pages {worst:.1f} ms ratio={worst / base:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
