"""Annual budgets (Art. 2): the administrator sets each programme's budget per year and adjusts it,
every version kept with who and why; a decision to support may not take a programme past it (nor be
taken while none is recorded), under the lock that guards the award cap; the console shows budget,
committed and left, and the ranking draws the budget line."""

import contextlib
import threading
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from common.money import ZERO
from config.demo import Cast, meeting_opinion_record
from declarations.enums import DeclarationState as S
from declarations.models import Declaration, Programme
from review import services
from review.budgets import BUDGETS_PER_PAGE, OverBudget, budget_position, budget_set, committed_amounts
from review.models import Budget, Decision, EvaluationSummary
from review.services import BulkAction, declaration_approve, declaration_reject, declarations_bulk_apply
from tests.factories import (
    ART6_FACTS,
    CallFactory,
    DeclarationFactory,
    OrganisationFactory,
    StaffFactory,
    budgets_for,
)
from tests.factories.states import build_to

pytestmark = pytest.mark.django_db

PROPOSED = D("1600000.00")


@pytest.fixture
def cast(applicant, staff, reviewer, second_reviewer, finance, second_finance):
    return Cast(applicant, staff, [reviewer, second_reviewer], finance, approver=second_finance)


@pytest.fixture
def call(db):
    """This year's call, with no budget recorded for any programme."""
    return CallFactory(budgets=False)


@pytest.fixture
def art6(db):
    return Programme.objects.get(code="ART6")


@pytest.fixture
def set_budget(administrator, call, art6):
    """The administrator sets ART6's budget for the call's year (or `programme`'s, `year`'s)."""

    def set_(amount, reason="Budget document Jingcai [2026] No. 12.", programme=None, year=None):
        return budget_set(
            programme_id=(programme or art6).pk,
            year=year or call.year,
            amount=D(amount),
            actor=administrator,
            reason=reason,
        )

    return set_


@pytest.fixture
def reviewed(cast, call):
    """A reviewed ART6 declaration under `call` (award cap 1,600,000) whose evaluation meeting proposed
    `proposed` (None: not to support; False: no meeting yet)."""

    def make(proposed=PROPOSED, organisation=None):
        declaration = DeclarationFactory(
            organisation=organisation or cast.applicant.organisation,
            call=call,
            created_by=cast.applicant,
            facts=dict(ART6_FACTS),
        )
        declaration = build_to(declaration, S.REVIEWED, cast=cast)
        if proposed is not False:
            meeting_opinion_record(declaration, cast, proposed)
        return declaration

    return make


def _refusal(year, amount, budget, committed, left):
    return (
        f"The approved amount {amount} yuan is more than is left of the {year} budget of ART6: "
        f"budget {budget} yuan, committed {committed} yuan, left {left} yuan."
    )


# --- Setting and adjusting ------------------------------------------------------------------------


def test_the_administrator_sets_a_budget_and_every_adjustment_is_kept_with_who_and_why(
    set_budget, administrator, call, art6
):
    set_budget("3000000.00", reason="Annual budget as approved.")
    budget = set_budget("3500000.00", reason="Mid-year adjustment.")

    assert (budget.amount, budget.reason, budget.set_by) == (D("3500000.00"), "Mid-year adjustment.", administrator)
    assert Budget.objects.filter(programme=art6, year=call.year).count() == 1
    versions = budget.history.order_by("history_date", "history_id")
    assert [(v.amount, v.reason, v.history_user, v.history_type) for v in versions] == [
        (D("3000000.00"), "Annual budget as approved.", administrator, "+"),
        (D("3500000.00"), "Mid-year adjustment.", administrator, "~"),
    ]


def test_a_budget_is_not_cut_below_what_is_already_committed_and_the_refusal_names_both(
    set_budget, reviewed, staff, call
):
    set_budget("2000000.00")
    declaration_approve(declaration_id=reviewed().pk, actor=staff, amount=PROPOSED)

    with pytest.raises(ValidationError) as refusal:
        set_budget("1599999.99")

    assert refusal.value.message_dict == {
        "amount": [
            f"The budget of 1,599,999.99 yuan is below what is already committed in {call.year} for ART6: "
            "1,600,000.00 yuan."
        ]
    }
    assert Budget.objects.get(year=call.year).amount == D("2000000.00")
    assert set_budget("1600000.00").amount == PROPOSED


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"amount": D("-0.01")}, "amount", "A budget cannot be negative."),
        ({"amount": D("1000000000000.00")}, "amount", "A budget is at most 999,999,999,999.99 yuan."),
        ({"reason": "  "}, "reason", "Say why, for the record: for example the budget document's reference."),
        ({"year": 1999}, "year", "A budget is set for a year from 2000 to 2100."),
        ({"programme_id": 999999}, "programme", "There is no such programme."),
    ],
)
def test_budget_set_refuses_wrong_input_at_its_field(administrator, art6, call, changes, field, message):
    arguments = {
        "programme_id": art6.pk,
        "year": call.year,
        "amount": D("100.00"),
        "actor": administrator,
        "reason": "Budget.",
    }
    with pytest.raises(ValidationError) as refusal:
        budget_set(**{**arguments, **changes})
    assert refusal.value.message_dict == {field: [message]}
    assert not Budget.objects.exists()


def test_the_same_amount_again_is_no_adjustment(set_budget):
    set_budget("100.00")
    with pytest.raises(ValidationError, match=r"The budget is 100\.00 yuan already\."):
        set_budget("100.00", reason="Again.")


@pytest.mark.parametrize("role", ["staff", "finance", "reviewer", "applicant"])
def test_only_the_administrator_sets_a_budget(request, role, art6, call):
    with pytest.raises(ValidationError, match=r"You are not allowed to do this\."):
        budget_set(
            programme_id=art6.pk, year=call.year, amount=D("1.00"), actor=request.getfixturevalue(role), reason="x"
        )
    assert not Budget.objects.exists()


def test_the_database_keeps_one_budget_per_programme_and_year_and_none_negative(art6, call):
    Budget.objects.create(programme=art6, year=call.year, amount=D("1.00"), reason="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Budget.objects.create(programme=art6, year=call.year, amount=D("2.00"), reason="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Budget.objects.create(programme=art6, year=call.year + 1, amount=D("-1.00"), reason="x")


# --- What is committed ----------------------------------------------------------------------------


def test_committed_is_what_stays_decided_for_the_programme_under_that_years_calls(cast, call, art6):
    def built(state, amount, on_call=call):
        declaration = DeclarationFactory(
            organisation=OrganisationFactory(), call=on_call, created_by=cast.applicant, facts=dict(ART6_FACTS)
        )
        return build_to(declaration, state, cast=cast, amount=D(amount))

    built(S.APPROVED, "100000.00")
    built(S.CONFIRMED, "200000.00")
    built(S.PAID, "300000.00")
    built(S.STOPPED, "400000.00")  # no longer counts
    built(S.RECOVERED, "800000.00")  # no longer counts
    built(S.NOT_SUPPORTED, "1000.00")
    built(S.APPROVED, "5000.00", on_call=CallFactory(year=call.year - 1, budgets=False))
    art9 = Programme.objects.get(code="ART9")

    assert committed_amounts([(art6.pk, call.year), (art6.pk, call.year - 1), (art9.pk, call.year)]) == {
        (art6.pk, call.year): D("600000.00"),
        (art6.pk, call.year - 1): D("5000.00"),
        (art9.pk, call.year): ZERO,
    }
    position = budget_position(art6, call.year)
    assert (position.budget, position.amount, position.committed, position.left) == (None, None, D("600000.00"), None)


# --- The decision ---------------------------------------------------------------------------------


def test_a_decision_beyond_what_is_left_is_refused_naming_the_amounts_and_changes_nothing(
    set_budget, reviewed, staff, call, art6
):
    set_budget("2000000.00")
    first, second = reviewed(), reviewed()
    declaration_approve(declaration_id=first.pk, actor=staff, amount=PROPOSED)
    events = second.events.count()

    with pytest.raises(OverBudget) as refusal:
        declaration_approve(declaration_id=second.pk, actor=staff, amount=D("400000.01"))

    assert str(refusal.value) == _refusal(call.year, "400,000.01", "2,000,000.00", "1,600,000.00", "400,000.00")
    assert refusal.value.position.left == D("400000.00")
    second.refresh_from_db()
    assert (second.state, second.approved_amount, second.events.count()) == (S.REVIEWED, None, events)
    assert not Decision.objects.filter(declaration=second).exists()

    declaration_approve(declaration_id=second.pk, actor=staff, amount=D("400000.00"))
    assert budget_position(art6, call.year).left == ZERO


def test_no_support_is_approved_while_no_budget_is_recorded_but_not_supporting_is_decided(reviewed, staff, call):
    declaration = reviewed()

    with pytest.raises(OverBudget) as refusal:
        declaration_approve(declaration_id=declaration.pk, actor=staff, amount=PROPOSED)

    assert str(refusal.value) == (
        f"No budget of ART6 for {call.year} is recorded, so no support may be approved: the administrator "
        "sets it under Budgets in the console first."
    )
    assert Declaration.objects.get(pk=declaration.pk).state == S.REVIEWED
    declaration_reject(declaration_id=declaration.pk, actor=staff, note="No budget this year.")
    assert Declaration.objects.get(pk=declaration.pk).state == S.NOT_SUPPORTED


def test_another_programmes_or_years_budget_does_not_count(set_budget, reviewed, staff, call):
    set_budget("9000000.00", programme=Programme.objects.get(code="ART9"))
    set_budget("9000000.00", year=call.year + 1)
    with pytest.raises(OverBudget, match=f"No budget of ART6 for {call.year}"):
        declaration_approve(declaration_id=reviewed().pk, actor=staff, amount=PROPOSED)


def test_bulk_decide_refuses_each_decision_the_budget_cannot_take(set_budget, reviewed, staff, call):
    set_budget("2000000.00")
    first, second = reviewed(), reviewed()

    outcomes = declarations_bulk_apply(action=BulkAction.DECIDE, declarations=[first, second], actor=staff)

    assert [(o.declaration.pk, o.status, o.message) for o in outcomes] == [
        (first.pk, "done", "Approved, awaiting publicity: 1,600,000.00 yuan"),
        (second.pk, "refused", _refusal(call.year, "1,600,000.00", "2,000,000.00", "1,600,000.00", "400,000.00")),
    ]
    assert Declaration.objects.get(pk=second.pk).state == S.REVIEWED


def test_the_bulk_result_page_lists_the_refusal(client, set_budget, reviewed, staff, call):
    set_budget("1000000.00")
    declaration = reviewed()
    client.force_login(staff)

    response = client.post("/console/bulk/", {"declarations": [declaration.pk], "action": "decide", "confirmed": "yes"})

    assert [(o.status, o.message) for o in response.context["outcomes"]] == [
        ("refused", _refusal(call.year, "1,600,000.00", "1,000,000.00", "0.00", "1,000,000.00"))
    ]


def test_the_decision_page_shows_budget_committed_and_left_and_refuses_at_the_amount_field(
    client, set_budget, reviewed, staff, call
):
    set_budget("2000000.00")
    declaration_approve(declaration_id=reviewed().pk, actor=staff, amount=PROPOSED)
    declaration = reviewed()
    client.force_login(staff)

    content = client.get(f"/console/{declaration.pk}/").content.decode()
    assert '<span class="amount" data-budget-amount>2,000,000.00</span>' in content
    assert '<span class="amount" data-budget-committed>1,600,000.00</span>' in content
    assert '<span class="amount" data-budget-left>400,000.00</span>' in content

    response = client.post(
        f"/console/{declaration.pk}/",
        {"action": "approve", "confirmed": "yes", "approve-amount": "1,000,000.00", "approve-note": "Full scheme."},
    )
    assert response.status_code == 200
    form = {key: form for key, _, form in response.context["action_forms"]}["approve"]
    assert form.errors["amount"] == [_refusal(call.year, "1,000,000.00", "2,000,000.00", "1,600,000.00", "400,000.00")]
    assert form.data["approve-note"] == "Full scheme."
    assert Declaration.objects.get(pk=declaration.pk).state == S.REVIEWED


def test_the_decision_page_warns_while_no_budget_is_recorded(client, reviewed, staff, call):
    declaration = reviewed()
    client.force_login(staff)

    response = client.get(f"/console/{declaration.pk}/")

    assert response.context["budget_position"].budget is None
    assert (
        f"No budget of ART6 for {call.year} is recorded: no support can be approved until the administrator sets it."
        in " ".join(response.content.decode().split())
    )


# --- The budget line of the ranking ---------------------------------------------------------------


def _ranked(declaration, total):
    EvaluationSummary.objects.filter(pk=declaration.pk).update(total=D(total))
    return declaration


def test_the_ranking_draws_the_budget_line_where_the_proposals_in_rank_order_pass_what_is_left(
    client, set_budget, reviewed, staff, call, art6
):
    set_budget("5000000.00")
    decided = _ranked(reviewed(D("1000000.00")), "95")
    declaration_approve(declaration_id=decided.pk, actor=staff, amount=D("1000000.00"))  # 4,000,000 left
    first = _ranked(reviewed(), "90")
    second = _ranked(reviewed(), "85")
    no_meeting_yet = _ranked(reviewed(proposed=False), "80")
    Declaration.objects.filter(pk=no_meeting_yet.pk).update(award_cap=PROPOSED)
    not_proposed = _ranked(reviewed(None), "75")
    small = _ranked(reviewed(D("500000.00")), "70")
    client.force_login(staff)

    response = client.get("/console/ranking/", {"call": call.pk, "programme": art6.pk})

    rows = [(s.pk, s.budget_status, s.draw, s.drawn, s.budget_line_above) for s in response.context["page"]]
    assert rows == [
        (decided.pk, "decided", None, None, False),
        (first.pk, "fits", PROPOSED, D("1600000.00"), False),
        (second.pk, "fits", PROPOSED, D("3200000.00"), False),
        (no_meeting_yet.pk, "beyond", PROPOSED, D("4800000.00"), True),
        (not_proposed.pk, "not_drawing", None, None, False),
        (small.pk, "beyond", D("500000.00"), D("5300000.00"), False),
    ]
    line = response.context["budget_line"]
    assert (line.fitting, line.fitting_total, line.beyond) == (2, D("3200000.00"), 2)
    content = " ".join(response.content.decode().split())
    assert content.count("data-budget-line>") == 1
    assert "Within what is left, in rank order: 2 proposals for 3,200,000.00 yuan. 2 beyond the budget line." in content
    assert "award cap, no proposal yet" in content


def test_the_ranking_draws_no_line_without_one_programme_and_one_call_or_without_a_budget(
    client, reviewed, staff, call, art6
):
    _ranked(reviewed(), "90")
    client.force_login(staff)

    for query in ({}, {"programme": art6.pk}, {"call": call.pk}):
        response = client.get("/console/ranking/", query)
        assert "budget_line" not in response.context
        assert "Choose a call and a programme to draw the budget line" in response.content.decode()
    response = client.get("/console/ranking/", {"call": call.pk, "programme": art6.pk})
    assert response.context["budget_line"] is None
    assert "data-budget-missing" in response.content.decode()


def test_the_ranking_with_its_budget_line_costs_as_many_queries_for_many_declarations_as_for_few(
    client, staff, call, art6, django_assert_max_num_queries
):
    budgets_for(call.year, [art6], amount=D("3000000.00"))

    def summaries(count):
        for _ in range(count):
            declaration = DeclarationFactory(call=call, state=S.REVIEWED, award_cap=D("100000.00"))
            EvaluationSummary.objects.create(
                declaration=declaration, aggregation="mean", total=D("70"), spread=D("0"), evaluations=2, assigned=2
            )

    summaries(2)
    client.force_login(staff)
    query = {"call": call.pk, "programme": art6.pk}
    with CaptureQueriesContext(connection) as baseline:
        client.get("/console/ranking/", query)
    summaries(60)
    with django_assert_max_num_queries(len(baseline)):
        response = client.get("/console/ranking/", query)
    assert response.context["budget_line"].fitting == 30
    assert [s.budget_status for s in response.context["page"]] == ["fits"] * 30 + ["beyond"] * 20


# --- The budget pages -----------------------------------------------------------------------------


def _pages(art6, call):
    return ["/console/budgets/", f"/console/budgets/{art6.pk}/{call.year}/"]


@pytest.mark.parametrize("role", ["applicant", "reviewer", "finance"])
def test_the_budget_pages_refuse_everyone_but_the_administrator_and_commission_staff(client, request, role, art6, call):
    client.force_login(request.getfixturevalue(role))
    for url in _pages(art6, call):
        assert client.get(url).status_code == 403
        assert (
            client.post(url, {"amount": "1", "reason": "x", "programme": art6.pk, "year": call.year}).status_code == 403
        )
    assert not Budget.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, art6, call):
    for url in _pages(art6, call):
        assert client.get(url)["Location"].startswith("/accounts/login/")


def test_commission_staff_read_the_budgets_but_do_not_set_them(client, staff, set_budget, art6, call):
    set_budget("2000000.00")
    client.force_login(staff)
    for url in _pages(art6, call):
        response = client.get(url)
        assert response.status_code == 200
        assert response.context["form"] is None
        assert (
            client.post(url, {"amount": "1", "reason": "x", "programme": art6.pk, "year": call.year}).status_code == 403
        )
    assert Budget.objects.get().amount == D("2000000.00")
    assert 'href="/console/budgets/"' in client.get("/console/").content.decode()


def test_the_administrator_sets_a_budget_from_the_list_then_adjusts_it_on_its_page(client, administrator, art6, call):
    client.force_login(administrator)
    assert 'href="/console/budgets/"' in client.get("/").content.decode()

    response = client.post(
        "/console/budgets/",
        {"programme": art6.pk, "year": call.year, "amount": "2,500,000.00", "reason": "Jingcai [2026] No. 12."},
    )
    page = f"/console/budgets/{art6.pk}/{call.year}/"
    assert response.status_code == 302
    assert response["Location"] == page
    response = client.post(page, {"amount": "3,000,000.00", "reason": "Mid-year adjustment."})
    assert response["Location"] == page

    response = client.get(page)
    assert response.context["position"].amount == D("3000000.00")
    assert [(v.amount, v.previous, v.reason, v.history_user) for v in response.context["history"]] == [
        (D("3000000.00"), D("2500000.00"), "Mid-year adjustment.", administrator),
        (D("2500000.00"), None, "Jingcai [2026] No. 12.", administrator),
    ]
    content = response.content.decode()
    assert '<span class="amount" data-budget-left>3,000,000.00</span>' in content
    assert "Mid-year adjustment." in content


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"amount": "-1"}, "amount", "Ensure this value is greater than or equal to 0."),
        ({"amount": "abc"}, "amount", "Enter a number."),
        ({"amount": "1e400"}, "amount", "Ensure this value is less than or equal to 999999999999.99."),
        ({"reason": ""}, "reason", "This field is required."),
        ({"year": "1999"}, "year", "Ensure this value is greater than or equal to 2000."),
        ({"year": "99999999999999999999"}, "year", "Ensure this value is less than or equal to 2100."),
        (
            {"programme": "999999"},
            "programme",
            "Select a valid choice. That choice is not one of the available choices.",
        ),
    ],
)
def test_wrong_input_on_the_list_is_shown_at_its_field_and_sets_nothing(
    client, administrator, art6, call, data, field, message
):
    client.force_login(administrator)
    posted = {"programme": art6.pk, "year": call.year, "amount": "100.00", "reason": "Budget.", **data}

    response = client.post("/console/budgets/", posted)

    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert not Budget.objects.exists()


def test_an_adjustment_below_what_is_committed_is_refused_at_the_amount_field(
    client, administrator, set_budget, reviewed, staff, art6, call
):
    set_budget("2000000.00")
    declaration_approve(declaration_id=reviewed().pk, actor=staff, amount=PROPOSED)
    client.force_login(administrator)

    response = client.post(f"/console/budgets/{art6.pk}/{call.year}/", {"amount": "1,000,000.00", "reason": "Cut."})

    assert response.status_code == 200
    assert response.context["form"].errors["amount"] == [
        f"The budget of 1,000,000.00 yuan is below what is already committed in {call.year} for ART6: "
        "1,600,000.00 yuan."
    ]
    assert response.context["position"].amount == D("2000000.00")


@pytest.mark.parametrize("where", ["1999", "2101", "programme"])
def test_a_budget_page_of_no_year_or_no_programme_is_not_found(client, administrator, art6, where):
    client.force_login(administrator)
    url = f"/console/budgets/{art6.pk}/{where}/" if where != "programme" else f"/console/budgets/{2**70}/2026/"
    assert client.get(url).status_code == 404


def test_the_budget_list_costs_as_many_queries_for_many_years_as_for_one(
    client, administrator, cast, django_assert_max_num_queries
):
    client.force_login(administrator)
    programmes = list(Programme.objects.all())
    first = CallFactory(budgets=False)
    budgets_for(first.year, programmes)
    with CaptureQueriesContext(connection) as baseline:
        response = client.get("/console/budgets/", {"year": ""})
    assert len(response.context["page"]) == 2 * len(programmes)  # this year and the next

    for year in range(first.year - 8, first.year):
        budgets_for(year, programmes)
        declaration = DeclarationFactory(call=CallFactory(year=year, budgets=False), state=S.APPROVED)
        Declaration.objects.filter(pk=declaration.pk).update(approved_amount=D("1000.00"))
    with django_assert_max_num_queries(len(baseline)):
        response = client.get("/console/budgets/", {"year": "", "page": 2})
    assert len(response.context["page"]) == BUDGETS_PER_PAGE
    assert response.context["page"].paginator.count == 10 * len(programmes)


def test_a_budgets_page_costs_as_many_queries_with_a_long_history_as_with_one_version(
    client, administrator, set_budget, art6, call, django_assert_max_num_queries
):
    set_budget("1000.00")
    client.force_login(administrator)
    page = f"/console/budgets/{art6.pk}/{call.year}/"
    with CaptureQueriesContext(connection) as baseline:
        client.get(page)
    for n in range(1, 40):
        set_budget(f"{1000 + n}.00", reason=f"Adjustment {n}.")
    with django_assert_max_num_queries(len(baseline)):
        response = client.get(page, {"page": 2})
    assert [v.reason for v in response.context["history"]][:2] == ["Adjustment 14.", "Adjustment 13."]
    assert response.context["history"].paginator.count == 40


def test_the_budget_list_shows_this_years_budgets_first_and_every_year_on_request(
    client, staff, set_budget, art6, call
):
    set_budget("2000000.00")
    set_budget("1000000.00", year=call.year - 1)
    client.force_login(staff)

    def rows(query):
        return [(p.programme.code, p.year, p.amount) for p in client.get("/console/budgets/", query).context["page"]]

    this_year = rows({})
    assert this_year == rows({"year": call.year})
    assert this_year[:2] == [("ART5", call.year, None), ("ART6", call.year, D("2000000.00"))]
    assert {year for _code, year, _amount in this_year} == {call.year}
    every_year = rows({"year": ""})
    assert [year for _code, year, _amount in every_year[::12]] == [call.year + 1, call.year, call.year - 1]
    assert ("ART6", call.year - 1, D("1000000.00")) in every_year
    assert client.get("/console/budgets/", {"year": "nonsense"}).status_code == 200


# --- Two decisions at once ------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_decisions_at_once_cannot_share_the_last_budget_headroom(monkeypatch, set_budget, reviewed, staff, call):
    """PostgreSQL only: SQLite has no row locks. 2,000,000 budgeted, nothing committed; two staff
    approving 1,600,000 each at the same moment: one is approved and the other refused, naming the
    400,000 then left.

    Each decision waits (up to 2 seconds) after its budget check for the other to have checked too,
    so without the lock both would pass on the same headroom; with it, the second cannot check
    before the first has committed."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (DATABASE_URL=postgres://...)")
    set_budget("2000000.00")
    racing = [reviewed(), reviewed(organisation=OrganisationFactory())]
    deciders = [staff, StaffFactory(username="staff-b")]
    barrier, both_checked = threading.Barrier(2), threading.Barrier(2)
    outcomes = []
    checked = services.budget_check

    def check_then_wait_for_the_other(declaration, amount):
        position = checked(declaration, amount)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_checked.wait(timeout=2)
        return position

    monkeypatch.setattr(services, "budget_check", check_then_wait_for_the_other)

    def decide(declaration, decider):
        try:
            barrier.wait(timeout=10)
            declaration_approve(declaration_id=declaration.pk, actor=decider, amount=PROPOSED)
            outcomes.append("approved")
        except OverBudget as refusal:
            outcomes.append(str(refusal))
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=pair) for pair in zip(racing, deciders, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    refusal = _refusal(call.year, "1,600,000.00", "2,000,000.00", "1,600,000.00", "400,000.00")
    assert sorted(outcomes) == sorted(["approved", refusal])
    approved = Declaration.objects.filter(pk__in=[d.pk for d in racing], state=S.APPROVED)
    assert list(approved.values_list("approved_amount", flat=True)) == [PROPOSED]
    assert budget_position(racing[0].programme, call.year).left == D("400000.00")
