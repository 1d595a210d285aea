"""`manage.py quote_award`: JSON cases in, JSON results out, in order, one bad case never stops the others."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[2]

ART6 = {
    "institution_registered_capital": "50000000",
    "investee_established_on": "2023-05-10",
    "investment_date": "2026-03-01",
    "investment_amount": "8000000",
    "equity_ratio_after_pct": 12.5,
    "first_round": True,
}


@pytest.fixture
def stdin(monkeypatch):
    def feed(text):
        monkeypatch.setattr(sys, "stdin", StringIO(text))

    return feed


def test_quote_award_computes_the_worked_examples_in_order(stdin):
    stdin(
        json.dumps(
            [
                {"programme": "ART6", "facts": ART6, "history": {}},
                {
                    "programme": "ART6",
                    "facts": {**ART6, "investment_amount": "15000000"},
                    "history": {"awarded_this_year": "4000000"},
                },
                {"programme": "ART5", "facts": {"annual_contribution": 500000000}},
            ]
        )
    )
    out = StringIO()

    call_command("quote_award", stdout=out)

    results = json.loads(out.getvalue())
    assert [(r["programme"], r["eligible"], r["award"]) for r in results] == [
        ("ART6", True, "1600000.00"),
        ("ART6", True, "1000000.00"),
        ("ART5", True, "5000000.00"),
    ]
    assert [step["amount"] for step in results[1]["breakdown"]] == ["3000000.00", "2000000.00", "1000000.00"]
    assert results[1]["breakdown"][2] == {
        "step": "headroom",
        "label": "Cap per investment institution per support year: 5,000,000.00 less 4,000,000.00 already "
        "decided leaves 1,000,000.00, allows 1,000,000.00",
        "amount": "1000000.00",
        "cap": "5000000.00",
        "already": "4000000.00",
        "limit": "1000000.00",
    }


def test_quote_award_gives_reasons_citing_the_article_for_an_ineligible_case(stdin):
    facts = {
        "annual_revenue": "50000000",
        "interest_paid": "100000",
        "loan_rate_pct": 5.2,
        "lpr_1y_pct": 3.45,
        "first_ip_pledge_loan": False,
        "loan_term_months": 12,
    }
    stdin(json.dumps([{"programme": "ART11A", "facts": facts}]))
    out = StringIO()

    call_command("quote_award", stdout=out)

    [result] = json.loads(out.getvalue())
    assert result["eligible"] is False
    assert result["award"] == "0.00"
    assert len(result["reasons"]) == 1
    assert result["reasons"][0].startswith("Art. 11 (2) 2: ")
    assert "4.83%" in result["reasons"][0]


def test_quote_award_answers_a_bad_case_with_an_error_and_still_computes_the_others(stdin):
    stdin(
        json.dumps(
            [
                {"programme": "ART99", "facts": {}},
                {"programme": "ART6", "facts": {**ART6, "investment_amount": "lots"}},
                {"programme": "ART6", "facts": {key: value for key, value in ART6.items() if key != "first_round"}},
                {"programme": "ART6", "facts": ART6, "history": {"awarded_this_yaer": "1"}},
                "not a case",
                {"programme": "ART12", "facts": {"market": "beijing_equity", "approval_letter": True}},
            ]
        )
    )
    out = StringIO()

    call_command("quote_award", stdout=out)

    results = json.loads(out.getvalue())
    assert len(results) == 6
    assert "ART99" in results[0]["error"]
    assert results[1]["error"].startswith("investment_amount: ")
    assert results[2]["error"].startswith("first_round: ")
    assert "awarded_this_yaer" in results[3]["error"]
    assert "error" in results[4]
    assert results[5]["award"] == "300000.00"


def test_quote_award_reads_decimals_without_losing_a_fen_to_floating_point(stdin):
    # 0.1 + 0.2 is 0.30000000000000004 in binary floating point; 40% of it must be exactly 0.12.
    stdin(
        '[{"programme": "ART7", "facts": {"transferor_type": "institution", "transferred_share_value": 30000000,'
        ' "transaction_expenses": 0.1, "intermediary_expenses": 0.2}}]'
    )
    out = StringIO()

    call_command("quote_award", stdout=out)

    assert json.loads(out.getvalue())[0]["award"] == "0.12"


def test_quote_award_reads_the_file_given_as_argument(tmp_path):
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps([{"programme": "ART6", "facts": ART6}]), encoding="utf-8")
    out = StringIO()

    call_command("quote_award", str(cases), stdout=out)

    assert json.loads(out.getvalue())[0]["award"] == "1600000.00"


def test_quote_award_refuses_input_that_is_not_json(stdin):
    stdin("programme: ART6")

    with pytest.raises(CommandError) as refusal:
        call_command("quote_award", stdout=StringIO())

    assert refusal.value.returncode == 2
    assert "not JSON" in str(refusal.value)


def test_quote_award_exits_2_with_a_message_from_the_shell():
    result = subprocess.run(
        [sys.executable, "manage.py", "quote_award"],
        input="{not json",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )

    assert result.returncode == 2
    assert "not JSON" in result.stderr
    assert result.stdout == ""


def test_quote_award_writes_valid_json_to_a_terminal_that_takes_only_ascii():
    result = subprocess.run(
        [sys.executable, "manage.py", "quote_award", "--language", "zh-hans"],
        input=json.dumps([{"programme": "ART12", "facts": {"market": "beijing_equity", "approval_letter": True}}]),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={**os.environ, "PYTHONIOENCODING": "ascii"},
    )

    assert result.returncode == 0
    [quoted] = json.loads(result.stdout)
    assert quoted["award"] == "300000.00"
    assert quoted["breakdown"][0]["label"] == "挂牌市场及层级“北京股权交易中心”：300,000.00"
