import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def production_environment(tmp_path, **changes):
    """The environment docker-compose.yml gives the web container (x-app-env), with test values for
    what it requires from .env, and `changes` on top."""
    kept = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY")}
    return (
        kept
        | {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "REDIS_CACHE_URL": "redis://127.0.0.1:6379/1",
            "SECRET_KEY": "k8#Jq2!vL9zR4@pX7^mN1&bT6*wY3(cF5)hG0_dS8+eA2=uI-production-test",
            "DEBUG": "false",
            "ALLOWED_HOSTS": "kjzx.kw.beijing.gov.cn",
            "CSRF_TRUSTED_ORIGINS": "https://kjzx.kw.beijing.gov.cn",
            "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org:587",
            "MEDIA_ROOT": str(tmp_path / "media"),
            "ATTACHMENTS_ROOT": str(tmp_path / "media" / "private"),
            "CLIENT_ADDRESS_HEADER": "HTTP_X_REAL_IP",
            "CONN_MAX_AGE": "60",
        }
        | changes
    )


def check_deploy(env):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--database", "default", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = check_deploy(production_environment(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    # Nothing silenced either (SILENCED_SYSTEM_CHECKS).
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_check_deploy_fails_on_a_production_setting_weakened(tmp_path):
    result = check_deploy(production_environment(tmp_path, SESSION_COOKIE_SECURE="false", SECURE_HSTS_SECONDS="0"))
    assert result.returncode == 1
    assert "security.W012" in result.stderr and "security.W004" in result.stderr


def test_settings_default_to_the_embedded_stack(settings):
    from config import settings as module

    assert module.TIME_ZONE == "Asia/Shanghai"
    assert settings.AUTH_USER_MODEL == "accounts.User"
    assert [code for code, _ in module.LANGUAGES] == ["zh-hans", "en"]
