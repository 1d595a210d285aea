"""Real Celery workers for the worker-kill tests: started as processes on the Redis broker and the test's
PostgreSQL database, stopped at a kill point (tests/worker_faults.py) and killed there with SIGKILL."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from tests.worker_faults import SENT_FILE

BASE_DIR = Path(settings.BASE_DIR)


# The kill tests' marks: skipped before their database is set up where they cannot run.
NEEDS_REDIS_AND_POSTGRESQL = [
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"),
        reason="needs Redis (REDIS_URL=redis://...): the worker-kill test runs a real worker; .ci/run sets it",
    ),
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="needs PostgreSQL (DATABASE_URL=postgres://...): the worker-kill test runs a real worker",
    ),
]


def skip_without_redis_and_postgresql():
    """The kill tests need what production has: a worker killed mid-transaction is rolled back by the
    PostgreSQL server, and its unacknowledged messages stay in Redis."""
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs Redis (REDIS_URL=redis://...): the worker-kill test runs a real worker; .ci/run sets it")
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...): the worker-kill test runs a real worker")
    import redis

    try:
        redis.Redis.from_url(os.environ["REDIS_URL"]).ping()
    except redis.RedisError as error:
        pytest.skip(f"needs a Redis server at REDIS_URL: {error}")


def database_url_of_the_test():
    """The URL of the database the test runs on (pytest-django's test database), for the workers."""
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    user = quote(db["USER"] or "", safe="")
    return f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Workers:
    """Celery worker processes sharing one folder with the test (WORKER_FAULTS_DIR), as production runs
    them (prefork: the main process acknowledges, a pool child runs the task; with the solo pool an
    early acknowledgement waits for the task's end, which would hide a lost task). Each takes one
    message at a time (one child, prefetch 1), so no message waits in a live worker's hands longer
    than the visibility timeout: a copy brought back from a live worker would hide a lost one."""

    def __init__(self, folder):
        import redis

        self.folder = folder
        self.broker_url = os.environ["REDIS_URL"]
        self.redis = redis.Redis.from_url(self.broker_url)
        self.processes = {}
        self.started = 0

    def start(self):
        self.started += 1
        env = {
            **os.environ,
            "DATABASE_URL": database_url_of_the_test(),
            "REDIS_URL": self.broker_url,
            "CELERY_BROKER_URL": self.broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "WORKER_FAULTS_DIR": str(self.folder),
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
        log = (self.folder / f"worker{self.started}.log").open("w")
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=WARNING"),
                *("--pool=prefork", "--concurrency=1", "--prefetch-multiplier=1"),
                *("--without-mingle", "--without-gossip", "--without-heartbeat", "--include=tests.worker_faults"),
                f"--hostname=kill{self.started}-{os.getpid()}@%h",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the worker and its pool child die together
        )
        self.processes[process.pid] = process
        return process

    def wait_ready(self, process, timeout=90):
        marker = self.folder / f"ready.{process.pid}"
        self._wait(lambda: marker.exists(), timeout, f"worker {process.pid} did not start", process)

    def arm(self, phase, identifier):
        (self.folder / "control.json").write_text(json.dumps({"phase": phase, "id": identifier}))

    def kill_at_kill_point(self, timeout=120):
        """Wait for a worker to reach the armed kill point, SIGKILL it there (the main process and its
        child at once, as when a container or a machine dies) and disarm; returns the worker's pid."""
        marker = self.folder / "paused.json"
        self._wait(marker.exists, timeout, "no worker reached the kill point")
        pid = json.loads(marker.read_text())["worker"]
        os.killpg(pid, signal.SIGKILL)
        self.processes.pop(pid).wait(timeout=30)
        (self.folder / "control.json").unlink()
        marker.unlink()
        return pid

    def queued(self):
        """Messages waiting in the queue plus those delivered to a worker and not acknowledged."""
        return self.redis.llen("celery") + self.redis.hlen("unacked")

    def drain(self, timeout=120):
        """Wait until no message is queued or unacknowledged, twice in a row: a killed worker's messages
        stay unacknowledged until a live worker brings them back (Redis' visibility timeout), so an
        empty broker means every task ran or was lost."""
        deadline = time.monotonic() + timeout
        calm = 0
        while calm < 2:
            calm = calm + 1 if self.queued() == 0 else 0
            if time.monotonic() > deadline:
                raise AssertionError(f"not drained in {timeout} s: {self.queued()} messages left; see {self.folder}")
            time.sleep(0.25)

    def sent(self):
        """Every message the workers' e-mail backend accepted, killed workers' included."""
        path = self.folder / SENT_FILE
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

    def stop(self):
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()

    def _wait(self, condition, timeout, message, process=None):
        deadline = time.monotonic() + timeout
        while not condition():
            if process is not None and process.poll() is not None:
                raise AssertionError(f"{message}: it exited; see {self.folder}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{message} in {timeout} s; see {self.folder}")
            time.sleep(0.05)


# Every kill test's marks: a real broker and database, and a database that a transactional test
# leaves as it found it (the seeded programmes come back).
KILL_TEST_MARKS = [
    *NEEDS_REDIS_AND_POSTGRESQL,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def workers_running(tmp_path, settings):
    """The `workers` fixture (tests/conftest.py): workers on the real broker, with the test's tasks
    sent to them rather than run eagerly; the broker's queue, unacknowledged messages and restore
    lock emptied first, every worker stopped after."""
    from config.celery import app

    skip_without_redis_and_postgresql()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    workers = Workers(tmp_path)
    workers.redis.delete("celery", "unacked", "unacked_index", "unacked_mutex")
    try:
        yield workers
    finally:
        workers.stop()
        app.conf.task_always_eager = True
