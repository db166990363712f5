"""Audit the installed dependency set for known vulnerabilities (make audit).

Runs pip-audit against this virtual environment (the project itself, installed editable,
is left out) with PyPI's vulnerability service. Exit codes:
  0  audited: no known vulnerability
  1  known vulnerabilities (listed), or pip-audit itself failed
  3  could not audit: the service did not answer for the packages (no network, a
     mirror without PyPI's JSON API); says so plainly, never "no vulnerabilities"
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

UNREACHABLE = 3


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "audit.json"
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip_audit",
                "--vulnerability-service",
                "pypi",
                "--skip-editable",
                "--progress-spinner",
                "off",
                "--format",
                "json",
                "--output",
                str(report),
            ],
            capture_output=True,
            text=True,
            timeout=900,
        )
        data = json.loads(report.read_text()) if report.exists() else None
    if data is None:
        tail = (run.stderr or run.stdout).strip().splitlines()[-5:]
        print("audit: could not audit the dependencies; pip-audit said:", *tail, sep="\n  ")
        connection = any(word in " ".join(tail) for word in ("Connection", "resolve", "timed out"))
        return UNREACHABLE if connection else 1
    deps = [d for d in data.get("dependencies", []) if "editable" not in d.get("skip_reason", "")]
    vulnerable = [d for d in deps if d.get("vulns")]
    skipped = [d for d in deps if d.get("skip_reason")]
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
            print(f"audit: {dep['name']} {dep['version']}: {vuln['id']} (fixed in: {fixes})")
    if vulnerable:
        print(
            f"audit: FAILED: {len(vulnerable)} of {len(deps)} packages have known vulnerabilities"
        )
        return 1
    if deps and len(skipped) == len(deps):
        print(
            f"audit: COULD NOT AUDIT: PyPI's vulnerability service answered for none of the "
            f"{len(deps)} installed packages ({skipped[0]['skip_reason']}). This does not "
            "mean there are no vulnerabilities; run `make audit` where pypi.org is reachable."
        )
        return UNREACHABLE
    for dep in skipped:
        print(f"audit: not audited: {dep['name']} ({dep['skip_reason']})")
    print(
        f"audit: no known vulnerabilities in {len(deps) - len(skipped)} packages"
        + (f" ({len(skipped)} could not be audited, listed above)" if skipped else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
