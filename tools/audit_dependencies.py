"""Audit the installed Python packages for known vulnerabilities (pip-audit), run by `make audit`.

pip-audit asks a vulnerability database on the network (PyPI's JSON API by default, or OSV). Where it
cannot, pip-audit still exits 0 and lists every package as skipped, which a CI log would read as
"no known vulnerabilities". This wrapper says what happened instead:

- a package with a known vulnerability: listed, exit 1;
- the database reached: how many packages were audited, and which ones could not be (by name);
- the database not reached for any package: "vulnerability database unreachable: dependency audit
  SKIPPED", exit 0, or exit 1 with DEPENDENCY_AUDIT_REQUIRED=true (for a pipeline that has the network).

No current advisory database ships in a package on PyPI (safety-db stopped in 2021), so there is no
offline fallback: an old database would be the silent "no known vulnerabilities" this avoids.
Arguments are passed on to pip-audit (e.g. `-s osv`).
"""

import json
import os
import subprocess  # nosec B404 # runs pip-audit only
import sys
from pathlib import Path

SKIPPED = "vulnerability database unreachable: dependency audit SKIPPED"


def verdict(report):
    """(exit code, lines to print) for pip-audit's JSON report."""
    dependencies = report.get("dependencies", [])
    audited = [d for d in dependencies if "skip_reason" not in d]
    skipped = [d for d in dependencies if "skip_reason" in d]
    vulnerable = [d for d in audited if d.get("vulns")]
    if vulnerable:
        lines = [f"dependency audit FAILED: {len(vulnerable)} package(s) with known vulnerabilities"]
        for dependency in vulnerable:
            for vuln in dependency["vulns"]:
                fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed version"
                lines.append(f"  {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixes})")
        return 1, lines
    if not audited:
        reason = skipped[0]["skip_reason"] if skipped else "no package found"
        return _skipped(f"{len(skipped)} packages not audited, e.g. {reason}")
    lines = [f"dependency audit: {len(audited)} packages audited, no known vulnerabilities"]
    if skipped:
        names = ", ".join(sorted(d["name"] for d in skipped))
        lines.append(f"dependency audit: NOT AUDITED ({len(skipped)}): {names}")
    return 0, lines


def _skipped(detail):
    required = os.environ.get("DEPENDENCY_AUDIT_REQUIRED", "").lower() in {"1", "true", "yes"}
    return (1 if required else 0), [f"{SKIPPED} ({detail})"]


def main(arguments):
    pip_audit = Path(sys.executable).with_name("pip-audit")
    command = [str(pip_audit), "--local", "--skip-editable", "--format=json", "--progress-spinner=off"]
    completed = subprocess.run(  # nosec B603 # our own venv's pip-audit, with fixed arguments
        [*command, "--timeout=15", *arguments], capture_output=True, text=True, check=False
    )
    try:
        report = json.loads(completed.stdout)
    except ValueError:
        errors = completed.stderr.strip().splitlines()
        code, lines = _skipped(errors[-1] if errors else f"pip-audit exited {completed.returncode}")
    else:
        code, lines = verdict(report)
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
