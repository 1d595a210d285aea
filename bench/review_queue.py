# ruff: noqa: E402  (Django is set up before the project is imported)
"""Benchmark of the evaluation queue page (/console/) against a minimal logged-in page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/review_queue.py \
        [--declarations 10000] [--runs 21]
    .venv/bin/python bench/review_queue.py            # the embedded SQLite default

The script creates a throw-away test database of its own (test_zgc_bench_review_queue on PostgreSQL
unless --test-database names another, an in-memory database on SQLite), bulk-creates the fixture
data, requests each page through Django's test Client as a signed-in commission staff member (the
whole stack: middleware, sessions, view, template), prints the medians, and destroys the database
again: the database DATABASE_URL names is never written. The baseline is the same user's notice
inbox (/notices/, empty): the site's layout and its session, user and unread-count queries, with a
paginator's count and nothing else. bench/README.md has the figures and what the page spends them on.
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
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from stdnum.cn import uscc

from accounts.enums import Role
from accounts.models import User
from bench.harness import database_label, request, run_in_throwaway_database
from config.demo import DEMO_TOTP_SECRET
from declarations.enums import DeclarationState as S
from declarations.models import Call, Declaration, Organisation, Programme
from review.models import (
    CreditList,
    CreditRecord,
    DoubleFundingMatch,
    EvaluationSummary,
    FundingRecord,
    MatchJudgement,
    ReviewAssignment,
)

TEST_DATABASE_NAME = "test_zgc_bench_review_queue"
YEARS = (2023, 2024, 2025, 2026)
REVIEWERS = 20
RUNS = 21
# The queue shows every state past the draft; drafts are there to be left out.
STATE_WEIGHTS = {
    S.DRAFT: 10,
    S.SUBMITTED: 14,
    S.RETURNED: 3,
    S.ACCEPTED: 12,
    S.UNDER_REVIEW: 16,
    S.REVIEWED: 13,
    S.APPROVED: 5,
    S.IN_PUBLICITY: 2,
    S.CONFIRMED: 3,
    S.DISBURSING: 3,
    S.PAID: 10,
    S.NOT_SUPPORTED: 4,
    S.WITHDRAWN: 3,
    S.DISQUALIFIED: 2,
}
EVALUATED = {S.REVIEWED, S.APPROVED, S.IN_PUBLICITY, S.CONFIRMED, S.DISBURSING, S.PAID, S.NOT_SUPPORTED}
DECIDED = {S.APPROVED, S.IN_PUBLICITY, S.CONFIRMED, S.DISBURSING, S.PAID}
BASELINE = ("/notices/", "baseline: the notice inbox")
# The queue as staff use it: the default list, then filters, sorts and pages.
VARIANTS = [
    ("/console/", "queue, default (newest first)"),
    ("/console/?sort=-total_score", "ranked by total score"),
    ("/console/?state=reviewed&sort=-total_score", "reviewed, ranked"),
    ("/console/?programme=ART6&call={call}", "one programme of one call"),
    ("/console/?score_min=60&score_max=90&sort=organisation", "score range, by organisation"),
    ("/console/?flags=credit&flags=double_funding&flags=outliers&flags=pass_marks_missed", "any flag"),
    ("/console/?q=project+12", "search"),
    ("/console/?page=150", "page 150"),
    ("/console/?per_page=100&sort=-award_cap", "100 per page, by award cap"),
]


# --- fixture data --------------------------------------------------------------------------------


def credit_code(prefix, n):
    """A valid unified social credit code (GB 32100-2015), different for each n."""
    body = f"{prefix}{n:09d}"[:17]
    return body + uscc.calc_check_digit(body)


def create_fixture(n, rng):
    """Calls, organisations, users and `n` declarations in bulk, with evaluation summaries for the
    evaluated ones, review assignments for those under evaluation, double-funding matches and
    credit records (in force and expired) for a few organisations. Returns the staff user and the
    latest call."""
    tz = timezone.get_current_timezone()
    programmes = list(Programme.objects.order_by("position"))
    calls = []
    for year in YEARS:
        call = Call.objects.create(
            year=year,
            title=f"{year} annual declaration notice",
            opens_at=datetime(year, 3, 1, 9, tzinfo=tz),
            closes_at=datetime(year, 4, 30, 17, tzinfo=tz),
        )
        call.programmes.set(programmes)
        calls.append(call)
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"Bench Organisation {k} Co., Ltd.",
            credit_code=credit_code("91110108", k),
            organisation_type="enterprise",
            district="haidian",
            registered_capital=Decimal(rng.randrange(10, 500)) * 1_000_000,
            established_on=date(rng.randint(2000, 2021), rng.randint(1, 12), rng.randint(1, 28)),
            annual_revenue=Decimal(rng.randrange(5, 200)) * 1_000_000,
            legal_representative="Zhang San",
        )
        for k in range(max(10, n // 10))
    )
    applicant = User.objects.create(username="bench-applicant", role=Role.APPLICANT, organisation=organisations[0])
    staff = User.objects.create(username="bench-staff", role=Role.STAFF)
    # A staff-side user has an authenticator app, or every page sends them to set one up.
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": DEMO_TOTP_SECRET})
    reviewers = User.objects.bulk_create(
        User(username=f"bench-reviewer-{k}", role=Role.REVIEWER) for k in range(REVIEWERS)
    )

    states, weights = zip(*STATE_WEIGHTS.items(), strict=True)
    now = timezone.now()
    declarations = []
    for i in range(n):
        state = rng.choices(states, weights)[0]
        programme = programmes[i % len(programmes)]
        call = rng.choice(calls)
        award_cap = Decimal(rng.randrange(100_000, 5_000_000))
        # Within the cap, as the database requires (declaration_approved_within_award_cap).
        approved = min(award_cap, Decimal(rng.randrange(100_000, 2_000_000))) if state in DECIDED else None
        declarations.append(
            Declaration(
                organisation=rng.choice(organisations),
                call=call,
                programme=programme,
                title=f"{programme.code} project {i}",
                summary="Bench fixture declaration.",
                facts={"registered_in_beijing": True, "high_tech_field": True},
                state=state,
                number=None if state == S.DRAFT else f"ZGC-{call.year}-{programme.code}-Q{i:06d}",
                submitted_at=None if state == S.DRAFT else now - timedelta(minutes=rng.randrange(525_600)),
                award_cap=award_cap,
                approved_amount=approved,
                created_by=applicant,
            )
        )
    declarations = Declaration.objects.bulk_create(declarations, batch_size=2000)

    summaries, assignments = [], []
    for declaration in declarations:
        if declaration.state in EVALUATED or (declaration.state == S.UNDER_REVIEW and rng.random() < 0.5):
            total = Decimal(rng.randrange(4000, 9800)) / 100
            spread = Decimal(rng.randrange(0, 3000)) / 100
            summaries.append(
                EvaluationSummary(
                    declaration=declaration,
                    aggregation="mean",
                    total=total,
                    spread=spread,
                    evaluations=3,
                    assigned=3,
                    passed=total >= 60 and rng.random() > 0.1,
                    has_outliers=spread > 20,
                )
            )
        if declaration.state == S.UNDER_REVIEW:
            for reviewer in rng.sample(reviewers, 2):
                assignments.append(ReviewAssignment(declaration=declaration, reviewer=reviewer, assigned_by=staff))
    EvaluationSummary.objects.bulk_create(summaries, batch_size=2000)
    ReviewAssignment.objects.bulk_create(assignments, batch_size=2000)

    matched = rng.sample(declarations, max(3, n // 30))
    records = FundingRecord.objects.bulk_create(
        FundingRecord(
            credit_code=d.organisation.credit_code,
            organisation_name=d.organisation.name,
            project_title=d.title,
            channel="Beijing Municipal Bureau of Economy and Information Technology",
            amount=Decimal("500000.00"),
            granted_on=date(2024, 6, 1),
        )
        for d in matched
    )
    judgements = list(MatchJudgement.values)
    DoubleFundingMatch.objects.bulk_create(
        DoubleFundingMatch(declaration=d, record=r, similarity=Decimal("0.750"), judgement=rng.choice(judgements))
        for d, r in zip(matched, records, strict=True)
    )
    today = timezone.localdate()
    listed = rng.sample(organisations, max(2, len(organisations) // 25))
    CreditRecord.objects.bulk_create(
        CreditRecord(
            credit_code=o.credit_code,
            name=o.name,
            list=CreditList.ENFORCEMENT,
            starts_on=today - timedelta(days=400),
            # Half still in force, half ended.
            ends_on=None if k % 2 else today - timedelta(days=30),
            source="Credit China (bench)",
        )
        for k, o in enumerate(listed)
    )
    analyse()
    return staff, calls[-1], len(summaries), len(matched), len(listed)


def analyse():
    """Fresh planner statistics after the bulk load, and on PostgreSQL the visibility map that lets a
    count read an index alone, as autovacuum would give a live database."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


# --- measuring ----------------------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        request(client, url)
    return len(context.captured_queries)


def measure(client, urls, runs):
    """The median wall time of each url over `runs` rounds; each round requests every url once, in
    turn, so the baseline and the queue see the same conditions."""
    times = {url: [] for url in urls}
    for url in urls:  # warm the caches (templates, the query planner) once
        request(client, url)
    for _ in range(runs):
        for url in urls:
            gc.collect()
            start = time.perf_counter()
            request(client, url)
            times[url].append(time.perf_counter() - start)
    return {url: statistics.median(values) for url, values in times.items()}


def run(n, runs):
    rng = random.Random(5)  # nosec B311 # reproducible benchmark data, not a secret
    t0 = time.perf_counter()
    staff, call, summaries, matches, listed = create_fixture(n, rng)
    shown = Declaration.objects.exclude(state=S.DRAFT).count()
    print(f"database: {database_label()}")
    print(
        f"fixture: {n:,} declarations ({shown:,} in the queue), {summaries:,} evaluation summaries, "
        f"{matches:,} double-funding matches, {listed:,} organisations with a credit record; "
        f"built in {time.perf_counter() - t0:.1f} s"
    )
    client = Client()
    client.force_login(staff)
    variants = [(url.format(call=call.pk), label) for url, label in VARIANTS]
    urls = [BASELINE[0], *(url for url, _label in variants)]
    queries = {url: count_queries(client, url) for url in urls}
    medians = measure(client, urls, runs)
    baseline = medians[BASELINE[0]]

    print(f"\nmedian of {runs} runs, signed in as commission staff\n")
    print(f"  {'page':<32} {'url':<82} {'median':>9} {'ratio':>6} {'queries':>7}")
    for url, label in [BASELINE, *variants]:
        print(f"  {label:<32} {url:<82} {medians[url] * 1000:7.1f} ms {medians[url] / baseline:6.2f} {queries[url]:>7}")
    default = medians[variants[0][0]]
    slowest_url, slowest_label = max(variants, key=lambda variant: medians[variant[0]])
    print(
        f"\nqueue {default * 1000:.1f} ms / baseline {baseline * 1000:.1f} ms: ratio {default / baseline:.2f} "
        f"(goal <= 3); slowest variant ({slowest_label}): {medians[slowest_url] / baseline:.2f}"
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
