"""The web server's settings: gunicorn.conf.py's values and their environment variables, the slow
requests logged as JSON, and the database connections kept between requests."""

import json
import logging
import os
import runpy
import subprocess  # nosec B404 # a new Python process, as a web worker starts
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from common.jsonlog import JsonFormatter

CONFIG = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


def _config(monkeypatch, **environment):
    for name in (
        "WEB_CONCURRENCY",
        "GUNICORN_WORKER_CLASS",
        "GUNICORN_THREADS",
        "GUNICORN_TIMEOUT",
        "PYTHON_SWITCH_INTERVAL_MS",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONFIG))


def test_gunicorn_config_defaults_to_two_sync_workers_per_core_with_timeouts_and_recycling(monkeypatch):
    config = _config(monkeypatch)

    assert config["worker_class"] == "sync"
    assert config["workers"] == 2 * config["_cores"]() >= 2
    assert config["threads"] == 1  # more would make gunicorn run gthread instead
    assert config["switch_interval_ms"] == 5  # Python's own
    assert config["timeout"] > config["graceful_timeout"] > 0
    assert config["keepalive"] > 60  # longer than a proxy's idle upstream connections, so the proxy closes first
    assert config["max_requests"] > config["max_requests_jitter"] > 0
    assert "%(M)s" in config["access_log_format"]


def test_gunicorn_config_takes_each_value_from_the_environment(monkeypatch):
    config = _config(
        monkeypatch, WEB_CONCURRENCY="7", GUNICORN_WORKER_CLASS="sync", GUNICORN_THREADS="1", GUNICORN_TIMEOUT="90"
    )

    assert (config["workers"], config["worker_class"], config["threads"], config["timeout"]) == (7, "sync", 1, 90)


def test_gunicorn_config_gives_gthread_four_threads_unless_told_otherwise(monkeypatch):
    assert _config(monkeypatch, GUNICORN_WORKER_CLASS="gthread")["threads"] == 4
    assert _config(monkeypatch, GUNICORN_WORKER_CLASS="gthread", GUNICORN_THREADS="2")["threads"] == 2


def test_gunicorn_config_reads_an_empty_variable_as_the_default(monkeypatch):
    assert _config(monkeypatch, GUNICORN_THREADS="", GUNICORN_WORKER_CLASS="")["threads"] == 1


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


# --- the Celery broker, connected as a worker starts ------------------------------------------------

WARM = (
    "import django; django.setup()\n"
    "from config.celery import app, producer_warmed\n"
    "warmed = producer_warmed()\n"
    "with app.producer_or_acquire() as producer:\n"
    "    declared = hash(app.amqp.default_queue) in producer.connection.declared_entities\n"
    "print(warmed, declared)\n"
)


def _warm_in_a_new_process(redis_url):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "REDIS_URL": redis_url,
        "REDIS_CACHE_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    return subprocess.run(
        [sys.executable, "-c", WARM], cwd=CONFIG.parent, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.redis
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL: .ci/run sets it")
def test_a_web_worker_connects_to_the_broker_and_declares_the_queue_before_its_first_task():
    """What a worker's first task message did (40 to 90 ms): done as the worker starts."""
    result = _warm_in_a_new_process(os.environ["REDIS_URL"])
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]


def test_a_web_worker_starts_when_the_broker_does_not_answer():
    """The broker down as a worker starts: logged, and the worker goes on (its pages need no broker)."""
    result = _warm_in_a_new_process("redis://127.0.0.1:1/0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "False"
    assert "the Celery broker did not answer as the web worker started" in result.stderr


def test_eager_tasks_need_no_broker_connection(settings):
    from config.celery import producer_warmed

    assert settings.CELERY_TASK_ALWAYS_EAGER
    assert producer_warmed() is False


def test_the_gunicorn_config_warms_each_worker_and_freezes_what_it_loaded(monkeypatch):
    """Once a worker has loaded the project: the broker's connection made, the prepared reads built,
    the interpreter's switch interval set (PYTHON_SWITCH_INTERVAL_MS, for gthread's threads), then
    the objects so far left out of the garbage collector's full collections."""
    import gc
    import sys

    import common.sql
    import config.celery

    calls = []
    monkeypatch.setattr(config.celery, "producer_warmed", lambda: calls.append("warmed"))
    monkeypatch.setattr(common.sql, "prepared_reads_built", lambda: calls.append("built"))
    monkeypatch.setattr(sys, "setswitchinterval", lambda seconds: calls.append(seconds))
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("frozen"))
    monkeypatch.setattr(gc, "set_threshold", lambda *thresholds: calls.append(thresholds))
    monkeypatch.delenv("GC_REQUEST_ALLOWANCE", raising=False)
    runpy.run_path(str(CONFIG))["post_worker_init"](worker=None)
    monkeypatch.setenv("PYTHON_SWITCH_INTERVAL_MS", "1")
    runpy.run_path(str(CONFIG))["post_worker_init"](worker=None)
    python = gc.get_threshold()
    assert calls == [
        "warmed",
        "built",
        0.005,
        "frozen",
        (50_000, *python[1:]),
        "warmed",
        "built",
        0.001,
        "frozen",
        (50_000, *python[1:]),
    ]


def test_a_web_worker_imports_every_view_and_context_processor_as_it_loads_the_application():
    """Not on its first request, which took 0.8 to 2.2 s more (bench/README.md, "load.py")."""
    printed = _printed_by_a_new_process(
        "import sys; import config.wsgi\n"
        "modules = ('declarations.views', 'review.views.queue', 'weasyprint', 'notices.context_processors')\n"
        "print(*(name in sys.modules for name in modules))\n"
    )
    assert printed == ["True"] * 4


def test_a_celery_worker_imports_what_makes_the_pdfs_before_it_forks_its_pool():
    printed = _printed_by_a_new_process(
        "import sys; import django; django.setup()\n"
        "from celery import signals; import config.celery\n"
        "before = 'weasyprint' in sys.modules\n"
        "signals.worker_init.send(sender=None)\n"
        "print(before, 'weasyprint' in sys.modules, 'declarations.documents' in sys.modules)\n"
    )
    assert printed == ["False", "True", "True"]


def _printed_by_a_new_process(script):
    """The words `script` prints, run by a new Python process on the project's settings."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=CONFIG.parent, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


# --- the garbage collector, between requests --------------------------------------------------------


@pytest.fixture
def collections(monkeypatch):
    """gc.get_count made to answer what a test says; gc.collect's calls recorded, not made."""
    import gc

    made = []
    counts = {"now": (0, 0, 0)}
    monkeypatch.setattr(gc, "get_count", lambda: counts["now"])
    monkeypatch.setattr(gc, "collect", lambda generation=2: made.append(generation))
    monkeypatch.setattr(gc, "get_threshold", lambda: (700, 10, 10))  # Python's own, whatever a test set
    monkeypatch.delenv("GC_REQUEST_ALLOWANCE", raising=False)

    def after_a_request(now, **environment):
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        counts["now"] = now
        made.clear()
        runpy.run_path(str(CONFIG))["post_request"](worker=None, req=None, environ={}, resp=None)
        return made

    return after_a_request


@pytest.mark.parametrize(
    ("counts", "collected"),
    [
        ((650, 9, 9), []),  # fewer new objects than Python's first threshold: nothing
        ((701, 0, 0), [0]),
        ((5_000, 10, 10), [0]),  # each count at its threshold, not over it: the youngest
        ((701, 11, 3), [1]),
        ((701, 11, 11), [2]),  # the oldest generation due first, as Python picks it
        ((701, 0, 11), [2]),
    ],
)
def test_after_each_response_the_generations_python_would_have_collected_are_collected(collections, counts, collected):
    assert collections(counts) == collected


def test_an_allowance_of_zero_leaves_the_collector_as_python_runs_it(collections, monkeypatch):
    import gc

    assert collections((5_000, 11, 11), GC_REQUEST_ALLOWANCE="0") == []
    thresholds = []
    monkeypatch.setattr(gc, "freeze", lambda: None)
    monkeypatch.setattr(gc, "set_threshold", lambda *values: thresholds.append(values))
    monkeypatch.setattr("config.celery.producer_warmed", lambda: None)
    monkeypatch.setattr("common.sql.prepared_reads_built", lambda: None)
    monkeypatch.setattr(sys, "setswitchinterval", lambda seconds: None)
    runpy.run_path(str(CONFIG))["post_worker_init"](worker=None)
    assert thresholds == []
