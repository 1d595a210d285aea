# ruff: noqa: E402  (Django is set up before the project is imported)
"""Benchmark of the staff statistics page (/monitoring/statistics/) against a minimal logged-in page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/statistics_page.py \
        [--declarations 10000] [--runs 21] [--test-database test_zgc_bench_statistics]
    .venv/bin/python bench/statistics_page.py            # the embedded SQLite default

As bench/review_queue.py: a throw-away test database of its own (an in-memory one on SQLite), the
fixture bulk-created, each page requested through Django's test Client as a signed-in commission
staff member (middleware, session, view, template; DEBUG off), medians printed, the database
destroyed. The baseline is the same user's notice inbox (/notices/, empty). Three conditions: the
data changed before each request and the page counts in it (tasks in the process, the embedded
default); the data changed and the page shows the last count while asking a worker for a new one
(tasks sent to the in-memory broker, as production sends them to Redis); nothing changed. The query counts are
taken with 10 declarations and again once the fixture holds all N: the page's count must not grow.
Benchmarks report; nothing here asserts a timing.
"""

import argparse
import gc
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from allauth.mfa.models import Authenticator
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from stdnum.cn import uscc

from accounts.enums import Role
from accounts.models import User
from bench.harness import database_label, request, run_in_throwaway_database
from config.demo import DEMO_TOTP_SECRET
from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.models import MILESTONE_FIELDS, Call, Declaration, DeclarationEvent, Organisation, Programme
from declarations.workflow import MILESTONES
from disbursement.models import Payment, RecoveryCase, Repayment
from monitoring.models import StatisticsSnapshot
from review.models import Budget

TEST_DATABASE_NAME = "test_zgc_bench_statistics"
YEAR = 2025
PROGRAMMES = 10
RUNS = 21
# Where the declarations end, and the events that took each there.
STATE_WEIGHTS = {
    S.DRAFT: 6,
    S.SUBMITTED: 6,
    S.RETURNED: 2,
    S.ACCEPTED: 6,
    S.UNDER_REVIEW: 10,
    S.REVIEWED: 8,
    S.NOT_ACCEPTED: 4,
    S.DISQUALIFIED: 2,
    S.WITHDRAWN: 3,
    S.NOT_SUPPORTED: 10,
    S.APPROVED: 4,
    S.IN_PUBLICITY: 3,
    S.CONFIRMED: 6,
    S.DISBURSING: 10,
    S.PAID: 16,
    S.RECOVERED: 2,
}
PATHS = {
    S.DRAFT: (),
    S.SUBMITTED: (A.SUBMIT,),
    S.RETURNED: (A.SUBMIT, A.RETURN),
    S.ACCEPTED: (A.SUBMIT, A.ACCEPT),
    S.UNDER_REVIEW: (A.SUBMIT, A.ACCEPT, A.START_REVIEW),
    S.REVIEWED: (A.SUBMIT, A.ACCEPT, A.START_REVIEW, A.COMPLETE_REVIEW),
    S.NOT_ACCEPTED: (A.SUBMIT, A.REFUSE),
    S.DISQUALIFIED: (A.SUBMIT, A.ACCEPT, A.DISQUALIFY),
    S.WITHDRAWN: (A.SUBMIT, A.WITHDRAW),
    S.NOT_SUPPORTED: (A.SUBMIT, A.ACCEPT, A.START_REVIEW, A.COMPLETE_REVIEW, A.REJECT),
    S.APPROVED: (A.SUBMIT, A.ACCEPT, A.START_REVIEW, A.COMPLETE_REVIEW, A.APPROVE),
    S.IN_PUBLICITY: (A.SUBMIT, A.ACCEPT, A.START_REVIEW, A.COMPLETE_REVIEW, A.APPROVE, A.PUBLICISE),
    S.CONFIRMED: (A.SUBMIT, A.ACCEPT, A.START_REVIEW, A.COMPLETE_REVIEW, A.APPROVE, A.PUBLICISE, A.CONFIRM),
}
PATHS[S.DISBURSING] = (*PATHS[S.CONFIRMED], A.START_DISBURSEMENT)
PATHS[S.PAID] = (*PATHS[S.DISBURSING], A.COMPLETE_PAYMENT)
PATHS[S.RECOVERED] = (*PATHS[S.PAID], A.RECOVER)
# Days after the previous step each action takes, at random within these bounds.
DELAYS = {
    A.SUBMIT: (0, 0),
    A.RETURN: (1, 5),
    A.ACCEPT: (1, 12),
    A.REFUSE: (1, 12),
    A.WITHDRAW: (1, 20),
    A.DISQUALIFY: (1, 20),
    A.START_REVIEW: (1, 10),
    A.COMPLETE_REVIEW: (5, 30),
    A.APPROVE: (3, 20),
    A.REJECT: (3, 20),
    A.PUBLICISE: (1, 5),
    A.CONFIRM: (7, 7),
    A.START_DISBURSEMENT: (5, 40),
    A.COMPLETE_PAYMENT: (10, 90),
    A.RECOVER: (30, 120),
}
PAID = {S.DISBURSING, S.PAID, S.RECOVERED}
DECIDED = {S.APPROVED, S.IN_PUBLICITY, S.CONFIRMED, *PAID}
BASELINE = ("/notices/", "baseline: the notice inbox")
VARIANTS = [
    ("/monitoring/statistics/", "statistics, the year's calls"),
    ("/monitoring/statistics/?year={year}&call={call}", "statistics, one call"),
    ("/monitoring/statistics/export.xlsx?year={year}", "its XLSX export"),
]


def credit_code(prefix, n):
    body = f"{prefix}{n:09d}"[:17]
    return body + uscc.calc_check_digit(body)


def create_fixture(n, rng, start=0, context=None):
    """`n` declarations of YEAR's call over PROGRAMMES programmes, each with the events of its path
    dated over the year, the payments of those paid, repayments of those recovered, and budgets.
    The first call creates the call, people and budgets (returned as `context`); later calls add."""
    tz = timezone.get_current_timezone()
    if context is None:
        programmes = list(Programme.objects.order_by("position")[:PROGRAMMES])
        call = Call.objects.create(
            year=YEAR,
            title=f"{YEAR} annual declaration notice",
            opens_at=datetime(YEAR, 3, 1, 9, tzinfo=tz),
            closes_at=datetime(YEAR, 4, 30, 17, tzinfo=tz),
        )
        call.programmes.set(programmes)
        staff = User.objects.create(username="bench-staff", role=Role.STAFF)
        # A staff-side user has an authenticator app, or every page sends them to set one up.
        Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": DEMO_TOTP_SECRET})
        organisations = Organisation.objects.bulk_create(
            Organisation(
                name=f"Bench Organisation {k} Co., Ltd.",
                credit_code=credit_code("91110108", k),
                organisation_type="enterprise",
                district="haidian",
                registered_capital=Decimal(10_000_000),
                established_on=date(2015, 1, 1),
                annual_revenue=Decimal(5_000_000),
            )
            for k in range(1000)
        )
        applicant = User.objects.create(username="bench-applicant", role=Role.APPLICANT, organisation=organisations[0])
        Budget.objects.bulk_create(
            Budget(programme=p, year=YEAR, amount=Decimal("10000000000.00"), reason="bench") for p in programmes
        )
        context = {"programmes": programmes, "call": call, "staff": staff, "orgs": organisations, "user": applicant}
    programmes, call, staff = context["programmes"], context["call"], context["staff"]
    states, weights = zip(*STATE_WEIGHTS.items(), strict=True)
    declarations, plans = [], []
    for i in range(start, start + n):
        state = rng.choices(states, weights)[0]
        programme = programmes[i % len(programmes)]
        cap = Decimal(rng.randrange(100_000, 5_000_000))
        approved = min(cap, Decimal(rng.randrange(100_000, 2_000_000))) if state in DECIDED else None
        submitted = datetime(YEAR, 3, 1, 9, tzinfo=tz) + timedelta(minutes=rng.randrange(60 * 24 * 60))
        declarations.append(
            Declaration(
                organisation=rng.choice(context["orgs"]),
                call=call,
                programme=programme,
                title=f"{programme.code} project {i}",
                summary="Bench fixture declaration.",
                state=state,
                number=None if state == S.DRAFT else f"ZGC-{YEAR}-{programme.code}-S{i:06d}",
                submitted_at=None if state == S.DRAFT else submitted,
                award_cap=cap,
                approved_amount=approved,
                recovered_amount=approved / 2 if state == S.RECOVERED else Decimal("0.00"),
                created_by=context["user"],
            )
        )
        plans.append(submitted)
    declarations = Declaration.objects.bulk_create(declarations, batch_size=2000)
    events, payments, cases, milestones = [], [], [], {}
    for declaration, moment in zip(declarations, plans, strict=True):
        for action in PATHS[declaration.state]:
            low, high = DELAYS[action]
            moment += timedelta(days=rng.randint(low, high), minutes=rng.randrange(600))
            events.append(
                DeclarationEvent(declaration=declaration, action=action, from_state="", to_state="", created_at=moment)
            )
            for name, actions in MILESTONES.items():
                if action in actions:
                    milestones.setdefault(declaration.pk, {}).setdefault(name, moment)
            if action in (A.START_DISBURSEMENT, A.COMPLETE_PAYMENT):
                payments.append(
                    Payment(
                        declaration=declaration,
                        amount=declaration.approved_amount / 2,
                        paid_on=timezone.localdate(moment),
                        reference=f"B{declaration.pk}-{action}",
                        recorded_by=staff,
                    )
                )
        if declaration.state == S.RECOVERED:
            cases.append(
                RecoveryCase(
                    declaration=declaration,
                    number=f"REC-{declaration.pk}",
                    reason="bench",
                    amount_due=declaration.recovered_amount,
                    due_on=date(YEAR + 1, 6, 30),
                    opened_by=staff,
                )
            )
    DeclarationEvent.objects.bulk_create(events, batch_size=5000)
    # The milestones declaration_transition writes with the events: each the first event's time.
    for declaration in declarations:
        for name, moment in milestones.get(declaration.pk, {}).items():
            setattr(declaration, name, moment)
    Declaration.objects.bulk_update(declarations, MILESTONE_FIELDS, batch_size=1000)
    Payment.objects.bulk_create(payments, batch_size=5000)
    cases = RecoveryCase.objects.bulk_create(cases, batch_size=2000)
    Repayment.objects.bulk_create(
        Repayment(
            case=case, amount=case.amount_due / 2, received_on=date(YEAR + 1, 3, 1), reference="R", recorded_by=staff
        )
        for case in cases
    )
    analyse()
    return context, len(events), len(payments)


def analyse():
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        request(client, url)
    return len(context.captured_queries)


def measure(client, urls, runs, before=None):
    """The median wall time of each url over `runs` rounds, and the median CPU time of the process
    (steadier on a loaded machine; on SQLite it includes the database's work, on PostgreSQL only
    this process's); each round requests every url once, in turn, so the baseline and the pages
    see the same conditions. `before()`, if given, runs before each request, untimed."""
    times = {url: [] for url in urls}
    cpu = {url: [] for url in urls}
    for url in urls:  # warm the caches (templates, the query planner, the statistics) once
        request(client, url)
    for _ in range(runs):
        for url in urls:
            if before:
                before()
            gc.collect()
            start, start_cpu = time.perf_counter(), time.process_time()
            request(client, url)
            times[url].append(time.perf_counter() - start)
            cpu[url].append(time.process_time() - start_cpu)
    return (
        {url: statistics.median(values) for url, values in times.items()},
        {url: statistics.median(values) for url, values in cpu.items()},
    )


# With no cache the page asks for a count at each request (the cache remembers that one was asked
# for); the console's banner then reads the calendar's years, a query of a fraction of a millisecond.
NO_CACHE = {"CACHES": {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}}


def data_changed():
    """As if a declaration had moved on since the last count: every count kept is out of date."""
    StatisticsSnapshot.objects.update(data_version="changed")


class TasksToAWorker:
    """Tasks sent to the broker (kombu's in-memory transport here: no worker takes them) instead of
    run in the process: the page as production serves it while a worker counts."""

    def __enter__(self):
        from config.celery import app  # noqa: PLC0415 -- Django is set up first

        self.app, self.eager = app, app.conf.task_always_eager
        app.conf.task_always_eager = False
        return self

    def __exit__(self, *exc):
        self.app.conf.task_always_eager = self.eager


def run(n, runs):
    rng = random.Random(7)  # nosec B311 # reproducible benchmark data, not a secret
    t0 = time.perf_counter()
    context, events, payments = create_fixture(10, rng)
    client = Client()
    client.force_login(context["staff"])
    variants = [(url.format(year=YEAR, call=context["call"].pk), label) for url, label in VARIANTS]
    urls = [BASELINE[0], *(url for url, _label in variants)]
    conditions = {}  # name -> (medians, CPU medians, queries at 10, queries at n)

    def queries(before=None):
        """Each url's queries, asked once beforehand (so that its count exists and is current),
        then after `before()`."""
        counts = {}
        for url in urls:
            request(client, url)
            if before:
                before()
            counts[url] = count_queries(client, url)
        return counts

    with override_settings(**NO_CACHE):
        small = {"counted": queries(data_changed), "worker": None, "kept": queries()}
        with TasksToAWorker():
            small["worker"] = queries(data_changed)
    _context, more_events, more_payments = create_fixture(n - 10, rng, start=10, context=context)
    print(f"database: {database_label()}")
    print(
        f"fixture: {n:,} declarations over {PROGRAMMES} programmes, {events + more_events:,} events, "
        f"{payments + more_payments:,} payments; built in {time.perf_counter() - t0:.1f} s"
    )
    with override_settings(**NO_CACHE):
        # The embedded default: the data changed, the page counts in the request.
        conditions["counted"] = (*measure(client, urls, runs, before=data_changed), small["counted"])
        conditions["counted"] += (queries(data_changed),)
        # Production: the data changed, the page shows the last count and asks a worker for a new one.
        with TasksToAWorker():
            conditions["worker"] = (*measure(client, urls, runs, before=data_changed), small["worker"])
            conditions["worker"] += (queries(data_changed),)
    request(client, urls[1])  # counted again: current
    # Nothing changed since the last count: the page reads it.
    conditions["kept"] = (*measure(client, urls, runs), small["kept"])
    with override_settings(**NO_CACHE):  # as at 10: the console's banner reads the calendar's years
        conditions["kept"] += (queries(),)
    base = BASELINE[0]
    titles = {
        "counted": "the data changed: counted in the request (tasks in the process, the embedded default)",
        "worker": "the data changed: the last count shown, a new one asked of a worker (production)",
        "kept": "nothing changed since the last count: the count kept",
    }
    print(f"\nmedian of {runs} runs, signed in as commission staff; ratio to the baseline; queries at 10 / {n:,}")
    for name, (medians, cpu, small_counts, large_counts) in conditions.items():
        print(f"\n{titles[name]}\n")
        for url, label in [BASELINE, *variants]:
            print(
                f"  {label:<30} {url:<46} {medians[url] * 1000:7.1f} ms {medians[url] / medians[base]:5.2f}"
                f" (CPU {cpu[url] / cpu[base]:5.2f}) {small_counts[url]:>3} / {large_counts[url]:<3}"
            )
    page = variants[0][0]
    print()
    for name, (medians, cpu, _small, _large) in conditions.items():
        print(
            f"statistics / baseline, {titles[name]}: {medians[page] / medians[base]:.2f}"
            f" (CPU {cpu[page] / cpu[base]:.2f}; goal <= 5)"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--declarations", type=int, default=10_000, help="declarations in the fixture")
    parser.add_argument("--runs", type=int, default=RUNS, help="rounds over every page")
    parser.add_argument(
        "--test-database", default=TEST_DATABASE_NAME, help="name of the throw-away database (PostgreSQL)"
    )
    args = parser.parse_args()
    if args.declarations < 100:
        parser.error("--declarations must be at least 100")
    return run_in_throwaway_database(run, args.declarations, args.runs, test_database=args.test_database)


if __name__ == "__main__":
    sys.exit(main())
