# ruff: noqa: E402  (Django is set up before the project is imported)
"""Mixed load through gunicorn on PostgreSQL and Redis with a Celery worker, measured by locust.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/11 \\
        .venv/bin/python bench/load.py [--users 16 64] [--run-time 180] [--declarations 10000] \\
        [--entries 4000] [--servers default gthread:4:4 sync:4 gthread:4:4:1 ...]

The script makes a throw-away PostgreSQL database of its own (bench/harness.py), loads the review
queue's 10,000 declarations in every state (bench/review_queue.py's fixture) and the publicity board's
lists (bench/publicity_board.py's), plus applicants with a draft and declarations ready to submit; gives
every user the demo password and the staff side the demo's authenticator. Then it starts gunicorn with
the project's gunicorn.conf.py (the worker class, count and threads overridable here, as by the
environment in production; --servers measures several in turn on the same data) and a Celery worker,
both on that database and on the Redis database REDIS_URL names (emptied first), and runs
bench/load_locustfile.py headless, once per --users figure, each for --run-time seconds after a
warm-up (30 s and one per user) in which every user starts and signs in.

It prints per page: requests, requests/s, failures, p50/p95/p99 and the ratio of the page's p95 to the
minimal page's p95 (one prober asks it once a second in the same run; a second, signed in, asks it
too, and each signed-in user's page is also shown beside that one), and whether the goals hold:
0 failures; every page's p95 at most 3 x the minimal page's of its kind (a public page beside the
anonymous one, a signed-in user's page beside the signed-in one, as the dashboard's goal is set
against the minimal logged-in page); throughput at the highest --users not below that at the
lowest. The pages over 3 x the anonymous minimal page are printed too. Benchmarks report; nothing
here asserts. bench/README.md has the figures.
"""

import argparse
import csv
import json
import os
import random
import signal
import subprocess  # nosec B404 # starts the project's own gunicorn, Celery worker and locust
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The evidence files the fixture writes, in a folder of the bench's that the server reads too.
os.environ["ATTACHMENTS_ROOT"] = tempfile.mkdtemp(prefix="zgc-load-files-")

import django
import redis

django.setup()

from allauth.mfa.models import Authenticator
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Concat
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from bench import publicity_board, review_queue
from bench.harness import run_in_throwaway_database
from config.demo import DEMO_TOTP_SECRET
from config.management.commands.load_demo import PASSWORD as DEMO_PASSWORD
from declarations.models import Call, Declaration, Organisation, Programme
from notices.models import Notice
from publicity.models import PublishedEntry
from review.models import ReviewAssignment, Rubric
from tests.factories import ART6_FACTS  # the tests' valid ART6 facts and their complete draft
from tests.factories.states import ready_to_submit

TEST_DATABASE_NAME = "test_zgc_bench_load"
# docs/deployment.md's value for storage without a disk head to move (SSD, a cloud volume).
RANDOM_PAGE_COST = "1.1"
PORT = 8721
BIN = Path(sys.executable).parent
# Declarations each applicant keeps ready to submit, per minute measured: at 64 users an applicant
# submitted about 3.6 a minute.
READY_PER_MINUTE = 5
# Seconds of each run not measured, plus one per user: every user starts and signs in (a password
# hash each, about a second of CPU), and the server's caches and connections warm up; the locustfile
# resets the statistics then.
WARMUP = 30
# Pages whose figures are not part of the goals: signing in happens once per user, at its start.
NOT_PAGES = {
    "sign in",
    "sign in, next page",
    "sign in, second factor",
    "sign in, second factor, next page",
    "Aggregated",
}
MINIMAL = "minimal page"
# The same page asked by a signed-in applicant: the layout with a session, a user and their unread
# notices, the least any signed-in page costs. Each signed-in page is also shown beside it.
MINIMAL_SIGNED_IN = "minimal page, signed in"
# The pages the public reads, without signing in; every other page is a signed-in user's.
PUBLIC_PAGES = {"board", "a list", "board, search", "estimator, form", "estimator, estimate", MINIMAL}


# --- fixture ---------------------------------------------------------------------------------------


def create_fixture(declarations, entries, users, ready, rng):
    """The board's lists, the queue's declarations, and one account per simulated user of each kind
    for each run (`users`: the runs' sizes), so no account signs in twice with the same code."""
    t0 = time.perf_counter()
    batches = publicity_board.create_fixture(entries, 20, rng)
    # Both fixtures name their users bench-staff and bench-applicant and number their units' credit
    # codes from 1: the board's are renamed before the queue's are made.
    User.objects.update(username=Concat(Value("board-"), F("username")))
    units = list(Organisation.objects.all())
    for k, unit in enumerate(units):
        unit.credit_code = review_queue.credit_code("91110105", k)
    Organisation.objects.bulk_update(units, ["credit_code"], batch_size=2000)

    total = sum(users)
    review_queue.REVIEWERS = max(review_queue.REVIEWERS, total)
    review_queue.create_fixture(declarations, rng)
    staff = User.objects.bulk_create(User(username=f"load-staff-{k}", role=Role.STAFF) for k in range(total))
    reviewers = list(User.objects.filter(role=Role.REVIEWER).order_by("pk"))
    Authenticator.objects.bulk_create(
        Authenticator(user=user, type=Authenticator.Type.TOTP, data={"secret": DEMO_TOTP_SECRET})
        for user in [*staff, *reviewers]
    )
    applicants = create_applicants(total, ready, rng)
    probers = User.objects.bulk_create(
        User(username=f"load-prober-{k}", role=Role.APPLICANT, organisation=unit)
        for k, unit in enumerate(Organisation.objects.filter(name__startswith="Load Unit").order_by("pk")[: len(users)])
    )
    # Every user has an address, as in production: the worker e-mails each notice (the file backend).
    User.objects.update(password=make_password(DEMO_PASSWORD), email=Concat(F("username"), Value("@load.example")))
    review_queue.analyse()
    print(
        f"fixture: {Declaration.objects.count():,} declarations, "
        f"{PublishedEntry.objects.filter(until_version__isnull=True).count():,} on the board in {len(batches)} lists, "
        f"{ReviewAssignment.objects.count():,} assignments among {len(reviewers)} reviewers, "
        f"{len(applicants)} applicants with {ready} declarations ready to submit each; "
        f"built in {time.perf_counter() - t0:.0f} s"
    )
    return batches, applicants, reviewers, staff, probers


def create_applicants(count, ready_each, rng):
    """`count` applicants, each of a unit of their own with one draft to save and `ready_each`
    drafts complete for submission (evidence and signed commitment), in a call open now."""
    programme = Programme.objects.get(code="ART6")
    call = Call.objects.create(
        year=timezone.localdate().year,
        title="Load bench call",
        opens_at=timezone.now() - timedelta(days=10),
        closes_at=timezone.now() + timedelta(days=30),
    )
    call.programmes.set(Programme.objects.all())
    units = Organisation.objects.bulk_create(
        Organisation(
            name=f"Load Unit {k} Co., Ltd.",
            credit_code=review_queue.credit_code("91110106", k),
            organisation_type="investment_institution",
            district="haidian",
            registered_capital=50_000_000,
            established_on=timezone.localdate() - timedelta(days=3000),
            annual_revenue=80_000_000,
            legal_representative="Zhang San",
        )
        for k in range(count)
    )
    applicants = User.objects.bulk_create(
        User(username=f"load-applicant-{k}", role=Role.APPLICANT, organisation=unit) for k, unit in enumerate(units)
    )
    made = []
    for applicant, unit in zip(applicants, units, strict=True):
        drafts = [
            Declaration.objects.create(
                organisation=unit,
                call=call,
                programme=programme,
                title=f"First-round investment {k} of {unit.name}",
                summary="Early hard-technology investment in a quantum sensing start-up.",
                facts=dict(ART6_FACTS),
                created_by=applicant,
            )
            for k in range(1 + ready_each)
        ]
        ready = [ready_to_submit(d, applicant).pk for d in drafts[1:]]
        made.append({"username": applicant.username, "draft": drafts[0].pk, "ready": ready})
    rng.shuffle(made)
    return made


def accounts_for_runs(batches, applicants, reviewers, staff, probers, users):
    """One file per run: the accounts of that run's simulated users (disjoint between runs) and what
    the readers ask for."""
    criteria = {
        rubric.programme_id: {
            f"evaluation-criterion_{c.pk}": str(c.min_score + (c.max_score - c.min_score) * 9 / 10)
            for c in rubric.criteria.all()
        }
        for rubric in Rubric.objects.prefetch_related("criteria")
    }
    assignments = {}
    for reviewer_id, declaration_id, programme_id in ReviewAssignment.objects.values_list(
        "reviewer_id", "declaration_id", "declaration__programme_id"
    ):
        if programme_id in criteria:
            assignments.setdefault(reviewer_id, []).append((declaration_id, criteria[programme_id]))
    reviewers = [r for r in reviewers if assignments.get(r.pk)]
    estimate = {"programme": "ART6", "shown": "ART6"}
    estimate |= {name: ("yes" if value is True else value) for name, value in ART6_FACTS.items()}
    shown = PublishedEntry.objects.filter(until_version__isnull=True).count()
    common = {
        "password": DEMO_PASSWORD,
        "board_pages": max(1, shown // 50),
        "batches": [b.pk for b in batches[:6]],
        "estimate": estimate,
    }
    files, start = [], 0
    for k, n in enumerate(users):
        found = {
            **common,
            "prober": {"username": probers[k].username},
            "applicants": applicants[start : start + n],
            "reviewers": [
                {"username": r.username, "totp": DEMO_TOTP_SECRET, "assignments": assignments[r.pk][:20]}
                for r in reviewers[start : start + n]
            ],
            "staff": [{"username": s.username, "totp": DEMO_TOTP_SECRET} for s in staff[start : start + n]],
        }
        start += n
        handle, name = tempfile.mkstemp(prefix="zgc-load-", suffix=".json")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(found, out)
        files.append(name)
    return files


# --- the servers -------------------------------------------------------------------------------------


def database_url():
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def server_environment(server):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.load_settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "PYTHONPATH": str(ROOT),
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "GUNICORN_ACCESS_LOG": "",
        "GUNICORN_LOG_LEVEL": "warning",
        **server,
    }


def start_servers(env, logs):
    """gunicorn with the project's config file, and one Celery worker (the notices and the award caps
    a submission queues); returns both processes once the server answers /healthz/."""
    gunicorn = subprocess.Popen(  # nosec B603 # the project's own gunicorn, arguments fixed here
        [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "config.wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=open(logs / "gunicorn.log", "w"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )
    worker = subprocess.Popen(  # nosec B603 # the project's own Celery worker
        [str(BIN / "celery"), "-A", "config", "worker", "-l", "warning", "--concurrency", "1"],
        cwd=ROOT,
        env=env,
        stdout=open(logs / "celery.log", "w"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz/", timeout=2)  # nosec B310 # our own server
            return gunicorn, worker
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"gunicorn did not answer; see {logs / 'gunicorn.log'}")


def stop(process):
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        process.kill()


# --- a run ---------------------------------------------------------------------------------------------


def run_locust(users, run_time, accounts, logs):
    prefix = logs / f"users{users}"
    warmup = WARMUP + users
    subprocess.run(  # nosec B603 # locust on our own locustfile, arguments fixed here
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "load_locustfile.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(max(1, users // 4)),
            "--run-time",
            f"{warmup + run_time}s",
            "--only-summary",
            "--loglevel",
            "ERROR",
            "--host",
            f"http://127.0.0.1:{PORT}",
            "--csv",
            str(prefix),
        ],
        cwd=ROOT,
        env={**os.environ, "LOAD_ACCOUNTS": accounts, "LOAD_WARMUP": str(warmup)},
        stdout=open(logs / f"locust{users}.log", "w"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
        check=False,
        timeout=warmup + run_time + 120,
    )
    with open(f"{prefix}_stats.csv", newline="") as stats:
        # A page with no request in the measured time has "N/A" percentiles: left out.
        rows = {row["Name"]: row for row in csv.DictReader(stats) if int(row["Request Count"])}
    failures = []
    if Path(f"{prefix}_failures.csv").exists():
        with open(f"{prefix}_failures.csv", newline="") as found:
            failures = list(csv.DictReader(found))
    return rows, failures


def report(users, rows, failures):
    minimal = float(rows[MINIMAL]["95%"])
    signed_in = float(rows[MINIMAL_SIGNED_IN]["95%"]) if MINIMAL_SIGNED_IN in rows else None
    print(
        f"\n{users} users: per page, times in ms; ratio = the page's p95 / the minimal page's p95 (goal <= 3); "
        "signed in = a signed-in user's page's p95 / the signed-in minimal page's"
    )
    print(
        f"  {'page':<29} {'requests':>8} {'req/s':>7} {'failed':>6} {'p50':>7} {'p95':>7} {'p99':>7} {'ratio':>6}"
        f" {'signed in':>9}"
    )
    for name, row in sorted(rows.items(), key=lambda item: (item[0] == "Aggregated", item[0])):
        p95 = float(row["95%"])
        ratio = "" if name in NOT_PAGES else f"{p95 / minimal:6.2f}"
        own = "" if name in NOT_PAGES or name in PUBLIC_PAGES or not signed_in else f"{p95 / signed_in:9.2f}"
        print(
            f"  {name:<29} {int(row['Request Count']):>8} {float(row['Requests/s']):>7.2f} "
            f"{int(row['Failure Count']):>6} {float(row['50%']):>7.0f} {p95:>7.0f} {float(row['99%']):>7.0f} {ratio:>6}"
            f" {own:>9}"
        )
    for failure in failures:
        print(f"  failure: {failure['Method']} {failure['Name']}: {failure['Error']} x {failure['Occurrences']}")
    pages = {name: row for name, row in rows.items() if name not in NOT_PAGES}
    errors = sum(int(row["Failure Count"]) for row in rows.values() if row["Name"] != "Aggregated")
    over = [name for name, row in pages.items() if float(row["95%"]) > 3 * minimal]
    # Each page beside the minimal page of its own kind: a public page beside the anonymous one, a
    # signed-in user's beside the signed-in one.
    over_own = [
        name
        for name, row in pages.items()
        if float(row["95%"]) > 3 * (minimal if name in PUBLIC_PAGES or not signed_in else signed_in)
    ]
    return {
        "errors": errors,
        "over": over,
        "over_own": over_own,
        "throughput": float(rows["Aggregated"]["Requests/s"]),
    }


def server_settings(text):
    """ "gthread:2:4" -> the environment of gunicorn.conf.py: worker class, processes, threads, and
    optionally Python's switch interval in ms ("gthread:4:4:1"); an empty field or "" or "default"
    -> the file's default."""
    if text in ("", "default"):
        return {}
    values = ([*text.split(":"), "", "", ""])[:4]
    names = ("GUNICORN_WORKER_CLASS", "WEB_CONCURRENCY", "GUNICORN_THREADS", "PYTHON_SWITCH_INTERVAL_MS")
    return {name: value for name, value in zip(names, values, strict=True) if value}


def tune_database():
    """The planner's price of reading a page at random set on the bench's database as
    docs/deployment.md has production set it ("Planner costs"): PostgreSQL's default prices it as a
    spinning disk's, and scanned the organisations' every name for the queue's search rather than
    use their trigram index."""
    name = connection.ops.quote_name(connection.settings_dict["NAME"])
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER DATABASE {name} SET random_page_cost = {RANDOM_PAGE_COST}")  # nosec B608 # our name


def run(args):
    tune_database()
    rng = random.Random(18)  # nosec B311 # reproducible benchmark data, not a secret
    runs = [(server, users) for server in args.servers for users in args.users]
    ready = max(4, -(-args.run_time * READY_PER_MINUTE // 60))
    batches, applicants, reviewers, staff, probers = create_fixture(
        args.declarations, args.entries, [users for _server, users in runs], ready, rng
    )
    files = accounts_for_runs(batches, applicants, reviewers, staff, probers, [users for _server, users in runs])
    logs = Path(tempfile.mkdtemp(prefix="zgc-load-logs-"))
    print(f"logs in {logs}")
    summaries = []
    try:
        for server in args.servers:
            own = [name for (other, _users), name in zip(runs, files, strict=True) if other == server]
            summaries.append(run_server(server, args, own, logs))
    finally:
        for name in files:
            os.unlink(name)
    print()
    for line in summaries:
        print(line)


def report_notices(before):
    """How many notices the run wrote (those after the notice `before`) and the worker e-mailed by its end."""
    written = Notice.objects.filter(pk__gt=before)
    counts = written.aggregate(written=Count("pk"), emailed=Count("pk", filter=Q(emailed_at__isnull=False)))
    connection.close()
    print(
        f"  notices written in the run (its warm-up included): {counts['written']:,}; e-mailed by the worker by "
        f"its end: {counts['emailed']:,}"
    )


def run_server(server, args, files, logs):
    env = server_environment(server_settings(server))
    env["EMAIL_URL"] = f"filemail:///{logs / 'mail'}"  # django-environ drops the path's first "/"
    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
    connection.close()  # the server's workers take the connections from here
    gunicorn, worker = start_servers(env, logs)
    print(
        f"\n=== server: gunicorn -c gunicorn.conf.py, {server} "
        f"(class {env.get('GUNICORN_WORKER_CLASS', 'default')}, "
        f"WEB_CONCURRENCY={env.get('WEB_CONCURRENCY', 'default')}, "
        f"threads {env.get('GUNICORN_THREADS', 'default')}, "
        f"switch interval {env.get('PYTHON_SWITCH_INTERVAL_MS', 'default')} ms); Celery worker, concurrency 1"
    )
    results = {}
    try:
        for users, accounts in zip(args.users, files, strict=True):
            before = Notice.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            rows, failures = run_locust(users, args.run_time, accounts, logs)
            results[users] = report(users, rows, failures)
            report_notices(before)
    finally:
        stop(gunicorn)
        stop(worker)
    low, high = min(results), max(results)
    lines = [f"{server}:"]
    for users, found in results.items():
        lines.append(
            f"  {users} users: {found['errors']} failures (goal 0); {found['throughput']:.1f} requests/s; pages over "
            "3 x the minimal page of their kind (public pages the anonymous one, a signed-in user's the "
            f"signed-in one; the goal): {'; '.join(found['over_own']) or 'none'}"
        )
        lines.append(
            f"    (every page beside the anonymous minimal page: over 3 x: {'; '.join(found['over']) or 'none'})"
        )
    ratio = results[high]["throughput"] / results[low]["throughput"]
    lines.append(f"  throughput at {high} users / at {low}: {ratio:.2f} (goal >= 1)")
    met = all(not r["errors"] and not r["over_own"] for r in results.values()) and ratio >= 1
    lines.append("  goals: " + ("met" if met else "NOT met"))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[16, 64], help="simulated users, one run each")
    parser.add_argument("--run-time", type=int, default=180, help="seconds measured per run")
    parser.add_argument("--declarations", type=int, default=10_000, help="declarations in the queue's fixture")
    parser.add_argument("--entries", type=int, default=4_000, help="public entries on the board (20 lists)")
    parser.add_argument(
        "--servers",
        nargs="+",
        default=["default"],
        help="gunicorn settings to measure in turn on the same data, CLASS:PROCESSES:THREADS[:SWITCH_MS] "
        "(e.g. gthread:2:4 sync:5 gthread:4:4:1), or default (gunicorn.conf.py's own)",
    )
    parser.add_argument("--test-database", default=TEST_DATABASE_NAME, help="name of the throw-away database")
    args = parser.parse_args()
    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        parser.error("set DATABASE_URL to PostgreSQL and REDIS_URL to a Redis database this bench may empty")
    return run_in_throwaway_database(run, args, test_database=args.test_database)


if __name__ == "__main__":
    sys.exit(main())
