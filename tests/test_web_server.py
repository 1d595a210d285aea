"""The web server's settings: gunicorn.conf.py's values and their environment variables, the slow
requests logged as JSON, and the database connections kept between requests."""

import json
import logging
import runpy
from pathlib import Path

import pytest
from django.test import override_settings

from common.jsonlog import JsonFormatter

CONFIG = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


def _config(monkeypatch, **environment):
    for name in ("WEB_CONCURRENCY", "GUNICORN_WORKER_CLASS", "GUNICORN_THREADS", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONFIG))


def test_gunicorn_config_defaults_to_two_gthread_workers_per_core_with_timeouts_and_recycling(monkeypatch):
    config = _config(monkeypatch)

    assert config["worker_class"] == "gthread"
    assert config["workers"] == 2 * config["_cores"]() >= 2
    assert config["threads"] == 4
    assert config["timeout"] > config["graceful_timeout"] > 0
    assert config["keepalive"] > 60  # longer than a proxy's idle upstream connections, so the proxy closes first
    assert config["max_requests"] > config["max_requests_jitter"] > 0
    assert "%(M)s" in config["access_log_format"]


def test_gunicorn_config_takes_each_value_from_the_environment(monkeypatch):
    config = _config(
        monkeypatch, WEB_CONCURRENCY="7", GUNICORN_WORKER_CLASS="sync", GUNICORN_THREADS="1", GUNICORN_TIMEOUT="90"
    )

    assert (config["workers"], config["worker_class"], config["threads"], config["timeout"]) == (7, "sync", 1, 90)


def test_gunicorn_config_reads_an_empty_variable_as_the_default(monkeypatch):
    assert _config(monkeypatch, GUNICORN_THREADS="")["threads"] == 4


@pytest.fixture
def slow_log(caplog):
    caplog.set_level(logging.INFO, logger="zgc.requests")
    return caplog


@pytest.mark.django_db
def test_a_request_slower_than_the_threshold_is_logged_with_path_status_and_duration(client, slow_log):
    with override_settings(SLOW_REQUEST_SECONDS=0):
        client.get("/publicity/?q=Zhang+San")

    [record] = [r for r in slow_log.records if r.name == "zgc.requests"]
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "slow request"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/publicity/", 200)
    assert isinstance(line["duration_ms"], int)
    assert "Zhang" not in json.dumps(line)  # the query string, which may name a person, is left out


@pytest.mark.django_db
def test_a_request_within_the_threshold_is_not_logged(client, slow_log):
    with override_settings(SLOW_REQUEST_SECONDS=60):
        client.get("/publicity/")

    assert [r for r in slow_log.records if r.name == "zgc.requests"] == []


def test_database_connections_are_kept_and_checked_before_reuse_by_default(settings):
    database = settings.DATABASES["default"]

    assert database["CONN_MAX_AGE"] == 60
    assert database["CONN_HEALTH_CHECKS"] is True


def test_server_side_cursors_stay_on_unless_a_transaction_pooler_is_named(settings):
    assert settings.DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] is False
