# ruff: noqa: E402  (Django is set up before the project is imported)
"""Benchmark of a declaration's submission (the POST that submits it) against the minimal page,
anonymous and signed in, with few staff and with many.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/11 \\
        .venv/bin/python bench/submission.py [--staff 8 800] [--submissions 60] [--parts]
    .venv/bin/python bench/submission.py            # the embedded SQLite default, tasks to memory

The script creates a throw-away test database of its own (test_zgc_bench_submission on PostgreSQL,
in memory on SQLite) and, in a call open now, applicants of their own units with declarations
complete for submission (`bench/load.py`'s: the evidence files and the signed commitment). For each
--staff figure it makes that many members of commission staff (each is told of every submission,
issue 17), then, through Django's test Client (middleware, session, view; DEBUG off), submits
--submissions declarations one by one as `bench/load.py`'s applicants do: the post that asks for
confirmation (not timed), then the post that submits (timed). Before each, in the same round, it
asks the minimal page (`bench/publicity_board.py`'s baseline: the layout around one query) as an
anonymous reader and as the signed-in applicant, the two minimal pages of `bench/load.py`. The
submission's task message goes to the broker REDIS_URL names (a Celery worker's queue, emptied at
the end) or, without it, to an in-memory broker: as in production, nothing is delivered in the
request. It prints each median, the submission's ratio to each minimal page and its statements to
the database (the session's and the user's reads among them, BEGIN and COMMIT not counted).
--parts also times the submission's parts (each wrapped around its call; they add a little to the
total). bench/README.md has the figures. Nothing here asserts a timing.
"""

import argparse
import contextlib
import functools
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The evidence files the fixture writes, in a folder of the bench's.
os.environ["ATTACHMENTS_ROOT"] = tempfile.mkdtemp(prefix="zgc-submission-files-")

import django

django.setup()

from django.db import connection
from django.test import Client
from django.test.utils import override_settings

from accounts.enums import Role
from accounts.models import User
from bench import load
from bench.harness import database_label, request, run_in_throwaway_database
from common.confirm import CONFIRM_FIELD, CONFIRM_VALUE
from config.celery import app

TEST_DATABASE_NAME = "test_zgc_bench_submission"
BASELINE = "/bench/baseline/"
# Each applicant's declarations ready to submit: a unit of the load's has 15 for its 3 minutes.
READY_EACH = 15


def submit(client, pk, queries=None):
    """The two posts of a submission; returns the second's wall time, and appends each statement it
    sends to the database to `queries` when given. A submission that does not end on its "what
    happens next" page stops the bench."""
    url = f"/applicant/declarations/{pk}/submit/"
    asked = client.post(url)
    if asked.status_code != 200 or CONFIRM_FIELD.encode() not in asked.content:
        raise SystemExit(f"{url} answered {asked.status_code} without the confirmation")

    def counted(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    gc.collect()
    with connection.execute_wrapper(counted) if queries is not None else contextlib.nullcontext():
        start = time.perf_counter()
        response = client.post(url, {CONFIRM_FIELD: CONFIRM_VALUE})
        elapsed = time.perf_counter() - start
    if response.status_code != 302 or not response["Location"].endswith(f"/declarations/{pk}/submitted/"):
        raise SystemExit(f"{url} answered {response.status_code}, not the submitted page")
    return elapsed


def timed_request(client, url):
    gc.collect()
    start = time.perf_counter()
    request(client, url)
    return time.perf_counter() - start


# --- the parts (--parts) ---------------------------------------------------------------------------

PARTS = {
    "declarations.services": ("declaration_submission_problems", "_next_number"),
    "declarations.workflow": ("declaration_locked", "_recorded"),
    "notices.services": ("notices_for_staff",),
}


def time_parts(spent):
    """Wrap each of PARTS' functions where the submission finds it (its module's global), and the
    task message's publication, so that each call's wall time is added to `spent`."""

    def wrapped(label, function):
        @functools.wraps(function)
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label].append(time.perf_counter() - start)

        return timed

    for name, functions in PARTS.items():
        module = sys.modules[name]
        for function in functions:
            setattr(module, function, wrapped(function, getattr(module, function)))
    deliver = sys.modules["notices.tasks"].deliver_notices
    deliver.delay = wrapped("the task message (deliver_notices.delay)", deliver.delay)


# --- the run ----------------------------------------------------------------------------------------


def make_staff(total):
    """Bring the commission's active staff to `total` members."""
    have = User.objects.filter(role=Role.STAFF, is_active=True).count()
    User.objects.bulk_create(User(username=f"bench-staff-{k}", role=Role.STAFF) for k in range(have, total))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "ANALYZE accounts_user")


def run(args):
    rng = random.Random(18)  # nosec B311 # reproducible benchmark data, not a secret
    t0 = time.perf_counter()
    per_size = -(-(args.submissions + 2) // READY_EACH)  # two more: the first and the one counted
    accounts = load.create_applicants(per_size * len(args.staff), READY_EACH, rng)
    print(f"database: {database_label()}; task messages to {app.conf.broker_url.split('@')[-1]}")
    print(
        f"fixture: {len(accounts)} applicants with {READY_EACH} declarations ready to submit each; "
        f"built in {time.perf_counter() - t0:.1f} s"
    )
    spent = defaultdict(list)
    if args.parts:
        time_parts(spent)
    anonymous = Client()
    rows = []
    for group, staff in enumerate(args.staff):
        make_staff(staff)
        clients = []
        for account in accounts[group * per_size : (group + 1) * per_size]:
            client = Client()
            client.force_login(User.objects.get(username=account["username"]))
            clients += [(client, pk) for pk in account["ready"]]
        first, *rest = clients[: args.submissions + 2]
        submit(*first)  # the first submission's one-off reads (content types, prepared reads) are not its own
        request(anonymous, BASELINE)
        queries = []
        submit(*rest[0], queries=queries)
        spent.clear()
        times = defaultdict(list)
        for client, pk in rest[1:]:
            times["anonymous"].append(timed_request(anonymous, BASELINE))
            times["signed in"].append(timed_request(client, BASELINE))
            times["submission"].append(submit(client, pk))
        medians = {key: statistics.median(values) * 1000 for key, values in times.items()}
        parts = {label: statistics.median(values) * 1000 for label, values in spent.items()}
        rows.append((staff, len(times["submission"]), medians, len(queries), parts))

    print(
        "\nmedians in ms; ratio = the submission's median / the minimal page's "
        "(anonymous, and signed in as the applicant)"
    )
    print(
        f"  {'staff':>6} {'submissions':>11} {'minimal':>8} {'signed in':>9} {'submission':>10} "
        f"{'ratio':>6} {'signed in':>9} {'queries':>7}"
    )
    for staff, count, medians, queries, _parts in rows:
        print(
            f"  {staff:>6,} {count:>11} {medians['anonymous']:>8.2f} {medians['signed in']:>9.2f} "
            f"{medians['submission']:>10.2f} {medians['submission'] / medians['anonymous']:>6.2f} "
            f"{medians['submission'] / medians['signed in']:>9.2f} {queries:>7}"
        )
    for staff, _count, _medians, _queries, parts in rows if args.parts else ():
        print(f"\nthe submission's parts with {staff:,} staff, medians in ms:")
        for label, median in sorted(parts.items(), key=lambda item: -item[1]):
            print(f"  {label:<45} {median:>6.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, nargs="+", default=[8, 800], help="members of staff, one run each")
    parser.add_argument("--submissions", type=int, default=60, help="submissions measured per run")
    parser.add_argument("--parts", action="store_true", help="also time the submission's parts")
    parser.add_argument("--test-database", default=TEST_DATABASE_NAME, help="name of the throw-away database")
    args = parser.parse_args()
    if sorted(args.staff) != args.staff:
        parser.error("give --staff in increasing order: each run adds members of staff")
    broker = os.environ.get("REDIS_URL") or "memory://localhost/"
    app.conf.update(task_always_eager=False, broker_url=broker)
    try:
        with override_settings(ROOT_URLCONF="bench.publicity_board", CELERY_TASK_ALWAYS_EAGER=False):
            return run_in_throwaway_database(run, args, test_database=args.test_database)
    finally:
        if os.environ.get("REDIS_URL"):
            import redis  # noqa: PLC0415 -- only with a Redis broker

            redis.Redis.from_url(broker).flushdb()


if __name__ == "__main__":
    sys.exit(main())
