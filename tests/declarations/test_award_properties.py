"""Properties of the award engine over generated facts and history (docs/awards.md).

The caps below are copied from docs/awards.md, not read from the engine, so the engine is
checked against the policy and not against itself.
"""

import datetime
import json
from decimal import ROUND_DOWN, Decimal

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from declarations.awards import History, assess_raw

M = Decimal("1000000")
FEN = Decimal("0.01")

PROGRAMME_CODES = [
    "ART5",
    "ART6",
    "ART7",
    "ART8",
    "ART9",
    "ART10",
    "ART11A",
    "ART11B",
    "ART12",
    "ART13A",
    "ART13B",
    "ART14",
]

# docs/awards.md, "Caps": (limit, the history it counts against or None for a per-subsidy cap).
CAPS = {
    "ART5": [(10 * M, None)],  # the highest grade
    "ART6": [(2 * M, None), (5 * M, "awarded_this_year")],
    "ART7": [(1 * M, None)],
    "ART8": [(10 * M, "awarded_this_year")],
    "ART9": [(Decimal(500_000), "awarded_this_year")],
    "ART10": [(Decimal(500_000), "awarded_this_year")],
    "ART11A": [(Decimal(500_000), "awarded_this_year")],
    "ART11B": [(5 * M, "awarded_this_year"), (10 * M, "awarded_cumulative")],
    "ART12": [(1 * M, None)],  # the highest market amount
    "ART13A": [(5 * M, "awarded_this_year")],
    "ART13B": [(2 * M, "awarded_this_year")],
    "ART14": [(2 * M, "project_awarded_this_year"), (5 * M, "awarded_this_year")],
}

# docs/awards.md, "Formula": the rate and the facts it is applied to.
RATES = {
    "ART6": (Decimal("0.20"), ("investment_amount",)),
    "ART7": (Decimal("0.40"), ("transaction_expenses", "intermediary_expenses")),
    "ART8": (Decimal("0.50"), ("compensation_amount",)),
    "ART9": (Decimal("0.60"), ("premium",)),
    "ART10": (Decimal("0.20"), ("rental_interest", "handling_fees")),
    "ART11A": (Decimal("0.40"), ("interest_paid",)),
    "ART11B": (Decimal("0.50"), ("risk_bearing_principal",)),
    "ART13A": (Decimal("0.0001"), ("annual_financing_amount",)),
    "ART14": (Decimal("0.05"), ("transaction_amount",)),
}

# The facts the award grows with.
BASE_FACTS = {
    "ART5": ("annual_contribution",),
    "ART6": ("investment_amount",),
    "ART7": ("transaction_expenses", "intermediary_expenses"),
    "ART8": ("compensation_amount",),
    "ART9": ("premium",),
    "ART10": ("rental_interest", "handling_fees"),
    "ART11A": ("interest_paid",),
    "ART11B": ("risk_bearing_principal",),
    "ART13A": ("annual_financing_amount",),
    "ART13B": ("requested_amount",),
    "ART14": ("transaction_amount",),
}

PROPERTY_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

money_values = st.decimals(min_value=0, max_value=10**13, places=2)
money = money_values.map(str)
# Amounts near the thresholds and caps, so both sides of them are reached often.
small_money_values = st.decimals(min_value=0, max_value=60 * M, places=2)
any_money = st.one_of(money, small_money_values.map(str))
percent = st.decimals(min_value=0, max_value=100, places=2).map(str)


def at_least(bound):
    """Money that mostly meets "at least `bound`" and sometimes does not."""
    bound = Decimal(bound)
    return st.one_of(st.just(bound), st.decimals(min_value=bound, max_value=10**13, places=2), money_values).map(str)


def at_most(bound):
    """Money that mostly meets "at most `bound`" and sometimes does not."""
    bound = Decimal(bound)
    return st.one_of(st.just(bound), st.decimals(min_value=0, max_value=bound, places=2), money_values).map(str)


def capped_percent(low, high):
    return st.one_of(st.decimals(min_value=low, max_value=high, places=2).map(str), percent)


likely_true = st.one_of(st.just(True), st.booleans())
likely_false = st.one_of(st.just(False), st.booleans())
text = st.sampled_from(["A", "Fund 1", "合同-2024-01", "91110108MA01ABCD1X"])
HIGH_TECH = {"high_tech_field": likely_true, "core_technology_or_ip": likely_true}
years_supported = st.one_of(st.integers(min_value=0, max_value=2), st.integers(min_value=0, max_value=5))


@st.composite
def investee_dates(draw):
    """The investee's establishment date and the investment date, mostly within 5 years of it."""
    established = draw(st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2025, 12, 31)))
    days_later = draw(st.one_of(st.integers(min_value=0, max_value=1826), st.integers(min_value=-400, max_value=4000)))
    invested = established + datetime.timedelta(days=days_later)
    return {"investee_established_on": established.isoformat(), "investment_date": invested.isoformat()}


def with_dates(facts):
    return st.tuples(facts, investee_dates()).map(lambda pair: {**pair[0], **pair[1]})


FACTS = {
    "ART5": st.fixed_dictionaries(
        {
            "investor_type": st.sampled_from(["social_security", "insurance", "bank_wealth_management"]),
            "fund_name": text,
            "fund_type": st.sampled_from(["venture_capital", "s_fund", "mna"]),
            "annual_contribution": st.one_of(at_least(300 * M), st.decimals(0, 2000 * M, places=2).map(str)),
        },
        optional={"fund_registered_in_beijing": likely_true, "fund_filed_with_amac": likely_true},
    ),
    "ART6": with_dates(
        st.fixed_dictionaries(
            {
                "institution_registered_capital": at_least(10 * M),
                "investee_name": text,
                "investment_amount": st.one_of(at_least(5 * M), small_money_values.map(str)),
                "equity_ratio_after_pct": capped_percent(0, 50),
                "first_round": likely_true,
            },
            optional={"manager_registered_with_amac": likely_true, **HIGH_TECH},
        )
    ),
    "ART7": st.fixed_dictionaries(
        {
            "fund_name": text,
            "transferor_type": st.one_of(
                st.just("institution"), st.sampled_from(["institution", "individual", "government_fund"])
            ),
            "transferred_share_value": at_least(30 * M),
            "transaction_expenses": any_money,
            "intermediary_expenses": any_money,
        },
        optional={"registered_in_beijing": likely_true},
    ),
    "ART8": st.fixed_dictionaries(
        {
            "enterprise_name": text,
            "enterprise_is_small_or_micro": likely_true,
            "loan_amount": at_least(1 * M),
            "compensation_amount": any_money,
        },
        optional={"counter_guarantee": likely_false},
    ),
    "ART9": st.fixed_dictionaries(
        {
            "annual_revenue": at_most(200 * M),
            "insurance_product": text,
            "insured_or_loan_amount": at_least(20 * M),
            "premium": any_money,
        },
        optional=HIGH_TECH,
    ),
    "ART10": st.fixed_dictionaries(
        {
            "annual_revenue": at_most(200 * M),
            "lease_contract": text,
            "rental_interest": any_money,
            "handling_fees": any_money,
        },
        optional=HIGH_TECH,
    ),
    "ART11A": st.fixed_dictionaries(
        {
            "annual_revenue": at_most(200 * M),
            "interest_paid": any_money,
            "loan_term_months": st.integers(min_value=0, max_value=120),
            "loan_rate_pct": st.decimals(min_value=0, max_value=20, places=4).map(str),
            "lpr_1y_pct": st.decimals(min_value=0, max_value=10, places=2).map(str),
        },
        optional={"first_ip_pledge_loan": st.booleans(), **HIGH_TECH},
    ),
    "ART11B": st.fixed_dictionaries(
        {
            "borrower_name": text,
            "borrower_credit_code": text,
            "risk_bearing_principal": any_money,
            "institution_npl_rate_pct": percent,
            "institution_npl_cap_pct": percent,
        }
    ),
    "ART12": st.fixed_dictionaries(
        {
            "market": st.sampled_from(
                ["neeq_basic", "neeq_innovation_upgrade", "neeq_innovation_direct", "beijing_equity"]
            ),
            "approval_letter": likely_true,
        },
        optional=HIGH_TECH,
    ),
    "ART13A": st.fixed_dictionaries(
        {
            "annual_financing_amount": money,
            "months_in_operation": st.integers(min_value=0, max_value=240),
            "beijing_premises": likely_true,
        }
    ),
    "ART13B": st.fixed_dictionaries({"requested_amount": any_money}, optional={"service_effect": text}),
    "ART14": st.fixed_dictionaries(
        {
            "target_name": text,
            "acquirer_listed": likely_true,
            "equity_ratio_after_pct": capped_percent(Decimal("50.01"), 100),
            "first_control": likely_true,
            "transaction_amount": st.one_of(at_least(10 * M), small_money_values.map(str)),
        },
        optional=HIGH_TECH,
    ),
}

# The facts a JSON document may hold as numbers: money and percentages.
NUMBER_FACTS = {
    "ART5": {"annual_contribution"},
    "ART6": {"institution_registered_capital", "investment_amount", "equity_ratio_after_pct"},
    "ART7": {"transferred_share_value", "transaction_expenses", "intermediary_expenses"},
    "ART8": {"loan_amount", "compensation_amount"},
    "ART9": {"annual_revenue", "insured_or_loan_amount", "premium"},
    "ART10": {"annual_revenue", "rental_interest", "handling_fees"},
    "ART11A": {"annual_revenue", "interest_paid", "loan_rate_pct", "lpr_1y_pct"},
    "ART11B": {"risk_bearing_principal", "institution_npl_rate_pct", "institution_npl_cap_pct"},
    "ART12": set(),
    "ART13A": {"annual_financing_amount"},
    "ART13B": {"requested_amount"},
    "ART14": {"equity_ratio_after_pct", "transaction_amount"},
}

history_money = st.one_of(st.just(Decimal("0.00")), small_money_values, money_values)
histories = st.builds(
    History,
    awarded_this_year=history_money,
    awarded_cumulative=history_money,
    project_awarded_this_year=history_money,
    years_supported=years_supported,
)


def round_down(amount):
    return amount.quantize(FEN, rounding=ROUND_DOWN)


def limits(code, history):
    """What each cap of docs/awards.md still allows, given the history."""
    return [limit if key is None else max(limit - getattr(history, key), Decimal(0)) for limit, key in CAPS[code]]


@pytest.mark.parametrize("code", PROGRAMME_CODES)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_award_is_two_place_nonnegative_and_within_formula_and_every_cap(code, data):
    raw = data.draw(FACTS[code], label="facts")
    history = data.draw(histories, label="history")

    assessment = assess_raw(code, raw, history)

    assert assessment.award >= 0
    assert assessment.award.as_tuple().exponent == -2
    assert assessment.award <= assessment.formula_value
    for limit in limits(code, history):
        assert assessment.award <= limit
    if not assessment.eligible:
        assert assessment.award == Decimal("0.00")
        assert len(assessment.reasons) >= 1
    else:
        assert assessment.reasons == ()


@pytest.mark.parametrize("code", sorted(RATES))
@PROPERTY_SETTINGS
@given(data=st.data())
def test_award_of_eligible_rate_programme_is_rate_times_base_limited_by_caps(code, data):
    raw = data.draw(FACTS[code], label="facts")
    history = data.draw(histories, label="history")
    rate, bases = RATES[code]

    assessment = assess_raw(code, raw, history)

    formula = round_down(rate * sum(Decimal(raw[name]) for name in bases))
    assert assessment.formula_value == formula
    if assessment.eligible:
        assert assessment.award == round_down(min([formula, *limits(code, history)]))


@pytest.mark.parametrize("code", sorted(BASE_FACTS))
@PROPERTY_SETTINGS
@given(data=st.data())
def test_award_is_non_decreasing_in_the_base_amount(code, data):
    raw = data.draw(FACTS[code], label="facts")
    history = data.draw(histories, label="history")
    base = data.draw(st.sampled_from(BASE_FACTS[code]), label="base fact")
    low, high = sorted(data.draw(st.lists(st.one_of(money_values, small_money_values), min_size=2, max_size=2)))

    lower = assess_raw(code, {**raw, base: str(low)}, history)
    higher = assess_raw(code, {**raw, base: str(high)}, history)

    assert lower.award <= higher.award


@pytest.mark.parametrize("code", PROGRAMME_CODES)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_assessment_is_unchanged_by_the_order_of_the_facts(code, data):
    raw = data.draw(FACTS[code], label="facts")
    history = data.draw(histories, label="history")
    order = data.draw(st.permutations(list(raw)), label="order")

    shuffled = {name: raw[name] for name in order}

    with translation.override("en"):
        original = assess_raw(code, raw, history)
        reordered = assess_raw(code, shuffled, history)

        assert reordered == original
        assert reordered.as_json() == original.as_json()


def json_with_numbers(code, raw):
    """The facts as a JSON document in which money and percentages are JSON numbers."""
    members = []
    for name, value in raw.items():
        literal = f"{Decimal(value):f}" if name in NUMBER_FACTS[code] else json.dumps(value)
        members.append(f"{json.dumps(name)}: {literal}")
    return "{" + ", ".join(members) + "}"


@pytest.mark.parametrize("code", PROGRAMME_CODES)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_numbers_read_as_float_decimal_or_string_give_identical_assessments(code, data):
    raw = data.draw(FACTS[code], label="facts")
    history = data.draw(histories, label="history")
    document = json_with_numbers(code, raw)

    as_strings = assess_raw(code, raw, history)
    as_decimals = assess_raw(code, json.loads(document, parse_float=Decimal), history)
    as_floats = assess_raw(code, json.loads(document), history)

    assert as_decimals == as_strings
    assert as_floats == as_strings


@PROPERTY_SETTINGS
@given(transaction=small_money_values, intermediary=small_money_values)
def test_art7_expenses_sum_exactly_in_decimal(transaction, intermediary):
    raw = {
        "transferor_type": "institution",
        "transferred_share_value": "30000000.00",
        "transaction_expenses": float(transaction),
        "intermediary_expenses": float(intermediary),
    }

    assessment = assess_raw("ART7", raw, {})

    assert assessment.award == min(round_down(Decimal("0.40") * (transaction + intermediary)), 1 * M)


@pytest.mark.parametrize(
    ("transaction", "intermediary"),
    [
        pytest.param("0.10", "0.20", id="strings"),
        pytest.param(0.1, 0.2, id="floats"),
        pytest.param(Decimal("0.1"), Decimal("0.2"), id="decimals"),
    ],
)
def test_art7_award_of_0_10_plus_0_20_is_exactly_0_12(transaction, intermediary):
    raw = {
        "transferor_type": "institution",
        "transferred_share_value": "30000000.00",
        "transaction_expenses": transaction,
        "intermediary_expenses": intermediary,
    }

    assessment = assess_raw("ART7", raw, {})

    assert assessment.formula_value == Decimal("0.12")
    assert str(assessment.award) == "0.12"
