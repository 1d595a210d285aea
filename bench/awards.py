# ruff: noqa: E402  (Django is set up before the project is imported)
"""Benchmark of the bulk award-cap recomputation (declarations.services.award_caps_recompute).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/awards.py [--declarations 10000]
    .venv/bin/python bench/awards.py            # the embedded SQLite default

The script creates a throw-away test database of its own (test_zgc_bench_awards on PostgreSQL, an
in-memory database on SQLite), fills it with bulk-created fixture data across all twelve programmes,
measures, prints, and destroys the database again: the database DATABASE_URL names is never written.
Benchmarks report; nothing here asserts a timing.
"""

import argparse
import cProfile
import gc
import os
import pstats
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection
from django.test.utils import CaptureQueriesContext, setup_test_environment, teardown_test_environment
from django.utils import timezone
from stdnum.cn import uscc

from accounts.enums import Role
from accounts.models import User
from bench.harness import database_label
from declarations import selectors, services, workflow
from declarations.awards import AWARD_RULES, assess_raw, history_key
from declarations.enums import DeclarationState as S
from declarations.models import Call, Declaration, Organisation, Programme
from declarations.programmes import PROGRAMMES, Kind

TEST_DATABASE_NAME = "test_zgc_bench_awards"
YEARS = (2023, 2024, 2025, 2026)
CODES = tuple(AWARD_RULES)  # ART5 .. ART14, twelve programmes
ORGANISATION_TYPES = {
    "ART5": "long_term_capital",
    "ART6": "investment_institution",
    "ART7": "fund",
    "ART8": "guarantee_institution",
    "ART11B": "bank",
    "ART13A": "securities_institution",
    "ART13B": "equity_exchange",
}
DISTRICTS = ("haidian", "chaoyang", "dongcheng", "xicheng", "fengtai", "changping", "daxing")
# Most declarations are still open; about a quarter were decided (they make the history the caps
# count); a few ended without support.
STATE_WEIGHTS = {
    S.DRAFT: 12,
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
}
REPEATS = 5
TRANSACTION_CONTROL = {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}


# --- fixture data --------------------------------------------------------------------------------


def credit_code(prefix, n):
    """A valid unified social credit code (GB 32100-2015), different for each n."""
    body = f"{prefix}{n:09d}"[:17]
    return body + uscc.calc_check_digit(body)


def money(rng, low, high):
    """A yuan amount between low and high, as a form posts it."""
    return f"{rng.uniform(low, high):.2f}"


def _pick(rng, pool, variants=True):
    """One of a small pool of names, sometimes typed with other spacing or case (the history keys
    normalise both)."""
    name = rng.choice(pool)
    if variants and rng.random() < 0.1:
        name = f"  {name.upper()} "
    return name


def facts_for(code, rng, organisation_n, year, borrowers):
    """Plausible, mostly eligible facts of one declaration under `code`: the programme's own, then
    every other yes/no fact its spec asks for (declared true, now and then false)."""
    facts = _programme_facts(code, rng, organisation_n, year, borrowers)
    for fact in PROGRAMMES[code].facts:
        if fact.name not in facts and fact.kind == Kind.BOOLEAN and fact.required:
            facts[fact.name] = rng.random() > 0.02
    return facts


def unknown_facts():
    """Required facts of the spec this bench does not generate (the spec grew): reported, so the
    fixture is brought up to date rather than silently measuring declarations without a cap."""
    rng = random.Random(0)  # nosec B311 # reproducible benchmark data, not a secret
    return sorted(
        f"{code}.{fact.name}"
        for code in CODES
        for fact in PROGRAMMES[code].facts
        if fact.required and fact.name not in facts_for(code, rng, 0, YEARS[0], 10)
    )


def _programme_facts(code, rng, organisation_n, year, borrowers):
    tech = {"high_tech_field": rng.random() > 0.03, "core_technology_or_ip": True}
    revenue = money(rng, 5e6, 2.1e8)  # a few above the 200 million limit
    m = 1_000_000
    if code == "ART5":
        return {
            "investor_type": rng.choice(("social_security", "insurance", "bank_wealth_management")),
            # The same investor funds the same few funds year after year: the 3-year limit bites.
            "fund_name": _pick(rng, [f"Zhongguancun Frontier Fund {organisation_n % 50 + k}" for k in range(3)]),
            "fund_type": rng.choice(("venture_capital", "s_fund", "mna")),
            "annual_contribution": money(rng, 250 * m, 1500 * m),
            "fund_registered_in_beijing": True,
            "fund_filed_with_amac": rng.random() > 0.05,
        }
    if code == "ART6":
        invested = date(year, rng.randint(1, 12), rng.randint(1, 28))
        return {
            "institution_registered_capital": money(rng, 10 * m, 500 * m),
            "manager_registered_with_amac": True,
            "investee_name": f"Hard-tech Start-up {rng.randint(1, 5000)} Ltd.",
            "investee_established_on": (invested - timedelta(days=rng.randint(200, 2000))).isoformat(),
            "investment_date": invested.isoformat(),
            "investment_amount": money(rng, 4.5 * m, 15 * m),
            "equity_ratio_after_pct": f"{rng.uniform(3, 55):.1f}",
            "first_round": rng.random() > 0.05,
            **tech,
        }
    if code == "ART7":
        return {
            "fund_name": f"Beijing Growth Fund {rng.randint(1, 300)}",
            "transferor_type": rng.choice(("institution",) * 8 + ("individual", "government_fund")),
            "transferred_share_value": money(rng, 28 * m, 300 * m),
            "transaction_expenses": money(rng, 100_000, 2 * m),
            "intermediary_expenses": money(rng, 50_000, 600_000),
            "registered_in_beijing": True,
        }
    if code == "ART8":
        facts = {
            "enterprise_name": f"Small Manufacturer {rng.randint(1, 9000)} Co.",
            "enterprise_is_small_or_micro": rng.random() > 0.05,
            "loan_amount": money(rng, 0.9 * m, 10 * m),
            "compensation_amount": money(rng, 200_000, 6 * m),
        }
        if rng.random() < 0.7:  # an optional box: left unticked in the rest
            facts["counter_guarantee"] = rng.random() < 0.05
        return facts
    if code == "ART9":
        return {
            "annual_revenue": revenue,
            "insurance_product": rng.choice(("R&D interruption cover", "First-set equipment cover", "IP loan cover")),
            "insured_or_loan_amount": money(rng, 18 * m, 120 * m),
            "premium": money(rng, 50_000, 900_000),
            **tech,
        }
    if code == "ART10":
        return {
            "annual_revenue": revenue,
            # The same lease is declared again each year: subsidised for 3 years at most.
            "lease_contract": _pick(rng, [f"FL-{organisation_n:05d}-{k:02d}" for k in range(2)]),
            "rental_interest": money(rng, 200_000, 2.5 * m),
            "handling_fees": money(rng, 10_000, 300_000),
            **tech,
        }
    if code == "ART11A":
        facts = {
            "annual_revenue": revenue,
            "interest_paid": money(rng, 50_000, 1.6 * m),
            "loan_term_months": rng.choice((6, 12, 12, 24, 36)),
            "loan_rate_pct": f"{rng.uniform(3.2, 5.6):.2f}",
            "lpr_1y_pct": "3.45",
            **tech,
        }
        if rng.random() < 0.5:
            facts["first_ip_pledge_loan"] = rng.random() < 0.4
        return facts
    if code == "ART11B":
        # The borrowing enterprise is the key, across all lending institutions.
        borrower = rng.randrange(borrowers)
        return {
            "borrower_name": f"Borrowing Enterprise {borrower}",
            "borrower_credit_code": credit_code("91110105", borrower),
            "risk_bearing_principal": money(rng, 1 * m, 12 * m),
            "institution_npl_rate_pct": f"{rng.uniform(0.5, 3.3):.2f}",
            "institution_npl_cap_pct": "3.00",
        }
    if code == "ART12":
        return {
            "market": rng.choice(("neeq_basic", "neeq_innovation_upgrade", "neeq_innovation_direct", "beijing_equity")),
            "approval_letter": rng.random() > 0.03,
            **tech,
        }
    if code == "ART13A":
        return {
            "annual_financing_amount": money(rng, 1_000 * m, 70_000 * m),
            "months_in_operation": rng.randint(10, 180),
            "beijing_premises": True,
        }
    if code == "ART13B":
        return {
            "requested_amount": money(rng, 100_000, 1.5 * m),
            "service_effect": "Roadshows, listing training and financing matchmaking for 120 enterprises.",
        }
    if code == "ART14":
        return {
            # A few acquisitions per acquirer, some declared in several instalments in a year.
            "target_name": _pick(rng, [f"Target Technology {organisation_n}-{k}" for k in range(3)]),
            "acquirer_listed": True,
            "equity_ratio_after_pct": f"{rng.uniform(45, 100):.1f}",
            "first_control": rng.random() > 0.05,
            "transaction_amount": money(rng, 9 * m, 400 * m),
            **tech,
        }
    raise ValueError(code)


def create_reference_data(organisations):
    """Calls (one per support year, all programmes), organisations and the applicant who created
    everything."""
    programmes = {p.code: p for p in Programme.objects.all()}
    missing = set(CODES) - set(programmes)
    if missing:
        raise SystemExit(f"programme rows missing from the data migration: {sorted(missing)}")
    tz = timezone.get_current_timezone()
    calls = {}
    for year in YEARS:
        call = Call.objects.create(
            year=year,
            title=f"{year} annual declaration notice",
            opens_at=datetime(year, 3, 1, 9, tzinfo=tz),
            closes_at=datetime(year, 4, 30, 17, tzinfo=tz),
        )
        call.programmes.set(programmes.values())
        calls[year] = call
    rng = random.Random(1)  # nosec B311 # reproducible benchmark data, not a secret
    Organisation.objects.bulk_create(
        Organisation(
            name=f"Bench Organisation {n} Co., Ltd.",
            credit_code=credit_code("91110108", n),
            organisation_type=ORGANISATION_TYPES.get(CODES[n % len(CODES)], "enterprise"),
            district=rng.choice(DISTRICTS),
            registered_capital=Decimal(rng.randrange(10, 500)) * 1_000_000,
            established_on=date(rng.randint(2000, 2021), rng.randint(1, 12), rng.randint(1, 28)),
            annual_revenue=Decimal(rng.randrange(5, 200)) * 1_000_000,
            legal_representative="Zhang San",
        )
        for n in range(organisations)
    )
    organisation_ids = list(Organisation.objects.order_by("credit_code").values_list("pk", flat=True))
    user = User.objects.create(
        username="bench-applicant", email="bench@example.com", role=Role.APPLICANT, organisation_id=organisation_ids[0]
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return programmes, calls, organisation_ids, user


def create_declarations(n, *, programmes, calls, organisation_ids, user, seed):
    """n declarations: each organisation declares under one programme (by its type), about ten
    declarations over the support years; states set directly (fixture data, not the workflow), the
    decided ones with the amount the engine allowed them without history."""
    rng = random.Random(seed)  # nosec B311 # reproducible benchmark data, not a secret
    organisations = organisation_ids[: max(len(CODES), n // 10)]
    borrowers = max(10, n // 40)
    objects = []
    states, weights = zip(*STATE_WEIGHTS.items(), strict=True)
    for i in range(n):
        organisation_n = rng.randrange(len(organisations))
        code = CODES[organisation_n % len(CODES)]
        year = rng.choice(YEARS)
        facts = facts_for(code, rng, organisation_n, year, borrowers)
        state = rng.choices(states, weights)[0]
        approved_amount = None
        if state in workflow.DECIDED_STATES:
            approved_amount = assess_raw(code, facts).award
            if not approved_amount:
                state = S.NOT_SUPPORTED
                approved_amount = None
        elif state == S.DRAFT and rng.random() < 0.15:
            # A draft still being filled in: a fact the award needs is missing, so it has no cap.
            del facts[rng.choice(sorted(AWARD_RULES[code].needed_facts))]
        objects.append(
            Declaration(
                organisation_id=organisations[organisation_n],
                call=calls[year],
                programme=programmes[code],
                title=f"{code} project {i}",
                summary="Bench fixture declaration.",
                facts=facts,
                state=state,
                number=None if state == S.DRAFT else f"ZGC-{year}-{code}-B{seed}-{i:06d}",
                approved_amount=approved_amount,
                created_by=user,
            )
        )
    Declaration.objects.bulk_create(objects, batch_size=2000)
    analyse()


def delete_declarations():
    """Empty the table of this throw-away database in one statement (no history rows, no signals)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Declaration._meta.db_table}")  # nosec B608 # the table name is the model's
    analyse()


def analyse():
    """Fresh planner statistics after a bulk load, as autovacuum would give a live database."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {Declaration._meta.db_table}")
        else:
            cursor.execute("ANALYZE")


def reset_caps():
    """Forget every open declaration's cap and assessment in one UPDATE (not timed)."""
    Declaration.objects.filter(state__in=workflow.OPEN_STATES).update(award_cap=None, award_assessment={})


# --- measuring ----------------------------------------------------------------------------------


def timed(function, *, before=None, repeats=REPEATS):
    """The median wall time of `function` over `repeats` runs, `before` run untimed ahead of each,
    and the last run's result."""
    times, result = [], None
    for _ in range(repeats):
        if before:
            before()
        gc.collect()
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


class Queries(int):
    """The statements one run sent, shown with the transaction control among them (SQLite's
    bulk_update wraps its batches in BEGIN ... COMMIT, which CaptureQueriesContext records too)."""

    control = 0

    def __str__(self):
        return f"{int(self)} ({self.control} BEGIN/COMMIT)" if self.control else str(int(self))

    def __format__(self, spec):
        return format(str(self), spec)


def count_queries(function, *, before=None):
    """The number of SQL statements one run of `function` sends (a separate, untimed run: recording
    the SQL text of a large write would distort the timing)."""
    if before:
        before()
    with CaptureQueriesContext(connection) as context:
        result = function()
    queries = Queries(len(context.captured_queries))
    queries.control = sum(
        1 for query in context.captured_queries if query["sql"].split(None, 1)[0].upper() in TRANSACTION_CONTROL
    )
    return queries, result


def profile_cold(top):
    """cProfile of one cold recomputation: the time of each phase, then the costliest functions."""
    reset_caps()
    profiler = cProfile.Profile()
    profiler.enable()
    recompute()
    profiler.disable()
    stats = pstats.Stats(profiler)
    cumulative = {(Path(file).name, name): entry[3] for (file, _line, name), entry in stats.stats.items()}
    total = cumulative.get(("services.py", "award_caps_recompute"), 0.0)
    phases = {
        "history (selectors.award_histories)": cumulative.get(("selectors.py", "award_histories"), 0.0),
        "engine (services._assessment_record)": cumulative.get(("services.py", "_assessment_record"), 0.0),
        "  of which awards.parse_facts": cumulative.get(("awards.py", "parse_facts"), 0.0),
        "  of which awards.assess": cumulative.get(("awards.py", "assess"), 0.0),
        "  of which Assessment.record": cumulative.get(("awards.py", "record"), 0.0),
        "write (services._award_caps_write)": cumulative.get(("services.py", "_award_caps_write"), 0.0),
    }
    top_level = sum(seconds for name, seconds in phases.items() if not name.startswith(" "))
    print(f"\nprofile of one cold recompute (under cProfile: {total:.3f} s)")
    print(f"  {'load rows and stored caps (the rest)':<40} {total - top_level:7.3f} s")
    for name, seconds in phases.items():
        print(f"  {name:<40} {seconds:7.3f} s")
    print()
    stats.sort_stats("tottime").print_stats(top)


def load_instances():
    return list(Declaration.objects.filter(state__in=workflow.OPEN_STATES))


def load_values():
    return list(
        Declaration.objects.filter(state__in=workflow.OPEN_STATES).values_list(
            *selectors.AWARD_ROW_FIELDS, "award_cap", "award_assessment"
        )
    )


def recompute():
    return services.award_caps_recompute()


def decision_candidates(rng):
    """Open declarations with a cap whose history key other open declarations share, one list per
    programme that keeps history: deciding one changes the others' assessments."""
    rows = list(
        Declaration.objects.filter(state__in=workflow.OPEN_STATES, award_cap__gt=0).values_list(
            *selectors.AWARD_ROW_FIELDS, "award_cap"
        )
    )
    groups = defaultdict(list)
    for pk, code, year, organisation_id, facts, cap in rows:
        for field, kind in AWARD_RULES[code].history_keys:
            by_year = "" if field in ("years_supported", "awarded_cumulative") else year
            groups[(code, kind, by_year, history_key(kind, organisation_id, facts))].append((pk, cap))
    by_programme = defaultdict(list)
    for (code, *_key), members in groups.items():
        if len(members) >= 3:
            by_programme[code].append(rng.choice(members))
    for members in by_programme.values():
        rng.shuffle(members)
    return by_programme


def decide(pk, amount):
    """A new decision (fixture shortcut: one UPDATE, not the workflow)."""
    Declaration.objects.filter(pk=pk).update(state=S.APPROVED, approved_amount=amount)


def states_summary():
    counts = Counter(Declaration.objects.values_list("state", flat=True))
    open_count = sum(counts[state] for state in workflow.OPEN_STATES)
    decided = sum(counts[state] for state in workflow.DECIDED_STATES)
    return open_count, decided, sum(counts.values()) - open_count - decided


def run(n, profile=0):
    small = max(len(CODES) * 10, n // 10)
    t0 = time.perf_counter()
    programmes, calls, organisation_ids, user = create_reference_data(max(len(CODES), n // 10))
    setup = {"programmes": programmes, "calls": calls, "organisation_ids": organisation_ids, "user": user}
    print(f"database: {database_label()}")
    print(f"fixture: {len(organisation_ids)} organisations, calls for {', '.join(map(str, YEARS))}, 12 programmes")
    missing = unknown_facts()
    if missing:
        print(f"warning: the fixture does not generate these required facts: {', '.join(missing)}")

    # --- the second, smaller size: only the recomputation, to show the query count stays put ---
    create_declarations(small, seed=2, **setup)
    small_open, small_decided, small_other = states_summary()
    small_queries, _ = count_queries(recompute, before=reset_caps)
    small_cold, small_written = timed(recompute, before=reset_caps, repeats=3)
    print(
        f"\n{small:,} declarations ({small_open:,} open, {small_decided:,} decided, {small_other:,} ended): "
        f"cold recompute {small_cold:.3f} s, {small_written:,} caps written, {small_queries} queries"
    )
    delete_declarations()

    # --- the full size -------------------------------------------------------------------------
    create_declarations(n, seed=3, **setup)
    open_count, decided, other = states_summary()
    print(
        f"\n{n:,} declarations ({open_count:,} open, {decided:,} decided, {other:,} ended), "
        f"fixture built in {time.perf_counter() - t0:.1f} s; median of {REPEATS} runs each"
    )

    # (a) baseline: the rows a per-declaration loop would load, in the same (cold) state the cold
    # recompute reads them in.
    reset_caps()
    load_instances()  # warm the caches once
    baseline_queries, instances = count_queries(load_instances)
    baseline, _ = timed(load_instances)
    values_queries, _ = count_queries(load_values)
    values_time, _ = timed(load_values)

    # (b) cold: every open declaration's cap written.
    cold_queries, cold_written = count_queries(recompute, before=reset_caps)
    cold, cold_written = timed(recompute, before=reset_caps)
    with_caps = Declaration.objects.filter(state__in=workflow.OPEN_STATES, award_cap__isnull=False).count()

    # Steady-state baseline, for reference: the same load once every assessment is stored.
    steady_baseline, _ = timed(load_instances)

    # (c) warm: one new decision changes some history; only the rows sharing its key are written.
    rng = random.Random(4)  # nosec B311 # reproducible benchmark data, not a secret
    candidates = decision_candidates(rng)
    order = [code for code in ("ART6", "ART11B", "ART14", "ART8", "ART13B", "ART9") if candidates.get(code)]
    decisions = iter([(code, *candidates[code].pop()) for code in (order * (REPEATS + 1))[: REPEATS + 1]])
    decided_now = []

    def next_decision():
        code, pk, cap = next(decisions)
        decided_now.append(code)
        decide(pk, cap)

    warm_queries, _ = count_queries(recompute, before=next_decision)
    warm_written = []

    def warm_run():
        written = recompute()
        warm_written.append(written)
        return written

    warm, _ = timed(warm_run, before=next_decision)
    idle_queries, idle_written = count_queries(recompute)
    idle, _ = timed(recompute)

    def line(label, seconds, queries, extra=""):
        ratio = seconds / baseline
        print(f"  {label:<44} {seconds:8.3f} s  {ratio:6.2f} x baseline  {queries:>2} queries{extra}")

    print()
    line(f"(a) baseline: {len(instances):,} model instances", baseline, baseline_queries)
    line("    values_list of the same rows (reference)", values_time, values_queries)
    line("    model instances, assessments stored", steady_baseline, baseline_queries)
    line("(b) recompute, cold", cold, cold_queries, f", {cold_written:,} caps written ({with_caps:,} with a cap)")
    line(
        "(c) recompute, warm after one new decision",
        warm,
        warm_queries,
        f", rows written per run: {', '.join(map(str, warm_written))} (decisions in {', '.join(decided_now[1:])})",
    )
    line("    recompute, nothing changed", idle, idle_queries, f", {idle_written} written")
    print(
        f"\nratio cold/baseline: {cold / baseline:.2f} (goal <= 3); ratio warm/baseline: {warm / baseline:.2f}; "
        f"queries at {small:,}: {small_queries}, at {n:,}: {cold_queries}"
    )
    if profile:
        profile_cold(profile)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--declarations", type=int, default=10_000, help="declarations at the full size")
    parser.add_argument(
        "--profile", type=int, nargs="?", const=25, default=0, metavar="TOP", help="then profile one cold recompute"
    )
    args = parser.parse_args()
    if args.declarations < 120:
        parser.error("--declarations must be at least 120 (ten per programme)")

    setup_test_environment()  # DEBUG off, as in production: no query log
    connection.settings_dict.setdefault("TEST", {})
    if connection.vendor != "sqlite":
        connection.settings_dict["TEST"]["NAME"] = TEST_DATABASE_NAME
    original_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=False)
    try:
        run(args.declarations, args.profile)
    finally:
        connection.creation.destroy_test_db(original_name, verbosity=0, keepdb=False)
        teardown_test_environment()
    return 0


if __name__ == "__main__":
    sys.exit(main())
