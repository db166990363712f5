"""The load test and the kill test against gunicorn on a fresh PostgreSQL database.

``python loadtests/run.py [--users 50] [--seconds 60] [--probe-seconds 15]`` (``make
loadtest``). Everything stays on 127.0.0.1; every phase is bounded in time; the server
and the database are removed at the end, whatever happened. Steps:

1. a fresh database (``alongside_load``), migrated, with ``seed_demo`` and load accounts;
2. gunicorn as ``make serve`` runs it, with the one-query yardstick page switched on;
3. locust: ``--users`` simulated people doing their daily journeys for ``--seconds``;
   every acknowledged write is then looked for in the database (``check.py``);
4. two short probes, same server: the caseload page, then the one-query page, each as
   fast as it answers; their throughputs are compared;
5. the kill test: writers save goals and emergency plans, the server (master and
   workers) gets SIGKILL mid-burst, it is started again, and every acknowledged write
   must be there, whole.

Prints a table (median and 95th percentile per request, throughput) and ends with
``RESULT load <caseload req/s> req/s ratio=<caseload / one-query page>``. Exits 1 on any
server error, failed request, missing or half-written write.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import csv
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import psycopg
from psycopg import sql

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from web import Browser, form_with, sign_in  # noqa: E402

BIN = Path(sys.executable).parent
DATABASE = os.environ.get("ALONGSIDE_LOAD_DATABASE", "alongside_load")


def say(text: str) -> None:
    print(f"[loadtest {time.strftime('%H:%M:%S')}] {text}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Run:
    """One run's database, environment and server; ``close`` undoes them all."""

    def __init__(self, server_url: str, work: Path, workers: int):
        self.server_url = server_url.rsplit("/", 1)[0]  # the server, without a database
        self.work = work
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.server: subprocess.Popen | None = None
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("ALONGSIDE_", "DJANGO_", "DATABASE_URL", "REDIS_URL"))
        }
        self.env.update(
            DATABASE_URL=f"{self.server_url}/{DATABASE}",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALONGSIDE_VAR_DIR=str(work / "var"),
            ALONGSIDE_HTTPS="0",  # plain HTTP on loopback; TLS is the proxy's job
            ALONGSIDE_DEMO="1",
            ALONGSIDE_LOADTEST_BASELINE="1",
            ALONGSIDE_BIND=f"127.0.0.1:{self.port}",
            ALONGSIDE_WEB_WORKERS=str(workers),
            ALONGSIDE_ACCESS_LOG="",
            PYTHONUNBUFFERED="1",
        )

    def admin(self):
        return psycopg.connect(f"{self.server_url}/postgres", autocommit=True)

    def create_database(self) -> None:
        with self.admin() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DATABASE))
            )
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))

    def drop_database(self) -> None:
        with self.admin() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DATABASE))
            )

    def python(self, *args: str, timeout: float = 300, check: bool = True) -> str:
        result = subprocess.run(
            [str(BIN / "python"), *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start_server(self) -> None:
        log = open(self.work / "gunicorn.log", "a")  # noqa: SIM115 (closed with the process)
        # A session of its own, so one killpg reaches the master and every worker.
        self.server = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if Browser(self.base, timeout=5).get("/accounts/login/").status_code == 200:
                    return
            except OSError:
                pass
            if self.server.poll() is not None:
                break
            time.sleep(0.5)
        raise RuntimeError(f"gunicorn did not answer; see {self.work / 'gunicorn.log'}")

    def kill_server(self, sig: int) -> None:
        if self.server is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.server.pid, sig)
        try:
            self.server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.server.pid, signal.SIGKILL)
            self.server.wait(timeout=10)
        self.server = None

    def close(self) -> None:
        try:
            self.kill_server(signal.SIGTERM)
        finally:
            self.drop_database()


def locust(run: Run, classes: list[str], users: int, seconds: int, name: str, ledger: Path):
    """One headless locust run; its rows of statistics and its failures."""
    prefix = run.work / name
    env = {
        **os.environ,
        "ALONGSIDE_LOAD_ACCOUNTS": str(run.work / "accounts.json"),
        "ALONGSIDE_LOAD_LEDGER": str(ledger),
    }
    command = [
        str(BIN / "locust"),
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "--host",
        run.base,
        "--users",
        str(users),
        "--spawn-rate",
        str(max(1, users // 5)),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        *classes,
    ]
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=seconds + 90, cwd=HERE
    )
    (run.work / f"{name}.out").write_text(result.stdout + result.stderr)
    with open(f"{prefix}_stats.csv") as f:
        rows = list(csv.DictReader(f))
    with open(f"{prefix}_failures.csv") as f:
        failures = list(csv.DictReader(f))
    # Exceptions inside simulated people (a sign-in that failed, a page without its form).
    with open(f"{prefix}_exceptions.csv") as f:
        errors = [f"{e['Count']}x {e['Message']}" for e in csv.DictReader(f)]
    if result.returncode != 0 and not (failures or errors):
        errors.append(f"locust exited with {result.returncode}: {result.stderr[-500:]}")
    return rows, failures, errors


def table(rows: list[dict]) -> None:
    print(f"{'request':<34} {'count':>6} {'fail':>5} {'median ms':>10} {'p95 ms':>8} {'req/s':>7}")
    for row in rows:
        print(
            f"{row['Name'][:34]:<34} {row['Request Count']:>6} {row['Failure Count']:>5} "
            f"{row['50%']:>10} {row['95%']:>8} {float(row['Requests/s']):>7.1f}"
        )


def rps(rows: list[dict], name: str) -> float:
    return next(float(r["Requests/s"]) for r in rows if r["Name"] == name)


def sign_in_all(run: Run, accounts: dict) -> list[float]:
    """Sign every account in through the pages, four at a time; keep the cookies."""
    everyone = [a for kind in accounts.values() for a in kind]

    def one(account: dict) -> float:
        browser = Browser(run.base, timeout=60)
        began = time.monotonic()
        sign_in(browser, account)
        account["cookies"] = browser.cookies.get_dict()
        return time.monotonic() - began

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        seconds = sorted(pool.map(one, everyone))
    (run.work / "accounts.json").write_text(json.dumps(accounts))
    return seconds


def kill_test(run: Run, accounts: list[dict], ledger: Path, seconds: float = 20) -> dict:
    """Writers save goals and emergency plans; SIGKILL the server mid-burst; restart."""
    stop = threading.Event()
    lock = threading.Lock()
    refused: list[str] = []

    def writer(account: dict) -> None:
        browser = Browser(run.base, timeout=10)
        browser.cookies.update(account["cookies"])
        engagement = account["engagements"][0]
        n = 0
        while not stop.is_set() and n < 200:
            n += 1
            marker = f"kill-{uuid.uuid4().hex}"
            if n % 2:
                kind, path, field = "goal", f"/engagements/{engagement}/goals/new/", "statement"
                changes = {
                    "statement": f"Cook at home ({marker})",
                    "approach": "not_applicable",
                    "wellness_dimension": "physical",
                    "stage": "action",
                }
            else:
                kind, path, field = (
                    "plan",
                    f"/engagements/{engagement}/emergency-plan/edit/",
                    "helps",
                )
                changes = {"warning_signs": "Sleeps all day.", "helps": f"Quiet music ({marker})"}
            try:
                data = form_with(browser.get(path).text, field)
                data.update(changes)
                answer = browser.post(path, data=data, allow_redirects=False)
            except (OSError, LookupError):
                return  # the server is gone: whatever was not acknowledged may be lost
            except Exception as error:  # requests' ConnectionError and kin
                if "onnection" in type(error).__name__:
                    return
                raise
            if answer.status_code == 302:
                with lock, open(ledger, "a") as f:
                    f.write(f"{kind} {marker}\n")
            else:
                with lock:
                    refused.append(f"{kind}: {answer.status_code}")

    def acknowledged() -> int:
        return len(ledger.read_text().splitlines()) if ledger.exists() else 0

    threads = [threading.Thread(target=writer, args=(a,), daemon=True) for a in accounts]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + seconds
    while acknowledged() < 30 and time.monotonic() < deadline:
        time.sleep(0.1)
    before_kill = acknowledged()
    say(f"kill test: SIGKILL to gunicorn (master and workers) after {before_kill} acknowledged")
    run.kill_server(signal.SIGKILL)
    stop.set()
    for thread in threads:
        thread.join(timeout=20)
    run.start_server()
    say("kill test: server started again")
    result = json.loads(
        run.python(str(HERE / "check.py"), str(ledger), "--prefix", "kill-", check=False)
    )
    result["acknowledged_before_kill"] = before_kill
    result["refused"] = refused
    # The restarted server takes writes again.
    browser = Browser(run.base)
    browser.cookies.update(accounts[0]["cookies"])  # sessions outlive the server
    path = f"/engagements/{accounts[0]['engagements'][1]}/goals/new/"
    data = form_with(browser.get(path).text, "statement")
    data.update(
        statement="After the restart",
        approach="not_applicable",
        wellness_dimension="physical",
        stage="action",
    )
    result["write_after_restart"] = browser.post(
        path, data=data, allow_redirects=False
    ).status_code
    result["ok"] = (
        result["ok"] and not refused and before_kill > 0 and result["write_after_restart"] == 302
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--probe-seconds", type=int, default=15)
    parser.add_argument("--probe-users", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--server",
        default=os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL URL; its server is used, the database named in it is not touched",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, CSV)")
    args = parser.parse_args()

    # A time limit's SIGTERM (CI's timeout) unwinds like an error: the server is stopped
    # and the database dropped all the same.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="alongside-load-"))
    run = Run(args.server, work, args.workers)
    ok = True
    try:
        say(f"fresh database {DATABASE}; work folder {work}")
        run.create_database()
        run.python("manage.py", "migrate", "--noinput", "-v0")
        run.python("manage.py", "createcachetable")
        run.python("manage.py", "seed_demo")
        supporters = max(40, args.users)  # one account each: a code is good once
        say(
            run.python(
                str(HERE / "prepare.py"),
                str(work / "accounts.json"),
                "--supporters",
                str(supporters),
            ).strip()
        )
        accounts = json.loads((work / "accounts.json").read_text())
        run.start_server()
        say(f"gunicorn ({args.workers} workers) on {run.base}")
        times = sign_in_all(run, accounts)
        print(
            f"sign-in through the pages (password, then the code for staff), "
            f"{len(times)} accounts: median {times[len(times) // 2] * 1000:.0f} ms, "
            f"p95 {times[int(len(times) * 0.95)] * 1000:.0f} ms"
        )

        ledger = work / "ledger.txt"
        say(f"{args.users} simulated people for {args.seconds} s")
        rows, failures, errors = locust(
            run,
            ["Supporter", "Coordinator", "Participant"],
            args.users,
            args.seconds,
            "journeys",
            ledger,
        )
        table(rows)
        total = next(r for r in rows if r["Name"] == "Aggregated")
        server_errors = [
            f for f in failures if any(f" {c}" in f["Error"] for c in ("500", "502", "503", "504"))
        ]
        print(
            f"throughput: {float(total['Requests/s']):.1f} requests/s; "
            f"failures: {total['Failure Count']} (server errors: {len(server_errors)})"
        )
        for failure in failures[:10]:
            print(
                f"  failure: {failure['Method']} {failure['Name']}: {failure['Error']} "
                f"x{failure['Occurrences']}"
            )
        for error in errors:
            print(f"  locust: {error}")
        writes = json.loads(
            run.python(str(HERE / "check.py"), str(ledger), "--prefix", "load-", check=False)
        )
        print(
            f"acknowledged writes: {writes['acknowledged']}; stored: {writes['stored']}; "
            f"missing {len(writes['missing'])}, doubled {len(writes['doubled'])}, "
            f"half-written {len(writes['half_written'])}"
        )
        ok = ok and int(total["Failure Count"]) == 0 and writes["ok"] and not errors
        ok = ok and sum(writes["acknowledged"].values()) > 0

        say(
            f"probes: the caseload page, then the one-query page ({args.probe_users} users, "
            f"{args.probe_seconds} s each, no pause)"
        )
        caseload, f1, e1 = locust(
            run,
            ["CaseloadOnly"],
            args.probe_users,
            args.probe_seconds,
            "caseload",
            work / "none.txt",
        )
        baseline, f2, e2 = locust(
            run,
            ["BaselineOnly"],
            args.probe_users,
            args.probe_seconds,
            "baseline",
            work / "none.txt",
        )
        table(
            [r for r in caseload + baseline if r["Name"] in ("caseload", "baseline (one query)")]
        )
        caseload_rps, baseline_rps = (
            rps(caseload, "caseload"),
            rps(baseline, "baseline (one query)"),
        )
        ratio = caseload_rps / baseline_rps if baseline_rps else 0.0
        print(
            f"caseload {caseload_rps:.1f} req/s against the one-query page "
            f"{baseline_rps:.1f} req/s: {ratio:.2f} of it (aim: at least 0.5)"
        )
        ok = ok and not (f1 or f2 or e1 or e2)

        say("kill test")
        kill = kill_test(run, accounts["supporter"][20:28], work / "kill-ledger.txt")
        print(
            f"kill test: {kill['acknowledged_before_kill']} acknowledged before the kill, "
            f"{sum(kill['acknowledged'].values())} in all; stored {kill['stored']}; "
            f"missing {len(kill['missing'])}, doubled {len(kill['doubled'])}, "
            f"half-written {len(kill['half_written'])}; refused {kill['refused'][:5]}; "
            f"a write after the restart: {kill['write_after_restart']}"
        )
        for problem in (
            writes["missing"]
            + writes["doubled"]
            + writes["half_written"]
            + kill["missing"]
            + kill["doubled"]
            + kill["half_written"]
        )[:10]:
            print(f"  problem: {problem}")
        ok = ok and kill["ok"]
        print(f"load test {'passed' if ok else 'FAILED'} in {time.monotonic() - started:.0f} s")
        print(f"RESULT load {caseload_rps:.1f} req/s ratio={ratio:.2f}")
    except Exception as error:
        ok = False
        print(f"load test FAILED: {error}", file=sys.stderr)
        log = work / "gunicorn.log"
        if log.exists():
            print(log.read_text()[-3000:], file=sys.stderr)
    finally:
        run.close()
        if not args.keep:
            subprocess.run(["rm", "-rf", str(work)], check=False)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
