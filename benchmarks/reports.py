"""A year's funder reports on the large data set, against one hand-written SQL aggregate each.

    python benchmarks/reports.py [--quick] [-n 5] [--report volume [--report csv]] [--jit]
    DATABASE_URL=postgres://127.0.0.1/alongside_bench python benchmarks/reports.py

Each report is built for the twelve months up to today, over every program of the demo
coordinator (``registry.run``: queries, shaping and suppression). On PostgreSQL its
baseline is one hand-written SQL statement computing the same figures straight from the
tables (benchmarks/report_baselines.py: counts, sums, distinct people and medians in the
database), timed in the same interleaved rounds, so the ratio is what the report costs
over the best single query for its numbers. Before timing, the headline figures of both
(the totals, the medians) are compared, and any mismatch is printed and fails the run.
PostgreSQL's JIT is switched off for the session (both sides), since its compile time is
not the queries' work; ``--jit`` keeps the server's setting. On SQLite (``--quick``) the
baseline is the report's own SQL statements replayed raw (no hand-written SQLite
statements): its ratio is then only the ORM's and Python's share.

The meetings export of the same year is then streamed through the CSV writer while
tracemalloc watches the peak memory (budget: under 200 MB whatever the row count).

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
CSV_BUDGET_MB = 200


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


def baseline_params(filters) -> dict:
    from django.utils import timezone

    from alongside.plans.models import Stage
    from alongside.reports.definitions.common import bounds

    assert not (filters.supporter_id or filters.site_id), "the baselines cover no such filter"
    start, end = bounds(filters)
    return {
        "org": filters.organization_id,
        "programs": list(filters.program_ids),
        "start": start,
        "end": end,
        "first": filters.start,
        "last": filters.end,
        "today": timezone.localdate(),
        "tz": timezone.get_current_timezone_name(),
        "stages": list(Stage.values),
    }


def hand_written(sql: str, params: dict):
    """Run one baseline statement; answer its rows."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _table(tables, key: str):
    return next(t for t in tables if t.key == key)


def _values(row) -> list:
    return [cell.value for cell in row.cells]


def _total(tables, key: str) -> list:
    return _values(next(r for r in _table(tables, key).rows if r.is_total))


def report_headline(name: str, tables) -> list:
    """The report's own figures that its baseline computes too (before suppression)."""
    if name == "volume":
        return _total(tables, "by_month")
    if name == "funnel":
        return [_values(r)[0] for r in _table(tables, "funnel").rows] + [
            _values(r)[0] for r in _table(tables, "timing").rows
        ]
    if name == "caseloads":
        return _total(tables, "caseloads")[:3] + _total(tables, "waitlist")
    if name == "outcomes":
        found = []
        scores = [t for t in tables if t.key.startswith("scores_") and t.key.endswith("_program")]
        for table in sorted(scores, key=lambda t: t.key):
            n, first, latest, *_rest = _values(next(r for r in table.rows if r.is_total))
            found += [n, round(first, 1), round(latest, 1)]
        goals = _total(tables, "goals")
        stages = _table(tables, "stages").rows
        return [*found, *goals, _values(stages[-1])[0], *(_values(r)[0] for r in stages[:-1])]
    if name == "tiers":
        found = []
        for by_tier, done in zip(
            _table(tables, "tier_by_quarter").rows, _table(tables, "assessments").rows, strict=True
        ):
            found += [_values(by_tier)[-1], *_values(done)]
        return found
    if name == "endings":
        exits, lengths = _total(tables, "exits"), _total(tables, "lengths")
        return [exits[-1], lengths[0], lengths[1], *lengths[3:]]
    if name == "concerns":
        return _total(tables, "by_category")
    if name == "demographics":
        gender, veteran = _table(tables, "gender").rows, _table(tables, "veteran").rows
        return [_values(row)[0] for row in (gender[-1], gender[0], gender[1], veteran[0])]
    raise KeyError(name)


def agree(ours: list, theirs: list) -> bool:
    """Counts equal; rounded figures within 0.1 (one rounding step apart)."""
    if len(ours) != len(theirs):
        return False
    for a, b in zip(ours, theirs, strict=True):
        if a is None or b is None:
            if a is not b:
                return False
        elif isinstance(a, int) and isinstance(b, int):
            if a != b:
                return False
        elif abs(float(a) - float(b)) > 0.1 + 1e-9:
            return False
    return True


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
    parser.add_argument("--report", action="append", help="only this report (repeatable)")
    parser.add_argument(
        "--jit", action="store_true", help="keep the server's JIT setting (PostgreSQL)"
    )
    args = parser.parse_args()
    scale = "small" if args.quick else "large"
    vendor = configure(scale)
    prepare(scale)

    from report_baselines import BASELINES

    from alongside.reports.registry import definitions, run

    filters = year_filters()
    written = vendor == "postgresql"
    if written and not args.jit:
        from django.db import connection

        # The planner's JIT compiles any statement it expects to be costly (a cost over
        # jit_above_cost, 100,000 by default: the volume and outcomes reports and half the
        # baselines), which adds a compile time that has nothing to do with the query's
        # work: off for both sides unless --jit, so the ratio compares the queries.
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
    params = baseline_params(filters) if written else {}
    kind = "one hand-written SQL aggregate" if written else "the report's own SQL replayed"
    print(f"{vendor}, {scale} data set, {filters.start} to {filters.end}, {args.n} rounds")
    jit = " (JIT off for both)" if written and not args.jit else ""
    print(f"baseline: {kind}{jit}")
    print(f"{'report':<14}{'median ms':>10}{'baseline ms':>13}{'ratio':>7}{'queries':>9}")
    worst_ms, worst_ratio, mismatches = 0.0, 0.0, []
    for definition in definitions():
        if args.report and definition.name not in args.report:
            continue
        build = lambda d=definition: run(d, filters)  # noqa: E731
        statements = captured_sql(build)
        if written:
            sql, headline = BASELINES[definition.name]
            ours = report_headline(definition.name, definition.build(filters))
            theirs = headline(hand_written(sql, params))
            if not agree(ours, theirs):
                mismatches.append(definition.name)
                print(f"  MISMATCH {definition.name}: report {ours} != SQL {theirs}")
            baseline = lambda s=sql: hand_written(s, params)  # noqa: E731
        else:
            baseline = lambda s=statements: raw(s)  # noqa: E731
        build()
        baseline()  # warm both
        report_ms, baseline_ms = [], []
        for _ in range(args.n):
            report_ms.append(timed(build))
            baseline_ms.append(timed(baseline))
        median, base = statistics.median(report_ms), statistics.median(baseline_ms)
        ratio = median / base if base else float("inf")
        worst_ms, worst_ratio = max(worst_ms, median), max(worst_ratio, ratio)
        flags = []
        if median >= BUDGET_MS:
            flags.append("over budget")
        if ratio > RATIO_AIM:
            flags.append("over the ratio aim")
        print(
            f"{definition.name:<14}{median:>10.1f}{base:>13.1f}{ratio:>7.2f}"
            f"{len(statements):>9}{'  ' + ', '.join(flags) if flags else ''}"
        )
    if written and not mismatches:
        print("headline figures: every report agrees with its hand-written SQL")
    if args.report and "csv" not in args.report:
        return 1 if mismatches else 0
    rows, seconds, peak = stream_meetings(filters)
    verdict = "within" if peak < CSV_BUDGET_MB else "OVER"
    print(
        f"meetings CSV: {rows} rows in {seconds:.1f} s, peak traced memory {peak:.1f} MB "
        f"({verdict} the {CSV_BUDGET_MB} MB budget)"
    )
    print(f"budget: each report under {BUDGET_MS} ms, ratio aim ≤ {RATIO_AIM}")
    print(f"RESULT reports {worst_ms:.1f} ms ratio={worst_ratio:.2f}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    raise SystemExit(main())
