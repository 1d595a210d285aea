"""Permissions are asked of the rules ruleset, never user.has_perm, which lets a superuser through
every rule; the administrator must not act as staff, reviewer or finance."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["accounts", "config", "declarations", "review", "publicity", "disbursement", "notices"]


def test_no_app_code_asks_user_has_perm():
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if ".has_perm(" in line and "rules.has_perm(" not in line
    ]
    assert offenders == []
