# ruff: noqa: E402  (Django is set up before the project is imported)
"""Benchmark of the applicant's dashboard and the expert reviewer's queue, each against a minimal
logged-in page of the same user, at a small and a large size.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/dashboard.py \
        [--declarations 10000] [--assignments 9000] [--runs 21]
    .venv/bin/python bench/dashboard.py            # the embedded SQLite default

The script creates a throw-away test database of its own (test_zgc_bench_dashboard on PostgreSQL
unless --test-database names another, an in-memory database on SQLite) and bulk-creates two
organisations: a large one with N declarations (default 10,000; each with three events, the approved
ones with two payments, one in fifty with a recovery case) and a small one with 10; an expert
reviewer with M assignments (default 9,000) among the large organisation's declarations, a third
each to score, in progress and done, and another with 10. Then, through Django's test Client
(middleware, session, view, template; DEBUG off), it requests in turn, 21 rounds, each user's
baseline, the notice inbox (/notices/, empty: the layout, the session, the user and the unread
count), and their page: the dashboard (/applicant/) and the queue's three tabs (/console/?tab=...).
It prints each page's median, its ratio to the same user's baseline, and the query counts at the
small and the large size, which must be equal. bench/README.md has the figures. Nothing here
asserts a timing.
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
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from stdnum.cn import uscc

from accounts.enums import Role
from accounts.models import User
from bench.harness import database_label, request, run_in_throwaway_database
from config.demo import DEMO_TOTP_SECRET
from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.models import Call, Declaration, DeclarationEvent, Organisation, Programme
from disbursement.models import Payment, RecoveryCase
from review.models import ReviewAssignment

TEST_DATABASE_NAME = "test_zgc_bench_dashboard"
RUNS = 21
SMALL = 10
# An organisation's declarations over the years: most past their decision.
STATE_WEIGHTS = {
    S.DRAFT: 5,
    S.RETURNED: 3,
    S.SUBMITTED: 8,
    S.UNDER_REVIEW: 30,
    S.REVIEWED: 10,
    S.NOT_SUPPORTED: 10,
    S.DISBURSING: 10,
    S.PAID: 24,
}
APPROVED = {S.DISBURSING, S.PAID}
TABS = ("to_score", "in_progress", "done")
# Each declaration's events: days after its submission, action, from, to.
TIMELINE = (
    (0, A.SUBMIT, S.DRAFT, S.SUBMITTED),
    (3, A.ACCEPT, S.SUBMITTED, S.ACCEPTED),
    (9, A.START_REVIEW, S.ACCEPTED, S.UNDER_REVIEW),
)


def credit_code(n):
    body = f"91110108{n:09d}"[:17]
    return body + uscc.calc_check_digit(body)


def create_organisation(k, n, rng, calls, programmes, staff, finance):
    """An organisation with its applicant and `n` declarations (three events each; the approved
    ones paid twice; one in fifty of those with a recovery case)."""
    organisation = Organisation.objects.create(
        name=f"Bench Organisation {k} Co., Ltd.",
        credit_code=credit_code(k),
        organisation_type="enterprise",
        district="haidian",
        registered_capital=Decimal("50000000"),
        established_on=date(2010, 5, 1),
        annual_revenue=Decimal("80000000"),
        legal_representative="Zhang San",
    )
    applicant = User.objects.create(username=f"bench-applicant-{k}", role=Role.APPLICANT, organisation=organisation)
    states, weights = zip(*STATE_WEIGHTS.items(), strict=True)
    now = timezone.now()
    declarations = []
    for i in range(n):
        state = rng.choices(states, weights)[0]
        programme = programmes[i % len(programmes)]
        call = rng.choice(calls)
        approved = Decimal(rng.randrange(100_000, 2_000_000)) if state in APPROVED else None
        declarations.append(
            Declaration(
                organisation=organisation,
                call=call,
                programme=programme,
                title=f"{programme.code} project {k}-{i}",
                summary="Bench fixture declaration.",
                facts={"registered_in_beijing": True, "high_tech_field": True},
                state=state,
                number=None if state == S.DRAFT else f"ZGC-{call.year}-{programme.code}-B{k}{i:06d}",
                submitted_at=None if state == S.DRAFT else now - timedelta(minutes=rng.randrange(525_600)),
                award_cap=approved,
                approved_amount=approved,
                created_by=applicant,
            )
        )
    declarations = Declaration.objects.bulk_create(declarations, batch_size=2000)
    events, payments, cases = [], [], []
    for d in declarations:
        at = now - timedelta(days=rng.randrange(1, 900))
        for days, action, source, target in TIMELINE:
            events.append(
                DeclarationEvent(
                    declaration=d, action=action, from_state=source, to_state=target, created_at=at + timedelta(days)
                )
            )
        if d.approved_amount:
            half = (d.approved_amount / 2).quantize(Decimal("0.01"))
            payments += [
                Payment(
                    declaration=d,
                    amount=half,
                    paid_on=date(2025, 6, 1 + part),
                    reference=f"P-{d.pk}-{part}",
                    recorded_by=finance,
                )
                for part in range(2)
            ]
            if rng.random() < 0.02:
                cases.append(
                    RecoveryCase(
                        declaration=d,
                        number=f"R-{d.pk}",
                        reason="Bench.",
                        amount_due=half,
                        due_on=date(2026, 12, 31),
                        opened_by=staff,
                    )
                )
    DeclarationEvent.objects.bulk_create(events, batch_size=5000)
    Payment.objects.bulk_create(payments, batch_size=5000)
    RecoveryCase.objects.bulk_create(cases, batch_size=2000)
    return applicant, [d for d in declarations if d.state != S.DRAFT]


def create_reviewer(name, declarations, staff, now):
    """A reviewer assigned `declarations`: a third each to score, in progress (a draft opinion) and
    done (submitted)."""
    reviewer = User.objects.create(username=name, role=Role.REVIEWER)
    # A console user has an authenticator app, or every page sends them to set one up.
    Authenticator.objects.create(user=reviewer, type=Authenticator.Type.TOTP, data={"secret": DEMO_TOTP_SECRET})
    assignments = []
    for n, d in enumerate(declarations):
        kind = n % 3
        assignments.append(
            ReviewAssignment(
                declaration=d,
                reviewer=reviewer,
                assigned_by=staff,
                opinion="" if kind == 0 else "Sound plan, weak market analysis.",
                started=kind != 0,
                score=Decimal("78.50") if kind == 2 else None,
                submitted_at=now if kind == 2 else None,
            )
        )
    ReviewAssignment.objects.bulk_create(assignments, batch_size=5000)
    return reviewer


def create_fixture(n, m, rng):
    tz = timezone.get_current_timezone()
    programmes = list(Programme.objects.order_by("position"))
    calls = []
    for year in (2024, 2025, 2026):
        call = Call.objects.create(
            year=year,
            title=f"{year} annual declaration notice",
            opens_at=datetime(year, 3, 1, 9, tzinfo=tz),
            closes_at=datetime(year, 4, 30, 17, tzinfo=tz),
        )
        call.programmes.set(programmes)
        calls.append(call)
    staff = User.objects.create(username="bench-staff", role=Role.STAFF)
    finance = User.objects.create(username="bench-finance", role=Role.FINANCE)
    small_applicant, small_declarations = create_organisation(1, SMALL, rng, calls, programmes, staff, finance)
    large_applicant, large_declarations = create_organisation(2, n, rng, calls, programmes, staff, finance)
    now = timezone.now()
    small_reviewer = create_reviewer("bench-reviewer-small", small_declarations[:SMALL], staff, now)
    large_reviewer = create_reviewer("bench-reviewer-large", large_declarations[:m], staff, now)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return (small_applicant, large_applicant), (small_reviewer, large_reviewer), len(large_declarations[:m])


def count_queries(client, url, show=False):
    request(client, url)  # the first request's one-off reads (content types, the session) are not the page's
    with CaptureQueriesContext(connection) as context:
        response = request(client, url)
    if show:
        print(f"\n{url}: {len(context.captured_queries)} queries")
        for query in context.captured_queries:
            print(f"  {query['time']} {query['sql'][:300]}")
    return len(context.captured_queries), len(response.content)


def measure(pairs, runs):
    """The median wall time of each (client, url) over `runs` rounds; each round requests every
    page once, in turn, so the baselines and the pages see the same conditions."""
    times = {key: [] for key in pairs}
    for client, url in pairs.values():
        request(client, url)
    for _ in range(runs):
        for key, (client, url) in pairs.items():
            gc.collect()
            start = time.perf_counter()
            request(client, url)
            times[key].append(time.perf_counter() - start)
    return {key: statistics.median(values) for key, values in times.items()}


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def run(n, m, runs, show_queries=False):
    rng = random.Random(18)  # nosec B311 # reproducible benchmark data, not a secret
    t0 = time.perf_counter()
    applicants, reviewers, assigned = create_fixture(n, m, rng)
    print(f"database: {database_label()}")
    print(
        f"fixture: an organisation with {n:,} declarations ({3 * n:,} events) and one with {SMALL}; "
        f"a reviewer with {assigned:,} assignments and one with {SMALL}; built in {time.perf_counter() - t0:.1f} s"
    )
    small = {"applicant": client_for(applicants[0]), "reviewer": client_for(reviewers[0])}
    large = {"applicant": client_for(applicants[1]), "reviewer": client_for(reviewers[1])}
    pages = [
        ("applicant", "/notices/", "baseline: the applicant's notice inbox"),
        ("applicant", "/applicant/", "dashboard"),
    ]
    pages += [("reviewer", "/notices/", "baseline: the reviewer's notice inbox")]
    pages += [("reviewer", f"/console/?tab={tab}", f"reviewer's queue, {tab.replace('_', ' ')}") for tab in TABS]
    counts = {}
    for who, url, _label in pages:
        counts[(who, url)] = (count_queries(small[who], url), count_queries(large[who], url, show_queries))
    medians = measure({(who, url): (large[who], url) for who, url, _label in pages}, runs)

    print(
        f"\nmedian of {runs} runs at the large size; queries at {SMALL} / at the large size; size at the large size\n"
    )
    print(f"  {'page':<40} {'url':<28} {'median':>9} {'ratio':>6} {'queries':>9} {'size':>8}")
    for who, url, label in pages:
        baseline = medians[(who, "/notices/")]
        (q_small, _), (q_large, size) = counts[(who, url)]
        same = "" if q_small == q_large else "  <- differs"
        print(
            f"  {label:<40} {url:<28} {medians[(who, url)] * 1000:7.1f} ms {medians[(who, url)] / baseline:6.2f} "
            f"{q_small:>4} / {q_large:<4}{size / 1024:6.1f} KB{same}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--declarations", type=int, default=10_000, help="declarations of the large organisation")
    parser.add_argument("--assignments", type=int, default=9_000, help="assignments of the large reviewer")
    parser.add_argument("--runs", type=int, default=RUNS, help="rounds over every page")
    parser.add_argument(
        "--test-database", default=TEST_DATABASE_NAME, help="name of the throw-away database (PostgreSQL)"
    )
    parser.add_argument("--show-queries", action="store_true", help="print each page's queries at the large size")
    args = parser.parse_args()
    if args.declarations < 100:
        parser.error("--declarations must be at least 100")
    return run_in_throwaway_database(
        run, args.declarations, args.assignments, args.runs, args.show_queries, test_database=args.test_database
    )


if __name__ == "__main__":
    sys.exit(main())
