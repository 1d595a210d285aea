"""Table tests of the award engine against docs/awards.md (the agreed reading).

Every programme, every grade, both sides of every threshold, every cap and the worked examples.
The expected amounts are worked out by hand from docs/awards.md, never read from the engine.
"""

import json
from decimal import Decimal

import pytest
from django.utils import translation

from declarations.awards import (
    Assessment,
    FactsInvalid,
    History,
    ProgrammeUnknown,
    assess,
    assess_raw,
    parse_facts,
    parse_history,
)

ABSENT = object()

# One eligible declaration per programme, comfortably inside every threshold and below every cap.
VALID_FACTS = {
    "ART5": {
        "investor_type": "insurance",
        "fund_name": "Zhongguancun Hard Tech Fund",
        "fund_type": "venture_capital",
        "annual_contribution": "400000000.00",
        "fund_registered_in_beijing": True,
        "fund_filed_with_amac": True,
    },
    "ART6": {
        "institution_registered_capital": "20000000.00",
        "manager_registered_with_amac": True,
        "investee_name": "Quantum Sensing Ltd",
        "investee_established_on": "2021-03-15",
        "investment_date": "2024-06-30",
        "investment_amount": "8000000.00",
        "equity_ratio_after_pct": "20",
        "first_round": True,
        "high_tech_field": True,
        "core_technology_or_ip": True,
    },
    "ART7": {
        "fund_name": "Haidian Growth Fund",
        "transferor_type": "institution",
        "transferred_share_value": "50000000.00",
        "transaction_expenses": "100000.00",
        "intermediary_expenses": "50000.00",
        "registered_in_beijing": True,
    },
    "ART8": {
        "enterprise_name": "Little Robot Co",
        "enterprise_is_small_or_micro": True,
        "loan_amount": "3000000.00",
        "counter_guarantee": False,
        "compensation_amount": "800000.00",
    },
    "ART9": {
        "annual_revenue": "150000000.00",
        "insurance_product": "R&D insurance",
        "insured_or_loan_amount": "30000000.00",
        "premium": "100000.00",
        "high_tech_field": True,
        "core_technology_or_ip": True,
    },
    "ART10": {
        "annual_revenue": "150000000.00",
        "lease_contract": "FL-2024-001",
        "rental_interest": "300000.00",
        "handling_fees": "20000.00",
        "high_tech_field": True,
        "core_technology_or_ip": True,
    },
    "ART11A": {
        "annual_revenue": "150000000.00",
        "interest_paid": "200000.00",
        "first_ip_pledge_loan": False,
        "loan_term_months": 12,
        "loan_rate_pct": "4.0",
        "lpr_1y_pct": "3.45",
        "high_tech_field": True,
        "core_technology_or_ip": True,
    },
    "ART11B": {
        "borrower_name": "Photonics Ltd",
        "borrower_credit_code": "91110108MA01ABCD1X",
        "risk_bearing_principal": "4000000.00",
        "institution_npl_rate_pct": "2.5",
        "institution_npl_cap_pct": "3",
    },
    "ART12": {
        "market": "neeq_basic",
        "approval_letter": True,
        "high_tech_field": True,
        "core_technology_or_ip": True,
    },
    "ART13A": {
        "annual_financing_amount": "10000000000.00",
        "months_in_operation": 24,
        "beijing_premises": True,
    },
    "ART13B": {
        "requested_amount": "1500000.00",
        "service_effect": "Compliance services for 120 incubated enterprises",
    },
    "ART14": {
        "target_name": "Chip Design Ltd",
        "acquirer_listed": True,
        "equity_ratio_after_pct": "60",
        "first_control": True,
        "transaction_amount": "20000000.00",
        "high_tech_field": True,
        "core_technology_or_ip": True,
    },
}


def facts(code, **overrides):
    """The programme's valid facts with `overrides` (ABSENT removes a fact)."""
    result = dict(VALID_FACTS[code])
    for name, value in overrides.items():
        if value is ABSENT:
            result.pop(name, None)
        else:
            result[name] = value
    return result


def case(case_id, code, award, overrides=None, history=None, reasons=()):
    """One row: `reasons` lists (article, fact) for every failed condition; fact None is not checked."""
    return pytest.param(code, overrides or {}, history or {}, award, reasons, id=case_id)


AWARD_CASES = [
    # --- Art. 5: grades by annual contribution, 3 support years -----------------------------------
    case("ART5-300M-inclusive-first-grade", "ART5", "5000000.00", {"annual_contribution": "300000000.00"}),
    case(
        "ART5-299999999.99-below-threshold",
        "ART5",
        "0.00",
        {"annual_contribution": "299999999.99"},
        reasons=(("5 (2) 3", "annual_contribution"),),
    ),
    case("ART5-400M-first-grade", "ART5", "5000000.00"),
    case("ART5-500M-inclusive-first-grade", "ART5", "5000000.00", {"annual_contribution": "500000000.00"}),
    case("ART5-500000000.01-second-grade", "ART5", "8000000.00", {"annual_contribution": "500000000.01"}),
    case("ART5-1B-inclusive-second-grade", "ART5", "8000000.00", {"annual_contribution": "1000000000.00"}),
    case("ART5-1000000000.01-third-grade", "ART5", "10000000.00", {"annual_contribution": "1000000000.01"}),
    case("ART5-5B-third-grade", "ART5", "10000000.00", {"annual_contribution": 5000000000}),
    case("ART5-2-years-supported-eligible", "ART5", "5000000.00", history={"years_supported": 2}),
    case(
        "ART5-3-years-supported-ineligible",
        "ART5",
        "0.00",
        history={"years_supported": 3},
        reasons=(("5 (3)", None),),
    ),
    case(
        "ART5-fund-not-registered-in-beijing",
        "ART5",
        "0.00",
        {"fund_registered_in_beijing": False},
        reasons=(("5 (2) 1", "fund_registered_in_beijing"),),
    ),
    case(
        "ART5-fund-not-filed-with-amac",
        "ART5",
        "0.00",
        {"fund_filed_with_amac": False},
        reasons=(("5 (2) 1", "fund_filed_with_amac"),),
    ),
    case(
        "ART5-declared-facts-absent-ignored",
        "ART5",
        "5000000.00",
        {"fund_registered_in_beijing": ABSENT, "fund_filed_with_amac": ABSENT},
    ),
    case(
        "ART5-below-threshold-and-3-years-two-reasons",
        "ART5",
        "0.00",
        {"annual_contribution": "100000000.00"},
        history={"years_supported": 3},
        reasons=(("5 (2) 3", "annual_contribution"), ("5 (3)", None)),
    ),
    case(
        "ART5-no-annual-cap", "ART5", "10000000.00", {"annual_contribution": "2000000000"}, {"awarded_this_year": "9e7"}
    ),
    # --- Art. 6: 20 % of the investment, 2M per subsidy, 5M per institution per year -------------
    case("ART6-worked-example-8M", "ART6", "1600000.00", {"investment_amount": "8000000"}),
    case(
        "ART6-worked-example-15M-with-4M-this-year",
        "ART6",
        "1000000.00",
        {"investment_amount": "15000000"},
        {"awarded_this_year": "4000000"},
    ),
    case("ART6-investment-5M-inclusive", "ART6", "1000000.00", {"investment_amount": "5000000.00"}),
    case(
        "ART6-investment-4999999.99-below",
        "ART6",
        "0.00",
        {"investment_amount": "4999999.99"},
        reasons=(("6 (2) 3", "investment_amount"),),
    ),
    case("ART6-rounds-down-to-fen", "ART6", "1000000.01", {"investment_amount": "5000000.09"}),
    case("ART6-capital-10M-inclusive", "ART6", "1600000.00", {"institution_registered_capital": "10000000.00"}),
    case(
        "ART6-capital-9999999.99-below",
        "ART6",
        "0.00",
        {"institution_registered_capital": "9999999.99"},
        reasons=(("6 (2) 1", "institution_registered_capital"),),
    ),
    case("ART6-equity-50-inclusive", "ART6", "1600000.00", {"equity_ratio_after_pct": "50"}),
    case(
        "ART6-equity-50.01-above",
        "ART6",
        "0.00",
        {"equity_ratio_after_pct": "50.01"},
        reasons=(("6 (2) 3", "equity_ratio_after_pct"),),
    ),
    case(
        "ART6-investee-established-exactly-5-years-before",
        "ART6",
        "1600000.00",
        {"investee_established_on": "2019-06-30", "investment_date": "2024-06-30"},
    ),
    case(
        "ART6-investee-established-5-years-and-1-day-before",
        "ART6",
        "0.00",
        {"investee_established_on": "2019-06-30", "investment_date": "2024-07-01"},
        reasons=(("6 (2) 2", None),),
    ),
    case("ART6-not-first-round", "ART6", "0.00", {"first_round": False}, reasons=(("6 (2) 3", "first_round"),)),
    case(
        "ART6-manager-not-registered-with-amac",
        "ART6",
        "0.00",
        {"manager_registered_with_amac": False},
        reasons=(("6 (2) 1", "manager_registered_with_amac"),),
    ),
    case(
        "ART6-not-high-tech",
        "ART6",
        "0.00",
        {"high_tech_field": False},
        reasons=(("6 (2) 2", "high_tech_field"),),
    ),
    case(
        "ART6-no-core-technology",
        "ART6",
        "0.00",
        {"core_technology_or_ip": False},
        reasons=(("6 (2) 2", "core_technology_or_ip"),),
    ),
    case(
        "ART6-declared-facts-absent-ignored",
        "ART6",
        "1600000.00",
        {"manager_registered_with_amac": ABSENT, "high_tech_field": ABSENT, "core_technology_or_ip": ABSENT},
    ),
    case(
        "ART6-not-first-round-and-too-small-two-reasons",
        "ART6",
        "0.00",
        {"first_round": False, "investment_amount": "4000000"},
        reasons=(("6 (2) 3", "first_round"), ("6 (2) 3", "investment_amount")),
    ),
    case(
        "ART6-every-condition-failing",
        "ART6",
        "0.00",
        {
            "institution_registered_capital": "1000000",
            "manager_registered_with_amac": False,
            "investee_established_on": "2010-01-01",
            "high_tech_field": False,
            "core_technology_or_ip": False,
            "first_round": False,
            "investment_amount": "1000000",
            "equity_ratio_after_pct": "80",
        },
        reasons=(
            ("6 (2) 1", "institution_registered_capital"),
            ("6 (2) 1", "manager_registered_with_amac"),
            ("6 (2) 2", None),
            ("6 (2) 2", "high_tech_field"),
            ("6 (2) 2", "core_technology_or_ip"),
            ("6 (2) 3", "first_round"),
            ("6 (2) 3", "investment_amount"),
            ("6 (2) 3", "equity_ratio_after_pct"),
        ),
    ),
    case("ART6-subsidy-cap-exactly-2M", "ART6", "2000000.00", {"investment_amount": "10000000.00"}),
    case("ART6-subsidy-cap-2M-a-fen-above", "ART6", "2000000.00", {"investment_amount": "10000000.05"}),
    case("ART6-subsidy-cap-large-investment", "ART6", "2000000.00", {"investment_amount": "100000000"}),
    case(
        "ART6-annual-headroom-1.5M",
        "ART6",
        "1500000.00",
        {"investment_amount": "10000000"},
        {"awarded_this_year": "3500000.00"},
    ),
    case(
        "ART6-annual-headroom-above-formula",
        "ART6",
        "1600000.00",
        {"investment_amount": "8000000"},
        {"awarded_this_year": "3400000.00"},
    ),
    case(
        "ART6-annual-headroom-0.01",
        "ART6",
        "0.01",
        {"investment_amount": "8000000"},
        {"awarded_this_year": "4999999.99"},
    ),
    case(
        "ART6-annual-headroom-exhausted",
        "ART6",
        "0.00",
        {"investment_amount": "8000000"},
        {"awarded_this_year": "5000000"},
    ),
    case(
        "ART6-annual-headroom-overdrawn",
        "ART6",
        "0.00",
        {"investment_amount": "8000000"},
        {"awarded_this_year": "6000000"},
    ),
    # --- Art. 7: 40 % of the expenses, 1M per subsidy -------------------------------------------
    case("ART7-40pct-of-both-expenses", "ART7", "60000.00"),
    case("ART7-sum-of-fen-exact", "ART7", "0.12", {"transaction_expenses": "0.10", "intermediary_expenses": "0.20"}),
    case("ART7-rounds-down-to-fen", "ART7", "0.00", {"transaction_expenses": "0.01", "intermediary_expenses": "0.01"}),
    case("ART7-share-value-30M-inclusive", "ART7", "60000.00", {"transferred_share_value": "30000000.00"}),
    case(
        "ART7-share-value-29999999.99-below",
        "ART7",
        "0.00",
        {"transferred_share_value": "29999999.99"},
        reasons=(("7 (2) 2", "transferred_share_value"),),
    ),
    case(
        "ART7-transferor-individual-excluded",
        "ART7",
        "0.00",
        {"transferor_type": "individual"},
        reasons=(("7 (2) 2", "transferor_type"),),
    ),
    case(
        "ART7-transferor-government-fund-excluded",
        "ART7",
        "0.00",
        {"transferor_type": "government_fund"},
        reasons=(("7 (2) 2", "transferor_type"),),
    ),
    case(
        "ART7-transferor-not-registered-in-beijing",
        "ART7",
        "0.00",
        {"registered_in_beijing": False},
        reasons=(("7 (2) 2", "registered_in_beijing"),),
    ),
    case("ART7-registered-in-beijing-absent-ignored", "ART7", "60000.00", {"registered_in_beijing": ABSENT}),
    case(
        "ART7-individual-and-small-shares-two-reasons",
        "ART7",
        "0.00",
        {"transferor_type": "individual", "transferred_share_value": "1000000"},
        reasons=(("7 (2) 2", "transferor_type"), ("7 (2) 2", "transferred_share_value")),
    ),
    case(
        "ART7-subsidy-cap-exactly-1M",
        "ART7",
        "1000000.00",
        {"transaction_expenses": "2000000.00", "intermediary_expenses": "500000.00"},
    ),
    case(
        "ART7-subsidy-cap-1M",
        "ART7",
        "1000000.00",
        {"transaction_expenses": "2000000.00", "intermediary_expenses": "600000.00"},
    ),
    case("ART7-no-annual-cap", "ART7", "60000.00", history={"awarded_this_year": "50000000"}),
    # --- Art. 8: 50 % of the compensation, 10M per guarantee institution per year -----------------
    case("ART8-50pct-of-compensation", "ART8", "400000.00"),
    case("ART8-loan-1M-inclusive", "ART8", "400000.00", {"loan_amount": "1000000.00"}),
    case(
        "ART8-loan-999999.99-below",
        "ART8",
        "0.00",
        {"loan_amount": "999999.99"},
        reasons=(("8 (2) 2", "loan_amount"),),
    ),
    case(
        "ART8-counter-guarantee-excluded",
        "ART8",
        "0.00",
        {"counter_guarantee": True},
        reasons=(("8 (2) 2", "counter_guarantee"),),
    ),
    case("ART8-counter-guarantee-absent-defaults-false", "ART8", "400000.00", {"counter_guarantee": ABSENT}),
    case(
        "ART8-not-small-or-micro",
        "ART8",
        "0.00",
        {"enterprise_is_small_or_micro": False},
        reasons=(("8 (2) 1", "enterprise_is_small_or_micro"),),
    ),
    case(
        "ART8-counter-guarantee-and-small-loan-two-reasons",
        "ART8",
        "0.00",
        {"counter_guarantee": True, "loan_amount": "500000"},
        reasons=(("8 (2) 2", "loan_amount"), ("8 (2) 2", "counter_guarantee")),
    ),
    case("ART8-annual-cap-exactly-10M", "ART8", "10000000.00", {"compensation_amount": "20000000.00"}),
    case("ART8-annual-cap-10M", "ART8", "10000000.00", {"compensation_amount": "30000000.00"}),
    case(
        "ART8-annual-headroom-1M",
        "ART8",
        "1000000.00",
        {"compensation_amount": "30000000.00"},
        {"awarded_this_year": "9000000.00"},
    ),
    case(
        "ART8-annual-headroom-exhausted",
        "ART8",
        "0.00",
        {"compensation_amount": "30000000.00"},
        {"awarded_this_year": "10000000.00"},
    ),
    # --- Art. 9: 60 % of the premium, 500k per enterprise per year -------------------------------
    case("ART9-60pct-of-premium", "ART9", "60000.00"),
    case("ART9-rounds-down-to-fen", "ART9", "740.74", {"premium": "1234.57"}),
    case("ART9-revenue-200M-inclusive", "ART9", "60000.00", {"annual_revenue": "200000000.00"}),
    case(
        "ART9-revenue-200000000.01-above",
        "ART9",
        "0.00",
        {"annual_revenue": "200000000.01"},
        reasons=(("9 (2) 1", "annual_revenue"),),
    ),
    case("ART9-insured-20M-inclusive", "ART9", "60000.00", {"insured_or_loan_amount": "20000000.00"}),
    case(
        "ART9-insured-19999999.99-below",
        "ART9",
        "0.00",
        {"insured_or_loan_amount": "19999999.99"},
        reasons=(("9 (2) 3", "insured_or_loan_amount"),),
    ),
    case("ART9-not-high-tech", "ART9", "0.00", {"high_tech_field": False}, reasons=(("9 (2) 1", "high_tech_field"),)),
    case(
        "ART9-revenue-and-insured-two-reasons",
        "ART9",
        "0.00",
        {"annual_revenue": "300000000", "insured_or_loan_amount": "1000000"},
        reasons=(("9 (2) 1", "annual_revenue"), ("9 (2) 3", "insured_or_loan_amount")),
    ),
    case("ART9-annual-cap-500k", "ART9", "500000.00", {"premium": "1000000.00"}),
    case(
        "ART9-annual-headroom-50k",
        "ART9",
        "50000.00",
        {"premium": "1000000.00"},
        {"awarded_this_year": "450000.00"},
    ),
    case(
        "ART9-annual-headroom-exhausted",
        "ART9",
        "0.00",
        {"premium": "1000000.00"},
        {"awarded_this_year": "500000.00"},
    ),
    # --- Art. 10: 20 % of rental interest and fees, 500k per year, 3 support years ----------------
    case("ART10-20pct-of-interest-and-fees", "ART10", "64000.00"),
    case("ART10-revenue-200M-inclusive", "ART10", "64000.00", {"annual_revenue": "200000000.00"}),
    case(
        "ART10-revenue-200000000.01-above",
        "ART10",
        "0.00",
        {"annual_revenue": "200000000.01"},
        reasons=(("10 (2) 1", "annual_revenue"),),
    ),
    case("ART10-2-years-supported-eligible", "ART10", "64000.00", history={"years_supported": 2}),
    case(
        "ART10-3-years-supported-ineligible",
        "ART10",
        "0.00",
        history={"years_supported": 3},
        reasons=(("10 (3)", None),),
    ),
    case(
        "ART10-no-core-technology",
        "ART10",
        "0.00",
        {"core_technology_or_ip": False},
        reasons=(("10 (2) 1", "core_technology_or_ip"),),
    ),
    case(
        "ART10-revenue-and-years-two-reasons",
        "ART10",
        "0.00",
        {"annual_revenue": "250000000"},
        {"years_supported": 4},
        reasons=(("10 (2) 1", "annual_revenue"), ("10 (3)", None)),
    ),
    case("ART10-annual-cap-500k", "ART10", "500000.00", {"rental_interest": "2900000", "handling_fees": "100000"}),
    case(
        "ART10-annual-headroom-100k",
        "ART10",
        "100000.00",
        {"rental_interest": "2900000", "handling_fees": "100000"},
        {"awarded_this_year": "400000"},
    ),
    case(
        "ART10-annual-headroom-exhausted",
        "ART10",
        "0.00",
        {"rental_interest": "2900000", "handling_fees": "100000"},
        {"awarded_this_year": "600000"},
    ),
    # --- Art. 11 (3) 1: 40 % of the interest paid, 500k per year; rate within LPR x 1.4 -----------
    case("ART11A-40pct-of-interest", "ART11A", "80000.00"),
    case("ART11A-rate-exactly-lpr-times-1.4", "ART11A", "80000.00", {"loan_rate_pct": "4.83", "lpr_1y_pct": "3.45"}),
    case(
        "ART11A-rate-a-hair-above-lpr-times-1.4",
        "ART11A",
        "0.00",
        {"loan_rate_pct": "4.8301", "lpr_1y_pct": "3.45"},
        reasons=(("11 (2) 2", None),),
    ),
    case(
        "ART11A-rate-above-but-first-loan",
        "ART11A",
        "80000.00",
        {"loan_rate_pct": "4.8301", "lpr_1y_pct": "3.45", "first_ip_pledge_loan": True},
    ),
    case(
        "ART11A-rate-above-but-term-24-months",
        "ART11A",
        "80000.00",
        {"loan_rate_pct": "4.8301", "lpr_1y_pct": "3.45", "loan_term_months": 24},
    ),
    case(
        "ART11A-rate-above-and-term-23-months",
        "ART11A",
        "0.00",
        {"loan_rate_pct": "4.8301", "lpr_1y_pct": "3.45", "loan_term_months": 23},
        reasons=(("11 (2) 2", None),),
    ),
    case(
        "ART11A-first-loan-absent-defaults-false",
        "ART11A",
        "0.00",
        {"loan_rate_pct": "6", "lpr_1y_pct": "3.45", "first_ip_pledge_loan": ABSENT},
        reasons=(("11 (2) 2", None),),
    ),
    case(
        "ART11A-worked-example-5.2-over-lpr-3.45",
        "ART11A",
        "0.00",
        {"loan_rate_pct": "5.2", "lpr_1y_pct": "3.45", "first_ip_pledge_loan": False, "loan_term_months": 12},
        reasons=(("11 (2) 2", None),),
    ),
    case("ART11A-revenue-200M-inclusive", "ART11A", "80000.00", {"annual_revenue": "200000000.00"}),
    case(
        "ART11A-revenue-200000000.01-above",
        "ART11A",
        "0.00",
        {"annual_revenue": "200000000.01"},
        reasons=(("11 (2) 1", "annual_revenue"),),
    ),
    case(
        "ART11A-not-high-tech",
        "ART11A",
        "0.00",
        {"high_tech_field": False},
        reasons=(("11 (2) 1", "high_tech_field"),),
    ),
    case(
        "ART11A-revenue-and-rate-two-reasons",
        "ART11A",
        "0.00",
        {"annual_revenue": "200000000.01", "loan_rate_pct": "5.2"},
        reasons=(("11 (2) 1", "annual_revenue"), ("11 (2) 2", None)),
    ),
    case("ART11A-annual-cap-500k", "ART11A", "500000.00", {"interest_paid": "2000000"}),
    case(
        "ART11A-annual-headroom-0.01",
        "ART11A",
        "0.01",
        {"interest_paid": "2000000"},
        {"awarded_this_year": "499999.99"},
    ),
    case(
        "ART11A-annual-headroom-exhausted",
        "ART11A",
        "0.00",
        {"interest_paid": "2000000"},
        {"awarded_this_year": "500000"},
    ),
    # --- Art. 11 (3) 2: 50 % of the principal, 5M a year, 10M cumulative per borrower -------------
    case("ART11B-50pct-of-principal", "ART11B", "2000000.00"),
    case(
        "ART11B-npl-rate-equal-to-cap",
        "ART11B",
        "2000000.00",
        {"institution_npl_rate_pct": "3", "institution_npl_cap_pct": "3.00"},
    ),
    case(
        "ART11B-npl-rate-above-cap",
        "ART11B",
        "0.00",
        {"institution_npl_rate_pct": "3.01", "institution_npl_cap_pct": "3"},
        reasons=(("11 (2) 3", "institution_npl_rate_pct"),),
    ),
    case("ART11B-annual-cap-5M", "ART11B", "5000000.00", {"risk_bearing_principal": "12000000"}),
    case(
        "ART11B-annual-headroom-1M",
        "ART11B",
        "1000000.00",
        {"risk_bearing_principal": "12000000"},
        {"awarded_this_year": "4000000", "awarded_cumulative": "4000000"},
    ),
    case(
        "ART11B-cumulative-headroom-2M",
        "ART11B",
        "2000000.00",
        {"risk_bearing_principal": "12000000"},
        {"awarded_cumulative": "8000000"},
    ),
    case(
        "ART11B-annual-and-cumulative-headroom",
        "ART11B",
        "200000.00",
        {"risk_bearing_principal": "12000000"},
        {"awarded_this_year": "4500000", "awarded_cumulative": "9800000"},
    ),
    case(
        "ART11B-cumulative-headroom-exhausted",
        "ART11B",
        "0.00",
        {"risk_bearing_principal": "12000000"},
        {"awarded_cumulative": "10000000"},
    ),
    # --- Art. 12: the amount by market ----------------------------------------------------------
    case("ART12-neeq-basic-500k", "ART12", "500000.00", {"market": "neeq_basic"}),
    case("ART12-neeq-innovation-upgrade-500k", "ART12", "500000.00", {"market": "neeq_innovation_upgrade"}),
    case("ART12-neeq-innovation-direct-1M", "ART12", "1000000.00", {"market": "neeq_innovation_direct"}),
    case("ART12-beijing-equity-300k", "ART12", "300000.00", {"market": "beijing_equity"}),
    case(
        "ART12-no-approval-letter",
        "ART12",
        "0.00",
        {"approval_letter": False},
        reasons=(("12 (2) 2", "approval_letter"),),
    ),
    case(
        "ART12-not-high-tech",
        "ART12",
        "0.00",
        {"high_tech_field": False},
        reasons=(("12 (2) 1", "high_tech_field"),),
    ),
    case(
        "ART12-no-letter-no-core-technology-two-reasons",
        "ART12",
        "0.00",
        {"approval_letter": False, "core_technology_or_ip": False},
        reasons=(("12 (2) 1", "core_technology_or_ip"), ("12 (2) 2", "approval_letter")),
    ),
    case(
        "ART12-no-annual-cap", "ART12", "1000000.00", {"market": "neeq_innovation_direct"}, {"awarded_this_year": "9e6"}
    ),
    # --- Art. 13 (3) 1: 0.1 per mille of the financing, 5M per platform per year -------------------
    case("ART13A-0.1-per-mille", "ART13A", "1000000.00"),
    case("ART13A-rounds-down-to-fen", "ART13A", "12345.67", {"annual_financing_amount": "123456789.99"}),
    case("ART13A-annual-cap-exactly-5M", "ART13A", "5000000.00", {"annual_financing_amount": "50000000000.00"}),
    case("ART13A-annual-cap-5M", "ART13A", "5000000.00", {"annual_financing_amount": "60000000000.00"}),
    case(
        "ART13A-annual-headroom-500k",
        "ART13A",
        "500000.00",
        {"annual_financing_amount": "60000000000.00"},
        {"awarded_this_year": "4500000"},
    ),
    case(
        "ART13A-annual-headroom-exhausted",
        "ART13A",
        "0.00",
        {"annual_financing_amount": "60000000000.00"},
        {"awarded_this_year": "5000000"},
    ),
    case("ART13A-12-months-inclusive", "ART13A", "1000000.00", {"months_in_operation": 12}),
    case(
        "ART13A-11-months-below",
        "ART13A",
        "0.00",
        {"months_in_operation": 11},
        reasons=(("13 (2) 1", "months_in_operation"),),
    ),
    case(
        "ART13A-no-beijing-premises",
        "ART13A",
        "0.00",
        {"beijing_premises": False},
        reasons=(("13 (2) 1", "beijing_premises"),),
    ),
    case(
        "ART13A-months-and-premises-two-reasons",
        "ART13A",
        "0.00",
        {"months_in_operation": 6, "beijing_premises": False},
        reasons=(("13 (2) 1", "months_in_operation"), ("13 (2) 1", "beijing_premises")),
    ),
    # --- Art. 13 (3) 2: the amount requested, 2M per year ----------------------------------------
    case("ART13B-requested", "ART13B", "1500000.00"),
    case("ART13B-requested-rounds-down-to-fen", "ART13B", "1234.56", {"requested_amount": "1234.567"}),
    case("ART13B-requested-exactly-2M", "ART13B", "2000000.00", {"requested_amount": "2000000.00"}),
    case("ART13B-annual-cap-2M", "ART13B", "2000000.00", {"requested_amount": "2000000.01"}),
    case(
        "ART13B-annual-headroom-800k",
        "ART13B",
        "800000.00",
        {"requested_amount": "1500000"},
        {"awarded_this_year": "1200000"},
    ),
    case(
        "ART13B-annual-headroom-exhausted",
        "ART13B",
        "0.00",
        {"requested_amount": "1500000"},
        {"awarded_this_year": "2000000"},
    ),
    # --- Art. 14: 5 % of the transaction, 2M per project and 5M per enterprise per year ----------
    case("ART14-5pct-of-transaction", "ART14", "1000000.00"),
    case(
        "ART14-equity-exactly-50-not-control",
        "ART14",
        "0.00",
        {"equity_ratio_after_pct": "50"},
        reasons=(("14 (2) 3", "equity_ratio_after_pct"),),
    ),
    case("ART14-equity-50.01-control", "ART14", "1000000.00", {"equity_ratio_after_pct": "50.01"}),
    case("ART14-transaction-10M-inclusive", "ART14", "500000.00", {"transaction_amount": "10000000.00"}),
    case(
        "ART14-transaction-9999999.99-below",
        "ART14",
        "0.00",
        {"transaction_amount": "9999999.99"},
        reasons=(("14 (2) 3", "transaction_amount"),),
    ),
    case(
        "ART14-acquirer-not-listed",
        "ART14",
        "0.00",
        {"acquirer_listed": False},
        reasons=(("14 (2) 1", "acquirer_listed"),),
    ),
    case(
        "ART14-not-first-control",
        "ART14",
        "0.00",
        {"first_control": False},
        reasons=(("14 (2) 3", "first_control"),),
    ),
    case(
        "ART14-not-high-tech",
        "ART14",
        "0.00",
        {"high_tech_field": False},
        reasons=(("14 (2) 2", "high_tech_field"),),
    ),
    case(
        "ART14-equity-50-and-not-first-control-two-reasons",
        "ART14",
        "0.00",
        {"equity_ratio_after_pct": "50", "first_control": False},
        reasons=(("14 (2) 3", "first_control"), ("14 (2) 3", "equity_ratio_after_pct")),
    ),
    case("ART14-project-cap-exactly-2M", "ART14", "2000000.00", {"transaction_amount": "40000000.00"}),
    case("ART14-project-cap-2M", "ART14", "2000000.00", {"transaction_amount": "200000000"}),
    case(
        "ART14-project-headroom-500k",
        "ART14",
        "500000.00",
        {"transaction_amount": "50000000"},
        {"project_awarded_this_year": "1500000", "awarded_this_year": "1500000"},
    ),
    case(
        "ART14-enterprise-headroom-800k",
        "ART14",
        "800000.00",
        {"transaction_amount": "50000000"},
        {"awarded_this_year": "4200000"},
    ),
    case(
        "ART14-project-and-enterprise-headroom",
        "ART14",
        "200000.00",
        {"transaction_amount": "50000000"},
        {"project_awarded_this_year": "1500000", "awarded_this_year": "4800000"},
    ),
    case(
        "ART14-project-headroom-exhausted",
        "ART14",
        "0.00",
        {"transaction_amount": "50000000"},
        {"project_awarded_this_year": "2000000", "awarded_this_year": "2000000"},
    ),
    case(
        "ART14-enterprise-headroom-exhausted",
        "ART14",
        "0.00",
        {"transaction_amount": "50000000"},
        {"awarded_this_year": "5000000"},
    ),
]


@pytest.mark.parametrize(("code", "overrides", "history", "award", "reasons"), AWARD_CASES)
def test_assess_raw_award_and_reasons_follow_programmes_md(code, overrides, history, award, reasons):
    with translation.override("en"):
        assessment = assess_raw(code, facts(code, **overrides), history)
        data = assessment.as_json()

    assert str(assessment.award) == award
    assert assessment.award == Decimal(award)
    assert data["award"] == award
    assert assessment.eligible is (not reasons)
    assert data["eligible"] is (not reasons)
    assert sorted(reason.article for reason in assessment.reasons) == sorted(article for article, _ in reasons)
    given = {(reason.article, reason.fact) for reason in assessment.reasons}
    assert {(article, fact) for article, fact in reasons if fact} - given == set()
    assert len(data["reasons"]) == len(reasons)
    for reason, text in zip(assessment.reasons, data["reasons"], strict=True):
        assert text.startswith(f"Art. {reason.article}")


# --- breakdown -----------------------------------------------------------------------------------

BREAKDOWN_CASES = [
    pytest.param("ART5", {}, {}, [("grade", "5000000.00")], id="ART5-grade"),
    pytest.param(
        "ART5",
        {"annual_contribution": "1000"},
        {},
        [("below_grades", "0.00"), ("ineligible", "0.00")],
        id="ART5-below-grades-ineligible",
    ),
    pytest.param(
        "ART6",
        {"investment_amount": "8000000"},
        {},
        [("rate", "1600000.00"), ("cap", "1600000.00"), ("headroom", "1600000.00")],
        id="ART6-worked-example-8M",
    ),
    pytest.param(
        "ART6",
        {"investment_amount": "15000000"},
        {"awarded_this_year": "4000000"},
        [("rate", "3000000.00"), ("cap", "2000000.00"), ("headroom", "1000000.00")],
        id="ART6-worked-example-15M",
    ),
    pytest.param(
        "ART6",
        {"investment_amount": "15000000", "first_round": False},
        {},
        [("rate", "3000000.00"), ("cap", "2000000.00"), ("headroom", "2000000.00"), ("ineligible", "0.00")],
        id="ART6-ineligible",
    ),
    pytest.param(
        "ART7",
        {"transaction_expenses": "2000000", "intermediary_expenses": "600000"},
        {},
        [("rate", "1040000.00"), ("cap", "1000000.00")],
        id="ART7-subsidy-cap",
    ),
    pytest.param(
        "ART8",
        {"compensation_amount": "30000000"},
        {"awarded_this_year": "9000000"},
        [("rate", "15000000.00"), ("headroom", "1000000.00")],
        id="ART8-annual-headroom",
    ),
    pytest.param(
        "ART9", {"premium": "1000000"}, {}, [("rate", "600000.00"), ("headroom", "500000.00")], id="ART9-annual-cap"
    ),
    pytest.param("ART10", {}, {}, [("rate", "64000.00"), ("headroom", "64000.00")], id="ART10-within-cap"),
    pytest.param(
        "ART11A",
        {"interest_paid": "2000000"},
        {"awarded_this_year": "499999.99"},
        [("rate", "800000.00"), ("headroom", "0.01")],
        id="ART11A-annual-headroom",
    ),
    pytest.param(
        "ART11B",
        {"risk_bearing_principal": "12000000"},
        {"awarded_this_year": "4500000", "awarded_cumulative": "9800000"},
        [("rate", "6000000.00"), ("headroom", "500000.00"), ("headroom", "200000.00")],
        id="ART11B-annual-then-cumulative",
    ),
    pytest.param("ART12", {"market": "beijing_equity"}, {}, [("by_choice", "300000.00")], id="ART12-by-market"),
    pytest.param(
        "ART13A",
        {"annual_financing_amount": "123456789.99"},
        {},
        [("rate", "12345.67"), ("headroom", "12345.67")],
        id="ART13A-rounded-down",
    ),
    pytest.param(
        "ART13B",
        {"requested_amount": "2500000"},
        {"awarded_this_year": "1000000"},
        [("requested", "2500000.00"), ("headroom", "1000000.00")],
        id="ART13B-annual-headroom",
    ),
    pytest.param(
        "ART14",
        {"transaction_amount": "50000000"},
        {"project_awarded_this_year": "1500000", "awarded_this_year": "4800000"},
        [("rate", "2500000.00"), ("headroom", "500000.00"), ("headroom", "200000.00")],
        id="ART14-project-then-enterprise",
    ),
]


@pytest.mark.parametrize(("code", "overrides", "history", "steps"), BREAKDOWN_CASES)
def test_assess_raw_breakdown_has_formula_then_each_cap_in_order(code, overrides, history, steps):
    with translation.override("en"):
        assessment = assess_raw(code, facts(code, **overrides), history)
        data = assessment.as_json()

    assert [(step.code, str(step.amount)) for step in assessment.breakdown] == steps
    assert [(step["step"], step["amount"]) for step in data["breakdown"]] == steps
    assert assessment.formula_value == Decimal(steps[0][1])


def test_assess_raw_worked_example_art6_8m_as_json():
    with translation.override("en"):
        data = assess_raw("ART6", facts("ART6", investment_amount="8000000"), {}).as_json()

    assert data["programme"] == "ART6"
    assert data["eligible"] is True
    assert data["award"] == "1600000.00"
    assert data["reasons"] == []


def test_assess_raw_worked_example_art6_15m_caps_to_annual_headroom():
    assessment = assess_raw("ART6", facts("ART6", investment_amount="15000000"), {"awarded_this_year": "4000000"})

    assert assessment.formula_value == Decimal("3000000.00")
    assert [step.amount for step in assessment.breakdown] == [
        Decimal("3000000.00"),
        Decimal("2000000.00"),
        Decimal("1000000.00"),
    ]
    assert assessment.award == Decimal("1000000.00")


def test_assess_raw_worked_example_art5_500m_first_grade():
    assessment = assess_raw("ART5", facts("ART5", annual_contribution="500000000"), {})

    assert assessment.eligible is True
    assert assessment.award == Decimal("5000000.00")
    assert [step.code for step in assessment.breakdown] == ["grade"]


def test_assess_raw_worked_example_art11a_rate_above_lpr_ineligible():
    raw = facts("ART11A", loan_rate_pct="5.2", lpr_1y_pct="3.45", first_ip_pledge_loan=False, loan_term_months=12)

    with translation.override("en"):
        assessment = assess_raw("ART11A", raw, {})
        data = assessment.as_json()

    assert assessment.eligible is False
    assert assessment.award == Decimal("0.00")
    assert [reason.article for reason in assessment.reasons] == ["11 (2) 2"]
    assert len(data["reasons"]) == 1
    assert "Art. 11 (2) 2" in data["reasons"][0]
    assert "4.83" in data["reasons"][0]


# --- declared conditions named by the policy's articles ---------------------------------------------

POLICY_DECLARED_CASES = [
    pytest.param("ART5", "registered_in_beijing", "5 (2) 3", id="ART5-investor-registered-in-beijing"),
    pytest.param("ART6", "registered_in_beijing", "6 (2) 1", id="ART6-institution-registered-in-beijing"),
    pytest.param("ART6", "fund_filed_with_amac", "6 (2) 1", id="ART6-fund-filed-with-amac"),
    pytest.param("ART7", "fund_registered_in_beijing", "7 (2) 1", id="ART7-fund-registered-in-beijing"),
    pytest.param("ART8", "high_tech_field", "8 (2) 1", id="ART8-enterprise-high-tech"),
    pytest.param("ART8", "core_technology_or_ip", "8 (2) 1", id="ART8-enterprise-core-technology"),
    pytest.param("ART9", "core_technology_or_ip", "9 (2) 1", id="ART9-core-technology"),
    pytest.param("ART10", "high_tech_field", "10 (2) 1", id="ART10-high-tech"),
    pytest.param("ART11A", "core_technology_or_ip", "11 (2) 1", id="ART11A-core-technology"),
    pytest.param("ART12", "core_technology_or_ip", "12 (2) 1", id="ART12-core-technology"),
    pytest.param("ART14", "core_technology_or_ip", "14 (2) 2", id="ART14-core-technology"),
]


@pytest.mark.parametrize(("code", "fact", "article"), POLICY_DECLARED_CASES)
def test_assess_raw_declared_condition_false_is_ineligible_citing_its_article(code, fact, article):
    """docs/awards.md: a non-numeric condition of the article declared false makes the declaration
    ineligible with a reason."""
    with translation.override("en"):
        assessment = assess_raw(code, facts(code, **{fact: False}), {})
        texts = assessment.as_json()["reasons"]

    assert assessment.eligible is False
    assert assessment.award == Decimal("0.00")
    assert [(reason.article, reason.fact) for reason in assessment.reasons] == [(article, fact)]
    assert f"Art. {article}" in texts[0]


# --- invalid input -------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["ART15", "ART11", "art6", ""])
def test_assess_raw_unknown_programme_raises(code):
    with pytest.raises(ProgrammeUnknown):
        assess_raw(code, {}, {})


@pytest.mark.parametrize(
    ("code", "fact"),
    [
        pytest.param("ART5", "annual_contribution", id="ART5-annual_contribution"),
        pytest.param("ART6", "investment_amount", id="ART6-investment_amount"),
        pytest.param("ART6", "investee_established_on", id="ART6-investee_established_on"),
        pytest.param("ART6", "first_round", id="ART6-first_round"),
        pytest.param("ART7", "intermediary_expenses", id="ART7-intermediary_expenses"),
        pytest.param("ART7", "transferor_type", id="ART7-transferor_type"),
        pytest.param("ART8", "compensation_amount", id="ART8-compensation_amount"),
        pytest.param("ART9", "annual_revenue", id="ART9-annual_revenue"),
        pytest.param("ART10", "handling_fees", id="ART10-handling_fees"),
        pytest.param("ART11A", "lpr_1y_pct", id="ART11A-lpr_1y_pct"),
        pytest.param("ART11A", "loan_term_months", id="ART11A-loan_term_months"),
        pytest.param("ART11B", "institution_npl_cap_pct", id="ART11B-institution_npl_cap_pct"),
        pytest.param("ART12", "market", id="ART12-market"),
        pytest.param("ART13A", "months_in_operation", id="ART13A-months_in_operation"),
        pytest.param("ART13B", "requested_amount", id="ART13B-requested_amount"),
        pytest.param("ART14", "equity_ratio_after_pct", id="ART14-equity_ratio_after_pct"),
    ],
)
@pytest.mark.parametrize("missing", [ABSENT, None, ""], ids=["absent", "null", "blank"])
def test_assess_raw_missing_needed_fact_raises_naming_it(code, fact, missing):
    raw = facts(code, **{fact: missing})

    with pytest.raises(FactsInvalid) as raised:
        assess_raw(code, raw, {})

    assert list(raised.value.errors) == [fact]


@pytest.mark.parametrize(
    ("code", "fact", "value"),
    [
        pytest.param("ART6", "investment_amount", "abc", id="money-abc"),
        pytest.param("ART6", "investment_amount", "-0.01", id="money-negative"),
        pytest.param("ART9", "premium", -100, id="money-negative-number"),
        pytest.param("ART7", "transaction_expenses", True, id="money-boolean"),
        pytest.param("ART7", "transaction_expenses", "NaN", id="money-nan"),
        pytest.param("ART7", "transaction_expenses", "Infinity", id="money-infinity"),
        pytest.param("ART11A", "loan_rate_pct", "4.5%x", id="percent-garbage"),
        pytest.param("ART11B", "institution_npl_rate_pct", "-1", id="percent-negative"),
        pytest.param("ART12", "approval_letter", "yes", id="boolean-yes"),
        pytest.param("ART6", "first_round", 1, id="boolean-one"),
        pytest.param("ART8", "counter_guarantee", "no", id="optional-boolean-no"),
        pytest.param("ART6", "high_tech_field", "true", id="declared-boolean-string"),
        pytest.param("ART6", "investment_date", "2026-13-01", id="date-month-13"),
        pytest.param("ART6", "investee_established_on", "2023-02-30", id="date-february-30"),
        pytest.param("ART6", "investment_date", "30/06/2024", id="date-not-iso"),
        pytest.param("ART12", "market", "nasdaq", id="choice-unknown"),
        pytest.param("ART7", "transferor_type", "Institution", id="choice-label-case"),
        pytest.param("ART5", "investor_type", "pension", id="choice-unknown-not-needed"),
        pytest.param("ART13A", "months_in_operation", "twelve", id="integer-text"),
        pytest.param("ART13A", "months_in_operation", 12.5, id="integer-fraction"),
        pytest.param("ART11A", "loan_term_months", -1, id="integer-negative"),
    ],
)
def test_assess_raw_mangled_fact_raises_naming_it(code, fact, value):
    raw = facts(code, **{fact: value})

    with pytest.raises(FactsInvalid) as raised:
        assess_raw(code, raw, {})

    assert list(raised.value.errors) == [fact]


def test_assess_raw_reports_every_invalid_fact_at_once():
    raw = facts("ART6", investment_amount="abc", first_round="yes", investment_date=ABSENT)

    with pytest.raises(FactsInvalid) as raised:
        assess_raw("ART6", raw, {})

    assert set(raised.value.errors) == {"investment_amount", "first_round", "investment_date"}


@pytest.mark.parametrize(
    ("history", "key"),
    [
        pytest.param({"awarded_last_year": "1"}, "awarded_last_year", id="unknown-key"),
        pytest.param({"awarded_this_year": "-0.01"}, "awarded_this_year", id="negative-annual"),
        pytest.param({"awarded_cumulative": -5}, "awarded_cumulative", id="negative-cumulative"),
        pytest.param({"project_awarded_this_year": "-1"}, "project_awarded_this_year", id="negative-project"),
        pytest.param({"years_supported": -1}, "years_supported", id="negative-years"),
        pytest.param({"awarded_this_year": "abc"}, "awarded_this_year", id="non-numeric"),
        pytest.param({"years_supported": "two"}, "years_supported", id="non-numeric-years"),
    ],
)
def test_assess_raw_invalid_history_raises_naming_the_key(history, key):
    with pytest.raises(FactsInvalid) as raised:
        assess_raw("ART6", facts("ART6"), history)

    assert list(raised.value.errors) == [key]


def test_parse_history_missing_keys_are_zero():
    history = parse_history({"awarded_this_year": "1000.50"})

    assert history == History(
        awarded_this_year=Decimal("1000.50"),
        awarded_cumulative=Decimal("0.00"),
        project_awarded_this_year=Decimal("0.00"),
        years_supported=0,
    )


def test_assess_with_typed_facts_equals_assess_raw():
    raw = facts("ART14", transaction_amount="50000000")
    history = {"project_awarded_this_year": "1500000", "awarded_this_year": "4800000"}

    typed = assess(
        "ART14",
        parse_facts("ART14", raw),
        History(
            awarded_this_year=Decimal("4800000"),
            awarded_cumulative=Decimal("0"),
            project_awarded_this_year=Decimal("1500000"),
            years_supported=0,
        ),
    )

    assert typed == assess_raw("ART14", raw, history)
    assert typed.award == Decimal("200000.00")


# --- stored records ------------------------------------------------------------------------------

RECORD_CASES = [
    pytest.param("ART6", {"investment_amount": "15000000"}, {"awarded_this_year": "4000000"}, id="ART6-capped"),
    pytest.param("ART6", {"first_round": False, "investee_established_on": "2001-01-01"}, {}, id="ART6-ineligible"),
    pytest.param("ART5", {}, {"years_supported": 3}, id="ART5-years-supported"),
    pytest.param("ART7", {"transferor_type": "individual"}, {}, id="ART7-excluded-choice"),
    pytest.param("ART11A", {"loan_rate_pct": "5.2"}, {}, id="ART11A-none-of-alternatives"),
    pytest.param("ART11B", {"risk_bearing_principal": "12000000"}, {"awarded_cumulative": "9000000"}, id="ART11B"),
    pytest.param("ART12", {"market": "neeq_innovation_direct"}, {}, id="ART12-by-choice"),
    pytest.param("ART13B", {"requested_amount": "3000000"}, {}, id="ART13B-requested"),
    pytest.param("ART14", {"equity_ratio_after_pct": "50"}, {}, id="ART14-ineligible"),
]


@pytest.mark.parametrize(("code", "overrides", "history"), RECORD_CASES)
def test_assessment_from_record_reproduces_assessment_and_json(code, overrides, history):
    with translation.override("en"):
        assessment = assess_raw(code, facts(code, **overrides), history)

        restored = Assessment.from_record(json.loads(json.dumps(assessment.record())))

        assert restored == assessment
        assert restored.as_json() == assessment.as_json()


def test_assess_accepts_an_establishment_date_near_the_end_of_the_calendar():
    facts = {**VALID_FACTS["ART6"], "investee_established_on": "9998-01-01"}

    assert assess_raw("ART6", facts).award == Decimal("1600000.00")
