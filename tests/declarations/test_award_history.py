"""History from the database: what was already decided for the same key, read in one query per batch,
and the award caps it keeps current (docs/awards.md, "History" and "Keys")."""

import os
import time
from decimal import Decimal

import pytest
from django.db import connection

from declarations.awards import History
from declarations.enums import DeclarationState as S
from declarations.models import Declaration, Programme
from declarations.selectors import _decided, award_histories, award_rows, declaration_award_assessment
from declarations.services import award_caps_recompute
from declarations.tasks import recompute_award_caps
from tests.factories import ART6_FACTS, CallFactory, DeclarationFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls():
    """One call per support year, 2024 to 2026."""
    return {year: CallFactory(year=year) for year in (2024, 2025, 2026)}


def declare(organisation, call, code="ART6", state=S.DRAFT, amount=None, **facts):
    base = dict(ART6_FACTS) if code == "ART6" else {}
    return DeclarationFactory(
        organisation=organisation,
        call=call,
        programme=Programme.objects.get(code=code),
        state=state,
        approved_amount=amount,
        facts={**base, **facts},
    )


def history_of(declaration):
    return award_histories(award_rows(Declaration.objects.filter(pk=declaration.pk)))[declaration.pk]


def test_history_counts_what_was_decided_for_the_institution_in_the_support_year(calls):
    institution = OrganisationFactory()
    declare(institution, calls[2026], state=S.APPROVED, amount=Decimal("1500000.00"))
    declare(institution, calls[2026], state=S.PAID, amount=Decimal("2000000.00"))
    declare(institution, calls[2026], state=S.IN_PUBLICITY, amount=Decimal("500000.00"))
    declare(institution, calls[2025], state=S.PAID, amount=Decimal("2000000.00"))  # another support year
    declare(OrganisationFactory(), calls[2026], state=S.PAID, amount=Decimal("2000000.00"))  # another institution
    declare(institution, calls[2026], code="ART9", state=S.PAID, amount=Decimal("100000.00"))  # another programme
    current = declare(institution, calls[2026], state=S.REVIEWED)

    assert history_of(current) == History(awarded_this_year=Decimal("4000000.00"))


def test_history_leaves_out_support_revoked_undecided_or_kept_in_nothing(calls):
    institution = OrganisationFactory()
    for state in (S.OBJECTION_UPHELD, S.NOT_SUPPORTED, S.REVIEWED, S.WITHDRAWN):
        declare(institution, calls[2026], state=state, amount=Decimal("1000000.00"))
    # Stopped before any payment; and half paid, then recovered in full.
    stopped = declare(institution, calls[2026], state=S.STOPPED, amount=Decimal("1000000.00"))
    recovered = declare(institution, calls[2026], state=S.RECOVERED, amount=Decimal("1000000.00"))
    Declaration.objects.filter(pk=stopped.pk).update(cancelled_amount=Decimal("1000000.00"))
    Declaration.objects.filter(pk=recovered.pk).update(
        cancelled_amount=Decimal("500000.00"), recovered_amount=Decimal("500000.00")
    )
    current = declare(institution, calls[2026])

    assert history_of(current) == History()


def test_history_of_a_decided_declaration_does_not_count_its_own_amount(calls):
    institution = OrganisationFactory()
    declare(institution, calls[2026], state=S.APPROVED, amount=Decimal("1000000.00"))
    decided = declare(institution, calls[2026], state=S.APPROVED, amount=Decimal("2000000.00"))

    assert history_of(decided) == History(awarded_this_year=Decimal("1000000.00"))


def test_history_of_risk_compensation_is_keyed_by_the_borrowing_enterprise_across_institutions(calls):
    borrower = "91110108MA01ABCD1X"
    facts = {"borrower_credit_code": borrower, "borrower_name": "Borrower Ltd."}
    declare(OrganisationFactory(), calls[2026], "ART11B", S.APPROVED, Decimal("3000000.00"), **facts)
    declare(OrganisationFactory(), calls[2025], "ART11B", S.PAID, Decimal("5000000.00"), **facts)
    declare(
        OrganisationFactory(),
        calls[2026],
        "ART11B",
        S.PAID,
        Decimal("900000.00"),
        borrower_credit_code="91110108MA01ZZZZ9X",
    )
    bank = OrganisationFactory()
    current = declare(bank, calls[2026], "ART11B", borrower_credit_code=f" {borrower.lower()} ")

    assert history_of(current) == History(
        awarded_this_year=Decimal("3000000.00"), awarded_cumulative=Decimal("8000000.00")
    )


def test_history_of_an_acquisition_counts_the_project_and_the_enterprise_apart(calls):
    acquirer = OrganisationFactory()
    declare(acquirer, calls[2026], "ART14", S.APPROVED, Decimal("1500000.00"), target_name="Lidar Ltd.")
    declare(acquirer, calls[2026], "ART14", S.APPROVED, Decimal("2000000.00"), target_name="Radar Ltd.")
    current = declare(acquirer, calls[2026], "ART14", target_name="lidar  LTD.")

    assert history_of(current) == History(
        project_awarded_this_year=Decimal("1500000.00"), awarded_this_year=Decimal("3500000.00")
    )


def test_history_counts_the_other_support_years_of_the_same_investor_and_fund(calls):
    investor = OrganisationFactory()
    for year in (2024, 2025):
        declare(investor, calls[year], "ART5", S.PAID, Decimal("5000000.00"), fund_name="Haidian VC Fund I")
    declare(investor, calls[2026], "ART5", S.APPROVED, Decimal("5000000.00"), fund_name="Haidian VC Fund I")
    declare(investor, calls[2025], "ART5", S.PAID, Decimal("5000000.00"), fund_name="Another Fund")
    current = declare(investor, calls[2026], "ART5", fund_name="Haidian VC Fund I", annual_contribution="4E+8")

    assert history_of(current) == History(years_supported=2)


def test_history_counts_the_support_years_of_the_same_lease(calls):
    enterprise = OrganisationFactory()
    for year in (2024, 2025):
        declare(enterprise, calls[year], "ART10", S.PAID, Decimal("100000.00"), lease_contract="FL-2023-001")
    declare(enterprise, calls[2026], "ART10", S.PAID, Decimal("300000.00"), lease_contract="FL-2026-009")
    current = declare(enterprise, calls[2026], "ART10", lease_contract="FL-2023-001")

    assert history_of(current) == History(years_supported=2, awarded_this_year=Decimal("300000.00"))


def test_award_histories_reads_one_query_for_any_number_of_declarations(calls, django_assert_num_queries):
    organisations = [OrganisationFactory() for _ in range(5)]
    for n, organisation in enumerate(organisations):
        declare(organisation, calls[2026], state=S.APPROVED, amount=Decimal("1000000.00"))
        declare(organisation, calls[2026], "ART11B", S.APPROVED, Decimal("1000.00"), borrower_credit_code=f"B{n}")
    for organisation in organisations * 4:
        declare(organisation, calls[2026])
        declare(organisation, calls[2026], "ART14", target_name="T")
    rows = award_rows(Declaration.objects.filter(state=S.DRAFT))

    with django_assert_num_queries(1):
        histories = award_histories(rows)

    assert len(histories) == 40
    assert {
        h.awarded_this_year for pk, h in histories.items() if pk in {r.pk for r in rows if r.programme == "ART6"}
    } == {Decimal("1000000.00")}


def test_declaration_award_assessment_applies_the_annual_headroom(calls):
    # docs/awards.md, ART6 example: 15,000,000 invested, 4,000,000 already awarded this year.
    institution = OrganisationFactory()
    declare(institution, calls[2026], state=S.PAID, amount=Decimal("4000000.00"))
    current = declare(institution, calls[2026], state=S.REVIEWED, investment_amount="15000000.00")

    assessment = declaration_award_assessment(current)

    assert (assessment.eligible, assessment.formula_value, assessment.award) == (
        True,
        Decimal("3000000.00"),
        Decimal("1000000.00"),
    )


def test_award_caps_recompute_stores_each_open_declarations_cap_and_assessment(calls):
    institution = OrganisationFactory()
    declare(institution, calls[2026], state=S.PAID, amount=Decimal("4000000.00"))
    open_one = declare(institution, calls[2026], state=S.SUBMITTED)
    incomplete = declare(institution, calls[2026], investment_amount="")
    ineligible = declare(institution, calls[2026], first_round=False)
    decided = declare(institution, calls[2025], state=S.PAID, amount=Decimal("1.00"))

    changed = award_caps_recompute()

    open_one.refresh_from_db()
    incomplete.refresh_from_db()
    ineligible.refresh_from_db()
    decided.refresh_from_db()
    assert changed == 3
    assert open_one.award_cap == Decimal("1000000.00")
    assert open_one.award_assessment["eligible"] is True
    assert incomplete.award_cap is None
    assert incomplete.award_assessment == {"programme": "ART6", "missing_or_invalid": ["investment_amount"]}
    assert ineligible.award_cap == Decimal("0.00")
    assert ineligible.award_assessment["reasons"][0][:2] == ["6 (2) 3", "first_round"]
    assert (decided.award_cap, decided.award_assessment) == (None, {})


def test_award_caps_recompute_writes_nothing_when_nothing_changed(calls):
    declare(OrganisationFactory(), calls[2026])
    award_caps_recompute()

    assert award_caps_recompute() == 0


@pytest.mark.parametrize("count", [3, 30])
def test_award_caps_recompute_issues_the_same_queries_for_any_number_of_declarations(
    calls, count, django_assert_max_num_queries
):
    organisation = OrganisationFactory()
    declare(organisation, calls[2026], state=S.APPROVED, amount=Decimal("1000.00"))
    codes = ["ART6", "ART11B", "ART14", "ART5", "ART10", "ART12"]
    for n in range(count):
        declare(organisation, calls[2026], codes[n % len(codes)])

    with django_assert_max_num_queries(4):  # rows, history, one write (SQLite: one per 500 rows)
        assert award_caps_recompute() == count


def test_decision_queues_the_recomputation_of_the_caps_it_affects(
    calls, applicant, staff, reviewer, second_reviewer, finance, django_capture_on_commit_callbacks
):
    """Celery runs eagerly here (tests/conftest.py), so the task runs when the decision commits."""
    from config.demo import Cast, walk_to
    from tests.factories.states import build_to

    cast = Cast(applicant=applicant, staff=staff, reviewers=[reviewer, second_reviewer], finance=finance)
    institution = applicant.organisation
    declare(institution, calls[2026], state=S.PAID, amount=Decimal("2000000.00"))
    waiting = declare(institution, calls[2026], state=S.SUBMITTED)
    elsewhere = declare(OrganisationFactory(), calls[2026], state=S.SUBMITTED)
    award_caps_recompute()
    waiting.refresh_from_db()
    assert waiting.award_cap == Decimal("1600000.00")  # 20 % of 8,000,000 within the 3,000,000 left
    decided = declare(institution, calls[2026], investment_amount="20000000.00")
    build_to(decided, S.REVIEWED, cast=cast)

    with django_capture_on_commit_callbacks(execute=True):
        walk_to(decided, S.APPROVED, cast, amount=Decimal("2000000.00"))

    waiting.refresh_from_db()
    elsewhere.refresh_from_db()
    assert waiting.award_cap == Decimal("1000000.00")  # 5,000,000 a year less the 4,000,000 decided
    assert elsewhere.award_cap == Decimal("1600000.00")


def test_recovery_gives_the_headroom_back_to_waiting_declarations(calls):
    institution = OrganisationFactory()
    recovered = declare(institution, calls[2026], state=S.PAID, amount=Decimal("4000000.00"))
    waiting = declare(institution, calls[2026], state=S.SUBMITTED)
    award_caps_recompute()
    waiting.refresh_from_db()
    assert waiting.award_cap == Decimal("1000000.00")
    Declaration.objects.filter(pk=recovered.pk).update(state=S.RECOVERED, recovered_amount=Decimal("4000000.00"))

    recompute_award_caps.delay(declaration_id=recovered.pk)

    waiting.refresh_from_db()
    assert waiting.award_cap == Decimal("1600000.00")


@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_recomputation_after_a_recovery_runs_through_the_real_redis_broker(settings):
    """Not eager: the task goes through Redis (REDIS_URL) to a Celery worker thread."""
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs REDIS_URL: .ci/run sets it")
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    call = CallFactory(year=2026)
    institution = OrganisationFactory()
    recovered = declare(institution, call, state=S.PAID, amount=Decimal("4000000.00"))
    waiting = declare(institution, call, state=S.SUBMITTED)
    award_caps_recompute()
    Declaration.objects.filter(pk=recovered.pk).update(state=S.RECOVERED, recovered_amount=Decimal("4000000.00"))
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.broker_url = os.environ["REDIS_URL"]
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1, shutdown_timeout=10):
            recompute_award_caps.delay(declaration_id=recovered.pk)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                waiting.refresh_from_db()
                if waiting.award_cap == Decimal("1600000.00"):
                    break
                time.sleep(0.2)
    finally:
        app.conf.task_always_eager = True
    assert waiting.award_cap == Decimal("1600000.00")


def test_history_counts_nothing_for_a_declaration_that_does_not_name_its_borrower_yet(calls):
    declare(OrganisationFactory(), calls[2026], "ART11B", S.APPROVED, Decimal("3000000.00"))  # no borrower either
    current = declare(OrganisationFactory(), calls[2026], "ART11B")

    assert history_of(current) == History()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan is PostgreSQL's")
def test_one_declarations_history_is_read_through_its_organisations_index(calls):
    """A declaration's pages and its submission read what was decided for its organisation: through
    the organisation's index, not by filtering every decided declaration of the programme (which a
    condition naming the programmes counted across organisations made PostgreSQL do), and Art. 11
    (3) 2 still reads every institution's."""
    organisation = OrganisationFactory()
    declare(organisation, calls[2025], state=S.PAID, amount=Decimal("1000.00"))
    sql, params = _decided(["ART6"], [organisation.pk]).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Cond: (organisation_id = " in plan
    assert " OR " not in sql
    assert " OR " in str(_decided(["ART6", "ART11B"], [organisation.pk]).query)
