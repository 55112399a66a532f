"""Audit the pinned dependencies for known vulnerabilities with pip-audit.

Fails (exit 1) on a known vulnerability; skips with a message (exit 0) when the
vulnerability database cannot be reached, or could look up none of the pins (a registry
mirror without PyPI's JSON API answers "not found" for every package).
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

REQUIREMENTS = "requirements-dev.txt"  # every pin: runtime, extras and dev tools
TIMEOUT_S = 180


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "audit.json"
        command = [
            str(Path(sys.executable).parent / "pip-audit"),
            *("-r", REQUIREMENTS, "--no-deps", "--disable-pip", "--progress-spinner", "off"),
            *("--timeout", "10"),
            *("--format", "json", "--output", str(report)),
        ]
        try:
            result = subprocess.run(  # nosec B603 # a fixed command line, no shell
                command, capture_output=True, text=True, timeout=TIMEOUT_S
            )
        except subprocess.TimeoutExpired:
            return _skip(f"no answer within {TIMEOUT_S} s")
        if not report.exists():
            lines = (result.stderr or result.stdout).strip().splitlines()
            return _skip(lines[-1] if lines else f"pip-audit exited {result.returncode}")
        dependencies = json.loads(report.read_text())["dependencies"]
    audited = [d for d in dependencies if "skip_reason" not in d]
    if not audited:
        return _skip("the vulnerability database knows none of the pinned packages")
    vulnerable = [d for d in audited if d.get("vulns")]
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "none yet"
            print(
                f"pip-audit: {dependency['name']} {dependency['version']}: {vuln['id']} "
                f"(fixed in: {fixes})"
            )
    skipped = len(dependencies) - len(audited)
    print(
        f"pip-audit: {len(audited)} pinned packages audited, {skipped} not found, "
        f"{len(vulnerable)} with known vulnerabilities"
    )
    return 1 if vulnerable else 0


def _skip(reason: str) -> int:
    print(f"pip-audit: skipped, vulnerability database unreachable: {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
