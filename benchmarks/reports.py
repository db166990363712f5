"""A year's funder reports on the large data set, against the raw SQL of the same numbers.

    python benchmarks/reports.py [--quick] [-n 5]
    DATABASE_URL=postgres://127.0.0.1/alongside_bench python benchmarks/reports.py

Each report is built for the twelve months up to today, over every program of the demo
coordinator (``registry.run``: queries, shaping and suppression). Its baseline is the
same SQL statements the report sends, run raw through a cursor and fetched in full, in
the same interleaved rounds: the database's own cost of computing those numbers, so the
ratio is what Alongside adds. The meetings export of the same year is then streamed
through the CSV writer while tracemalloc watches the peak memory.

Without DATABASE_URL the data set lives in var/bench-<scale>.sqlite3 (built once); with
it, the database is seeded once if it holds no demo organization.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
import warnings
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET_MS = 2000
RATIO_AIM = 1.5


def configure(scale: str) -> str:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "alongside.settings"
    os.environ["ALONGSIDE_DEMO"] = "1"
    os.environ["ALONGSIDE_DEBUG"] = "0"
    os.environ["ALONGSIDE_HTTPS"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    if not os.environ.get("DATABASE_URL"):
        os.environ["ALONGSIDE_SQLITE_PATH"] = str(ROOT / "var" / f"bench-{scale}.sqlite3")
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import django

    django.setup()
    from django.db import connection

    return connection.vendor


def prepare(scale: str) -> None:
    from django.core.management import call_command

    from alongside.organizations.demo import ORGANIZATION_SLUG
    from alongside.organizations.models import Organization

    call_command("migrate", verbosity=0, interactive=False)
    if not Organization.objects.filter(slug=ORGANIZATION_SLUG).exists():
        print(f"Building the {scale} data set (once)…")
        out = StringIO()
        call_command("seed_demo", scale=scale, seed=0, stdout=out)
        print(out.getvalue().splitlines()[0])


def year_filters():
    from alongside.accounts.models import User
    from alongside.organizations.demo import ORGANIZATION_SLUG
    from alongside.organizations.models import Organization
    from alongside.reports.filters import ReportFilterForm

    organization = Organization.objects.get(slug=ORGANIZATION_SLUG)
    user = User.objects.get(username="coordinator")
    form = ReportFilterForm({}, user=user, organization=organization)
    assert form.is_valid(), form.errors
    return form.filters()


def captured_sql(build) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        build()
    return [query["sql"] for query in queries.captured_queries]


def raw(statements: list[str]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
            cursor.fetchall()


def timed(call) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def stream_meetings(filters) -> tuple[int, float, float]:
    """Rows, seconds and peak MB of streaming the year's meetings as CSV."""
    from alongside.reports.exports import meetings_rows
    from alongside.reports.selectors import meetings_for_export

    tracemalloc.start()
    start = time.perf_counter()
    rows = -1  # the header
    size = 0
    for line in meetings_rows(meetings_for_export(filters)):
        rows += 1
        size += len(line)
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return rows, seconds, peak / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="use the small data set")
    parser.add_argument("-n", type=int, default=5, help="timed rounds per report")
    args = parser.parse_args()
    scale = "small" if args.quick else "large"
    vendor = configure(scale)
    prepare(scale)

    from alongside.reports.registry import definitions, run

    filters = year_filters()
    print(f"{vendor}, {scale} data set, {filters.start} to {filters.end}, {args.n} rounds")
    print(f"{'report':<14}{'median ms':>10}{'raw SQL ms':>12}{'ratio':>7}{'queries':>9}")
    worst_ms, worst_ratio = 0.0, 0.0
    for definition in definitions():
        build = lambda d=definition: run(d, filters)  # noqa: E731
        statements = captured_sql(build)
        build()
        raw(statements)  # warm both
        report_ms, raw_ms = [], []
        for _ in range(args.n):
            report_ms.append(timed(build))
            raw_ms.append(timed(lambda s=statements: raw(s)))
        median, baseline = statistics.median(report_ms), statistics.median(raw_ms)
        ratio = median / baseline if baseline else float("inf")
        worst_ms, worst_ratio = max(worst_ms, median), max(worst_ratio, ratio)
        flag = "" if median < BUDGET_MS else "  over budget"
        print(
            f"{definition.name:<14}{median:>10.1f}{baseline:>12.1f}{ratio:>7.2f}"
            f"{len(statements):>9}{flag}"
        )
    rows, seconds, peak = stream_meetings(filters)
    print(f"meetings CSV: {rows} rows in {seconds:.1f} s, peak traced memory {peak:.1f} MB")
    print(f"budget: each report under {BUDGET_MS} ms, ratio aim ≤ {RATIO_AIM}")
    print(f"RESULT reports {worst_ms:.1f} ms ratio={worst_ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
