"""The load test's figures as a benchmark: ``python benchmarks/load.py [--quick]``.

Runs ``loadtests/run.py`` (docs/deployment.md): 50 simulated people for 60 s against
gunicorn on a fresh PostgreSQL database (``DATABASE_URL``'s server, else the local one),
then the caseload page's throughput against a one-query page, then the kill test. Ends
with ``RESULT load <caseload req/s> req/s ratio=<caseload / one-query page>`` (aim ≥ 0.5).
``--quick``: 20 people for 20 s, probes of 8 s. Needs locust (``pip install -e '.[load]'``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

RUN = Path(__file__).resolve().parent.parent / "loadtests" / "run.py"

if __name__ == "__main__":
    args = sys.argv[1:]
    if "--quick" in args:
        args.remove("--quick")
        args = ["--users", "20", "--seconds", "20", "--probe-seconds", "8", *args]
    sys.exit(subprocess.call([sys.executable, str(RUN), *args]))
