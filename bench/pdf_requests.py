# ruff: noqa: E402  (Django is set up before the project is imported)
"""Benchmark: a trivial page's latency idle and while clients download declaration PDFs, through
gunicorn as the Dockerfile runs it (gunicorn.conf.py) with a Celery worker rendering the PDFs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h18pdf REDIS_URL=redis://127.0.0.1:6379/5 \
        .venv/bin/python bench/pdf_requests.py [--clients 8] [--seconds 60] [--idle 100] \
        [--worker-concurrency 1] [--worker-nice 10] [--test-database zgcb_bench_pdf_requests]

The script creates a throw-away database of its own (bench/harness.py), submits one declaration per
client (with its evidence files and commitment, in a temporary ATTACHMENTS_ROOT), starts gunicorn
and a Celery worker on that database (REDIS_URL: the broker; tasks not eager), and then:

1. idle: requests the trivial page (the home page, anonymous) --idle times in a row;
2. under load: --clients threads each, for --seconds, change their declaration's title (so every
   round names a PDF not made yet: the worst case, a render each time), ask for its PDF (the
   waiting page), poll the status endpoint every 0.5 s until it is ready and download the file,
   while another thread requests the trivial page in a row as in 1.

It prints the trivial page's median and p95 idle and under load, and their ratio (the goal: at
most 2), with the PDFs made and the web requests' latencies. Before this change the PDF was
rendered in the request: ~1.2 s of a web worker each, and 8 downloads held the trivial page 5-7 s.
Benchmarks report; nothing here asserts a timing.
"""

import argparse
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess  # nosec B404 # starts the project's own gunicorn and Celery worker
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The bench process and the servers it starts share the evidence files and the generated PDFs.
ATTACHMENTS = tempfile.mkdtemp(prefix="zgcb-bench-pdf-")
os.environ["ATTACHMENTS_ROOT"] = ATTACHMENTS
# The bench signs the clients' sessions in, the servers read them: one key.
os.environ["SECRET_KEY"] = "bench-only-" + "x" * 50

import django

django.setup()

from django.conf import settings
from django.db import connection
from django.test import Client

from bench.harness import run_in_throwaway_database
from config.celery import app
from config.demo import complete_for_submission
from declarations.models import Declaration, DeclarationDocument
from declarations.services import declaration_submit
from tests.factories import ApplicantFactory, CallFactory, DeclarationFactory

TEST_DATABASE_NAME = "zgcb_bench_pdf_requests"


def _free_port():
    """A port nobody listens on now (other benches and servers may run on the same machine)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


HTTP_PORT = _free_port()
TRIVIAL = "/"
POLL = 1.5  # as static/js/pdf-status.js
DOCUMENT = re.compile(rb"/pdf/(\d+)/status/")
# As the Dockerfile: the project's config file (sync workers, two per core), its access log off.
GUNICORN = ["-c", str(ROOT / "gunicorn.conf.py"), "--access-logfile", "/dev/null", "--log-level", "warning"]
WORKER = ["--loglevel", "warning", "--without-gossip", "--without-mingle", "--without-heartbeat"]


def _database_url():
    """The address of the bench's own database, for the servers it starts."""
    settings_dict = connection.settings_dict
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    return (
        f"postgres://{settings_dict['USER']}{password}@{settings_dict['HOST'] or '127.0.0.1'}:"
        f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
    )


def _environment():
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.pdf_settings",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "ATTACHMENTS_ROOT": ATTACHMENTS,
        "CONN_MAX_AGE": "600",
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_URL": "dummymail://",  # the submission notices the worker delivers
        "PYTHONPATH": str(ROOT),
    }


def _get(path, cookie=None):
    """(status, body, seconds) of one GET through gunicorn."""
    client = http.client.HTTPConnection("127.0.0.1", HTTP_PORT, timeout=60)
    start = time.perf_counter()
    try:
        client.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = client.getresponse()
        body = response.read()
    finally:
        client.close()
    return response.status, body, time.perf_counter() - start


def _start_servers(worker_concurrency, worker_nice):
    env = _environment()
    bin_dir = Path(sys.executable).parent
    server = subprocess.Popen(  # nosec B603 # the project's own gunicorn, arguments fixed here
        [str(bin_dir / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{HTTP_PORT}", *GUNICORN],
        cwd=ROOT,
        env=env,
    )
    worker = subprocess.Popen(  # nosec B603 # the project's own Celery worker, arguments fixed here
        [str(bin_dir / "celery"), "-A", "config", "worker", "--concurrency", str(worker_concurrency), *WORKER],
        cwd=ROOT,
        env=env,
        preexec_fn=lambda: os.nice(worker_nice),  # before the bench starts its threads
    )
    for _ in range(600):
        if server.poll() is not None:
            _stop(worker)
            raise SystemExit(f"gunicorn did not start on port {HTTP_PORT}")
        try:
            if _get("/healthz/")[0] == 200:
                break
        except OSError:
            time.sleep(0.1)
    return server, worker


def _stop(*processes):
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def _fixture(clients):
    """One submitted declaration per client, each of an applicant of its own; their session cookies."""
    call = CallFactory()
    made = []
    for n in range(clients):
        applicant = ApplicantFactory(username=f"bench-pdf-{n}")
        declaration = DeclarationFactory(organisation=applicant.organisation, call=call, created_by=applicant)
        complete_for_submission(declaration, applicant)
        declaration_submit(declaration_id=declaration.pk, actor=applicant)
        browser = Client()
        browser.force_login(applicant)
        session = browser.cookies[settings.SESSION_COOKIE_NAME].value
        made.append((declaration.pk, f"{settings.SESSION_COOKIE_NAME}={session}"))
    return made


def _trivial_page(latencies, stop, count=None):
    """Request the trivial page in a row until `stop` is set (or `count` times)."""
    while not stop.is_set() and (count is None or len(latencies) < count):
        status, _body, seconds = _get(TRIVIAL)
        if status != 200:
            raise SystemExit(f"{TRIVIAL} answered {status}")
        latencies.append(seconds)
        time.sleep(0.05)


def _pdf_client(pk, cookie, stop, found, errors):
    """Rounds until `stop`: a new title, the PDF asked for, the status polled, the file downloaded."""
    url = f"/applicant/declarations/{pk}/pdf/"
    round_ = 0
    try:
        while not stop.is_set():
            round_ += 1
            Declaration.objects.filter(pk=pk).update(title=f"Bench project {pk}, version {round_}")
            start = time.perf_counter()
            status, body, seconds = _get(url, cookie)
            found["web"].append(seconds)
            if status == 202:  # the waiting page: poll its document's status as its script does
                status_url = f"{url}{DOCUMENT.search(body).group(1).decode()}/status/"
                ready = False
                while not ready:
                    time.sleep(POLL)
                    status, body, seconds = _get(status_url, cookie)
                    found["web"].append(seconds)
                    if status != 200 or b'"failed": true' in body:
                        errors.append(f"{status_url}: {status} {body[:120]!r}")
                        return
                    ready = b'"ready": true' in body
                status, body, seconds = _get(url, cookie)
                found["web"].append(seconds)
            if status != 200 or not body.startswith(b"%PDF"):
                errors.append(f"{url}: {status} {body[:120]!r}")
                return
            found["made"].append(time.perf_counter() - start)
    finally:
        connection.close()


def _p95(values):
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def run(clients, seconds, idle_requests, worker_concurrency, worker_nice):
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        raise SystemExit("The bench needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL): gunicorn and a worker.")
    app.control.purge()  # the broker's database is the bench's: nothing left from an earlier run
    sessions = _fixture(clients)
    server, worker = _start_servers(worker_concurrency, worker_nice)
    try:
        for _ in range(30):  # warm every worker's connection and templates
            _get(TRIVIAL)
        idle = []
        _trivial_page(idle, threading.Event(), idle_requests)

        stop = threading.Event()
        found, errors, loaded = {"web": [], "made": []}, [], []
        threads = [
            threading.Thread(target=_pdf_client, args=(pk, cookie, stop, found, errors)) for pk, cookie in sessions
        ]
        for thread in threads:
            thread.start()
        time.sleep(2)  # the clients' first requests are in
        trivial = threading.Thread(target=_trivial_page, args=(loaded, stop))
        trivial.start()
        time.sleep(seconds)
        stop.set()
        for thread in [*threads, trivial]:
            thread.join()
    finally:
        _stop(server, worker)

    documents = DeclarationDocument.objects.filter(state="ready").count()
    print(
        f"database: PostgreSQL {connection.pg_version // 10000}; gunicorn -c gunicorn.conf.py; "
        f"Celery worker -c {worker_concurrency}, nice {worker_nice}"
    )
    print(
        f"{clients} PDF clients for {seconds} s: {len(found['made'])} PDFs downloaded ({documents} documents made), "
        f"{len(errors)} errors{': ' + errors[0] if errors else ''}"
    )
    if found["made"]:
        made = found["made"]
        print(f"  time from asking to the file: median {statistics.median(made):.2f} s, p95 {_p95(made):.2f} s")
    print(
        f"  the PDF clients' web requests (page, status, file): {len(found['web'])}, "
        f"median {statistics.median(found['web']) * 1000:.1f} ms, p95 {_p95(found['web']) * 1000:.1f} ms"
    )
    print(f"\ntrivial page {TRIVIAL} ({len(idle)} idle, {len(loaded)} under load):")
    print(f"  idle:       median {statistics.median(idle) * 1000:7.1f} ms, p95 {_p95(idle) * 1000:7.1f} ms")
    print(f"  under load: median {statistics.median(loaded) * 1000:7.1f} ms, p95 {_p95(loaded) * 1000:7.1f} ms")
    print(
        f"  ratio (goal <= 2): median {statistics.median(loaded) / statistics.median(idle):.2f}, "
        f"p95 {_p95(loaded) / _p95(idle):.2f}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent PDF clients")
    parser.add_argument("--seconds", type=int, default=60, help="duration of the load")
    parser.add_argument("--idle", type=int, default=100, help="requests of the trivial page idle")
    parser.add_argument("--worker-concurrency", type=int, default=1, help="the Celery worker's processes")
    parser.add_argument(
        "--worker-nice",
        type=int,
        default=10,
        help="the worker's niceness: 10, below the web workers, as docker-compose.yml starts it; 0: the same",
    )
    parser.add_argument("--test-database", default=TEST_DATABASE_NAME, help="name of the throw-away database")
    args = parser.parse_args()
    return run_in_throwaway_database(
        run,
        args.clients,
        args.seconds,
        args.idle,
        args.worker_concurrency,
        args.worker_nice,
        test_database=args.test_database,
    )


if __name__ == "__main__":
    sys.exit(main())
