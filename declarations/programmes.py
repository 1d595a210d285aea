"""The facts each programme's declaration records, named as in docs/awards.md.

This is data: the declaration form is built from it, and the award engine reads the same names.
Conditions that are not numbers (registered in Beijing, high-tech field, filings...) are facts too:
the applicant declares them, attachments evidence them and staff confirm them at acceptance.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _


class Kind:
    MONEY = "money"
    PERCENT = "percent"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    DATE = "date"
    CHOICE = "choice"
    TEXT = "text"


@dataclass(frozen=True)
class Fact:
    name: str
    kind: str
    label: str
    help_text: str = ""
    choices: tuple = ()
    required: bool = True
    min_value: Decimal | None = None
    max_value: Decimal | None = None


@dataclass(frozen=True)
class ProgrammeSpec:
    code: str
    facts: tuple[Fact, ...] = field(default_factory=tuple)

    def fact(self, name):
        return next(f for f in self.facts if f.name == name)


HUNDRED = Decimal("100")

_in_beijing = Fact(
    "registered_in_beijing",
    Kind.BOOLEAN,
    _("Registered in Beijing"),
    _("Art. 4: the support objects are registered in the Zhongguancun Demonstration Zone or elsewhere in Beijing."),
)
_high_tech = Fact(
    "high_tech_field",
    Kind.BOOLEAN,
    _("In the Zhongguancun high-tech industries"),
    _("The enterprise conforms to the high-tech industries of the Zhongguancun Demonstration Zone."),
)
_core_tech = Fact(
    "core_technology_or_ip",
    Kind.BOOLEAN,
    _("Has core technology or own intellectual property"),
    _("The enterprise has core technologies or independent intellectual property rights."),
)
_annual_revenue = Fact(
    "annual_revenue",
    Kind.MONEY,
    _("Annual operating income (yuan)"),
    _("Operating income of the last fiscal year when the business occurred; at most 200 million yuan (inclusive)."),
)

PROGRAMMES = {
    "ART5": ProgrammeSpec(
        "ART5",
        (
            Fact(
                "investor_type",
                Kind.CHOICE,
                _("Investor"),
                _(
                    "Art. 5: long-term capital such as social security "
                    "funds, insurance funds and bank wealth-management funds."
                ),
                choices=(
                    ("social_security", _("Social security fund")),
                    ("insurance", _("Insurance fund")),
                    ("bank_wealth_management", _("Bank wealth-management fund")),
                ),
            ),
            Fact(
                "fund_name",
                Kind.TEXT,
                _("Fund invested in"),
                _("Subsidies to the funders of the same fund shall not exceed 3 years."),
            ),
            Fact(
                "fund_type",
                Kind.CHOICE,
                _("Fund type"),
                _(
                    "Art. 5 (2) 1: a venture capital fund, a private equity "
                    "secondary market fund (S fund) or an M&A fund."
                ),
                choices=(
                    ("venture_capital", _("Venture capital fund")),
                    ("s_fund", _("Private equity secondary market fund (S fund)")),
                    ("mna", _("M&A fund")),
                ),
            ),
            Fact(
                "annual_contribution",
                Kind.MONEY,
                _("Actual annual contribution to the fund (yuan)"),
                _("Art. 5 (2) 3: more than 300 million yuan (inclusive)."),
            ),
            Fact(
                "fund_registered_in_beijing", Kind.BOOLEAN, _("The fund is registered in Beijing"), _("Art. 5 (2) 1.")
            ),
            Fact(
                "registered_in_beijing",
                Kind.BOOLEAN,
                _("The investor is registered in Beijing"),
                _("Art. 5 (2) 3: social security, insurance and bank wealth-management funds registered in Beijing."),
            ),
            Fact(
                "fund_filed_with_amac",
                Kind.BOOLEAN,
                _("The fund is filed with the Asset Management Association of China"),
                _("Art. 5 (2) 1."),
            ),
        ),
    ),
    "ART6": ProgrammeSpec(
        "ART6",
        (
            Fact(
                "institution_registered_capital",
                Kind.MONEY,
                _("Registered capital of the investment institution (yuan)"),
                _("Art. 6 (2) 1: more than 10 million yuan (inclusive)."),
            ),
            Fact(
                "registered_in_beijing",
                Kind.BOOLEAN,
                _("The investment institution is registered in Beijing"),
                _("Art. 6 (2) 1."),
            ),
            Fact(
                "manager_registered_with_amac",
                Kind.BOOLEAN,
                _("Registered as a private fund manager with the Asset Management Association of China"),
                _("Art. 6 (2) 1."),
            ),
            Fact(
                "fund_filed_with_amac",
                Kind.BOOLEAN,
                _("The fund is filed with the Asset Management Association of China"),
                _("Art. 6 (2) 1."),
            ),
            Fact("investee_name", Kind.TEXT, _("Invested enterprise")),
            Fact(
                "investee_established_on",
                Kind.DATE,
                _("Invested enterprise established on"),
                _("Art. 6 (2) 2: established for no more than 5 years."),
            ),
            Fact("investment_date", Kind.DATE, _("Date of the investment")),
            Fact(
                "investment_amount",
                Kind.MONEY,
                _("Actual investment amount (yuan)"),
                _("Art. 6 (2) 3: a single investment of more than 5 million yuan (inclusive)."),
            ),
            Fact(
                "equity_ratio_after_pct",
                Kind.PERCENT,
                _("Equity ratio after the investment (%)"),
                _("Art. 6 (2) 3: shall not exceed 50%."),
                max_value=HUNDRED,
            ),
            Fact("first_round", Kind.BOOLEAN, _("First round of investment"), _("Art. 6 (2) 3.")),
            _high_tech,
            _core_tech,
        ),
    ),
    "ART7": ProgrammeSpec(
        "ART7",
        (
            Fact("fund_name", Kind.TEXT, _("Private equity investment fund")),
            Fact(
                "fund_registered_in_beijing",
                Kind.BOOLEAN,
                _("The fund is registered in Beijing"),
                _("Art. 7 (2) 1: registered in Beijing, focused on the Zhongguancun high-tech industries."),
            ),
            Fact(
                "transferor_type",
                Kind.CHOICE,
                _("Transferor"),
                _(
                    "Art. 7 (2) 2: individuals and government "
                    "investment fund holding or management institutions are excluded."
                ),
                choices=(
                    ("institution", _("Institution")),
                    ("individual", _("Individual")),
                    ("government_fund", _("Government investment fund holder or manager")),
                ),
            ),
            Fact(
                "transferred_share_value",
                Kind.MONEY,
                _("Evaluated value of the transferred fund shares (yuan)"),
                _("Art. 7 (2) 2: above 30 million yuan (inclusive)."),
            ),
            Fact("transaction_expenses", Kind.MONEY, _("Transaction expenses (yuan)"), _("Art. 7 (2) 3.")),
            Fact(
                "intermediary_expenses",
                Kind.MONEY,
                _("Intermediary service agency expenses (yuan)"),
                _("Art. 7 (2) 3."),
            ),
            _in_beijing,
        ),
    ),
    "ART8": ProgrammeSpec(
        "ART8",
        (
            Fact("enterprise_name", Kind.TEXT, _("Enterprise served")),
            Fact(
                "enterprise_is_small_or_micro",
                Kind.BOOLEAN,
                _("The enterprise is small or micro"),
                _("Art. 8 (2) 1: by the criteria of MIIT No.300 [2011]."),
            ),
            Fact(
                "loan_amount",
                Kind.MONEY,
                _("First credit guarantee loan amount (yuan)"),
                _("Art. 8 (2) 2: more than 1 million yuan (inclusive)."),
            ),
            Fact(
                "counter_guarantee",
                Kind.BOOLEAN,
                _("Counter-guarantee measures were required"),
                _("Art. 8 (2) 2: the first credit guarantee loan is without any counter-guarantee measures."),
                required=False,
            ),
            Fact("compensation_amount", Kind.MONEY, _("Compensation amount paid (yuan)"), _("Art. 8 (3).")),
            _high_tech,
            _core_tech,
        ),
    ),
    "ART9": ProgrammeSpec(
        "ART9",
        (
            _annual_revenue,
            Fact(
                "insurance_product",
                Kind.TEXT,
                _("Technology insurance product"),
                _("Art. 9 (2) 2: approved or filed by the insurance regulator, listed in the call."),
            ),
            Fact(
                "insured_or_loan_amount",
                Kind.MONEY,
                _("Loan or insured amount (yuan)"),
                _("Art. 9 (2) 3: more than 20 million yuan (inclusive)."),
            ),
            Fact(
                "premium",
                Kind.MONEY,
                _("Actual premium (yuan)"),
                # xgettext:no-python-format
                _("Art. 9 (3): 60% of the actual premium."),
            ),
            _high_tech,
            _core_tech,
        ),
    ),
    "ART10": ProgrammeSpec(
        "ART10",
        (
            _annual_revenue,
            Fact(
                "lease_contract",
                Kind.TEXT,
                _("Financial leasing contract number"),
                _("The subsidy for the same financial leasing business shall not exceed 3 years."),
            ),
            Fact("rental_interest", Kind.MONEY, _("Rental interest (yuan)"), _("Art. 10 (3).")),
            Fact("handling_fees", Kind.MONEY, _("Handling fees (yuan)"), _("Art. 10 (3).")),
            _high_tech,
            _core_tech,
        ),
    ),
    "ART11A": ProgrammeSpec(
        "ART11A",
        (
            _annual_revenue,
            Fact("interest_paid", Kind.MONEY, _("Actual loan interest paid (yuan)"), _("Art. 11 (3) 1.")),
            Fact(
                "first_ip_pledge_loan",
                Kind.BOOLEAN,
                _("First intellectual property pledge loan"),
                _("Art. 11 (2) 2: no limit on the floating rate for a first loan."),
                required=False,
            ),
            Fact(
                "loan_term_months",
                Kind.INTEGER,
                _("Loan term (months)"),
                _("Art. 11 (2) 2: no limit on the floating rate for a loan of two years or more."),
            ),
            Fact(
                "loan_rate_pct",
                Kind.PERCENT,
                _("Loan interest rate (%)"),
                _("Art. 11 (2) 2: no more than 40% above the one-year LPR of the same period."),
            ),
            Fact("lpr_1y_pct", Kind.PERCENT, _("One-year loan prime rate of the same period (%)")),
            _high_tech,
            _core_tech,
        ),
    ),
    "ART11B": ProgrammeSpec(
        "ART11B",
        (
            Fact("borrower_name", Kind.TEXT, _("Borrowing enterprise")),
            Fact(
                "borrower_credit_code",
                Kind.TEXT,
                _("Borrowing enterprise's unified social credit code"),
                _("Risk compensation is capped per borrowing enterprise."),
            ),
            Fact(
                "risk_bearing_principal",
                Kind.MONEY,
                _("Risk-bearing part of the non-performing principal (yuan)"),
                # xgettext:no-python-format
                _("Art. 11 (3) 2: no more than 50% of the risk-bearing part of the principal."),
            ),
            Fact("institution_npl_rate_pct", Kind.PERCENT, _("Institution's IP pledge non-performing rate (%)")),
            Fact(
                "institution_npl_cap_pct",
                Kind.PERCENT,
                _("Institution's own upper limit of the non-performing rate (%)"),
                _("Art. 11 (2) 3: above it, risk compensation is suspended."),
            ),
        ),
    ),
    "ART12": ProgrammeSpec(
        "ART12",
        (
            Fact(
                "market",
                Kind.CHOICE,
                _("Market and layer"),
                _("Art. 12 (3)."),
                choices=(
                    ("neeq_basic", _("New Third Board, basic layer")),
                    ("neeq_innovation_upgrade", _("New Third Board, innovation layer after adjustment")),
                    ("neeq_innovation_direct", _("New Third Board, innovation layer directly")),
                    ("beijing_equity", _("Beijing Equity Exchange Center")),
                ),
            ),
            Fact("approval_letter", Kind.BOOLEAN, _("Listing approval letter obtained"), _("Art. 12 (2) 2.")),
            _high_tech,
            _core_tech,
        ),
    ),
    "ART13A": ProgrammeSpec(
        "ART13A",
        (
            Fact(
                "annual_financing_amount",
                Kind.MONEY,
                _("Annual listing, financing and bond issuance of the enterprises served (yuan)"),
                _("Art. 13 (3) 1: 0.1 per mille of the actual amount."),
            ),
            Fact(
                "months_in_operation",
                Kind.INTEGER,
                _("Months in continuous operation"),
                _("Art. 13 (2) 1: in continuous operation for one year."),
            ),
            Fact("beijing_premises", Kind.BOOLEAN, _("Fixed business premises in Beijing"), _("Art. 13 (2) 1.")),
        ),
    ),
    "ART13B": ProgrammeSpec(
        "ART13B",
        (
            Fact(
                "requested_amount",
                Kind.MONEY,
                _("Requested support (yuan)"),
                _("Art. 13 (3) 2: by the comprehensive service effect, no more than 2 million yuan a year."),
            ),
            Fact("service_effect", Kind.TEXT, _("Comprehensive service effect"), _("Art. 13 (1) 2.")),
        ),
    ),
    "ART14": ProgrammeSpec(
        "ART14",
        (
            Fact("target_name", Kind.TEXT, _("Acquired enterprise")),
            Fact(
                "acquirer_listed",
                Kind.BOOLEAN,
                _("The acquirer is listed"),
                _("Art. 14 (2) 1: at home or abroad, or on the New Third Board."),
            ),
            Fact(
                "equity_ratio_after_pct",
                Kind.PERCENT,
                _("Equity ratio after the acquisition (%)"),
                _("Art. 14 (2) 3: exceeds 50%."),
                max_value=HUNDRED,
            ),
            Fact("first_control", Kind.BOOLEAN, _("Absolute control obtained for the first time"), _("Art. 14 (2) 3.")),
            Fact(
                "transaction_amount",
                Kind.MONEY,
                _("M&A transaction amount (yuan)"),
                _("Art. 14 (2) 3: above 10 million yuan (inclusive)."),
            ),
            _high_tech,
            _core_tech,
        ),
    ),
}
