"""Known vulnerabilities in every installed package, with pip-audit, told honestly.

pip-audit asks PyPI's JSON API (or OSV) for each package. Where that service cannot be reached,
pip-audit skips the package and still reports "No known vulnerabilities found"; this wrapper counts
the skips and says plainly how many packages were NOT audited, instead of passing quietly.

Exit status: 1 when any known vulnerability is found; 0 otherwise. With --require-service, also 1
when any package could not be audited (use it where the service is reachable).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--require-service", action="store_true")
    args = parser.parse_args()
    result = subprocess.run(
        [sys.executable, "-m", "pip_audit", "--local", "--progress-spinner", "off", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(result.stdout + result.stderr, file=sys.stderr)
        return 1
    packages = report.get("dependencies", [])
    vulnerable = [p for p in packages if p.get("vulns")]
    skipped = [p for p in packages if p.get("skip_reason")]
    audited = len(packages) - len(skipped)
    for package in vulnerable:
        ids = ", ".join(v["id"] for v in package["vulns"])
        print(f"VULNERABLE {package['name']} {package.get('version')}: {ids}")
    print(
        f"pip-audit: {len(packages)} packages, {audited} audited, {len(skipped)} not audited, "
        f"{sum(len(p['vulns']) for p in vulnerable)} known vulnerabilities"
    )
    if skipped:
        print(
            f"!! {len(skipped)} packages could not be audited: the vulnerability service was not reachable "
            f"(first reason: {skipped[0]['skip_reason']})"
        )
    if vulnerable:
        return 1
    return 1 if args.require_service and skipped else 0


if __name__ == "__main__":
    sys.exit(main())
