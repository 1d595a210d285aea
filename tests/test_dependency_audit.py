"""The dependency audit never reads "no known vulnerabilities" when it could not ask its database."""

import importlib.util
import sys
from pathlib import Path

import pytest

PATH = Path(__file__).resolve().parent.parent / "tools" / "audit_dependencies.py"
spec = importlib.util.spec_from_file_location("audit_dependencies", PATH)
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)

SKIP = {"skip_reason": "Dependency not found on PyPI and could not be audited: django (5.2.19)"}


def test_a_known_vulnerability_fails_the_audit_and_names_the_package_and_the_fix():
    report = {
        "dependencies": [
            {"name": "django", "version": "5.2.0", "vulns": [{"id": "PYSEC-1", "fix_versions": ["5.2.1"]}]},
            {"name": "rules", "version": "3.5", "vulns": []},
        ]
    }
    code, lines = audit.verdict(report)
    assert code == 1
    assert "django 5.2.0: PYSEC-1 (fixed in 5.2.1)" in "\n".join(lines)


def test_an_unreachable_database_is_reported_as_skipped_never_as_no_vulnerabilities(monkeypatch):
    monkeypatch.delenv("DEPENDENCY_AUDIT_REQUIRED", raising=False)
    code, lines = audit.verdict({"dependencies": [{"name": "django", "version": "5.2.19", **SKIP}]})
    assert code == 0
    assert lines[0].startswith(audit.SKIPPED)
    assert "no known vulnerabilities" not in "\n".join(lines)

    monkeypatch.setenv("DEPENDENCY_AUDIT_REQUIRED", "true")
    assert audit.verdict({"dependencies": [{"name": "django", "version": "5.2.19", **SKIP}]})[0] == 1


def test_packages_that_could_not_be_audited_are_named_beside_the_audited_ones():
    report = {
        "dependencies": [
            {"name": "rules", "version": "3.5", "vulns": []},
            {"name": "django", "version": "5.2.19", **SKIP},
        ]
    }
    assert audit.verdict(report) == (
        0,
        [
            "dependency audit: 1 packages audited, no known vulnerabilities",
            "dependency audit: NOT AUDITED (1): django",
        ],
    )


@pytest.mark.skipif(not Path(sys.executable).with_name("pip-audit").exists(), reason="pip-audit is not installed")
def test_pip_audit_that_cannot_connect_is_reported_as_skipped(monkeypatch, capsys):
    monkeypatch.delenv("DEPENDENCY_AUDIT_REQUIRED", raising=False)
    code = audit.main(["--vulnerability-service=osv", "--osv-url=http://127.0.0.1:9/v1/query"])
    assert (code, capsys.readouterr().out.startswith(audit.SKIPPED)) == (0, True)
