import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_passes_with_production_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY")} | {
        "DEBUG": "false",
        "SECRET_KEY": "k8#Jq2!vL9zR4@pX7^mN1&bT6*wY3(cF5)hG0_dS8+eA2=uI-production-test",
        "ALLOWED_HOSTS": "kjzx.kw.beijing.gov.cn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org:587",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_settings_default_to_the_embedded_stack(settings):
    from config import settings as module

    assert module.TIME_ZONE == "Asia/Shanghai"
    assert settings.AUTH_USER_MODEL == "accounts.User"
    assert [code for code, _ in module.LANGUAGES] == ["zh-hans", "en"]
