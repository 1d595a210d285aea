"""The evidence each programme's declaration must carry, and what an uploaded file may be.

Like programmes.py, this is data: the attachments step lists it, submission checks it complete,
and staff read the same names at acceptance.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Evidence:
    code: str
    label: str
    help_text: str = ""
    required: bool = True


_licence = Evidence(
    "business_licence",
    _("Business licence of the declaring unit"),
    _("Art. 4: shows the unit is registered in the Zhongguancun Demonstration Zone or elsewhere in Beijing."),
)
_fund_filing = Evidence(
    "fund_filing_certificate",
    _("Fund's filing certificate"),
    _("The private fund filing certificate of the Asset Management Association of China."),
)
_manager_registration = Evidence(
    "manager_registration",
    _("Manager's registration with the Asset Management Association of China"),
)
_investment_agreement = Evidence("investment_agreement", _("Investment agreement"))
_payment_proof = Evidence(
    "payment_proof",
    _("Payment proof"),
    _("Bank receipts or statements showing the amount was actually paid."),
)
_high_tech_proof = Evidence(
    "high_tech_proof",
    _("Proof of the high-tech field and of core technology or own IP"),
    _("For example the high-tech enterprise certificate, patent certificates or software copyrights."),
)
_financial_statements = Evidence(
    "financial_statements",
    _("Audited financial statements of the last fiscal year"),
    _("They show the annual operating income the thresholds read."),
)
_loan_contract = Evidence("loan_contract", _("Loan contract"))
_interest_proof = Evidence("interest_payment_proof", _("Proof of the interest paid"))
_other = Evidence(
    "other",
    _("Other supporting material"),
    _("Anything else that supports the declaration; optional."),
    required=False,
)

EVIDENCE = {
    "ART5": (
        _licence,
        Evidence("fund_agreement", _("Fund partnership agreement or articles of association")),
        _fund_filing,
        Evidence("contribution_proof", _("Proof of the actual annual contribution"), _("Art. 5 (2) 3.")),
        _other,
    ),
    "ART6": (
        _licence,
        _manager_registration,
        _fund_filing,
        _investment_agreement,
        _payment_proof,
        Evidence(
            "investee_business_licence",
            _("Business licence of the invested enterprise"),
            _("Art. 6 (2) 2: shows it was established no more than 5 years before the investment."),
        ),
        _high_tech_proof,
        _other,
    ),
    "ART7": (
        _licence,
        _fund_filing,
        Evidence("transfer_agreement", _("Fund-share transfer agreement")),
        Evidence(
            "transaction_registration",
            _("Proof of the transaction at the Beijing Equity Exchange Center"),
            _("Art. 7 (2) 2: the share transfer was made through the regional equity market."),
        ),
        Evidence("expense_invoices", _("Invoices of the transaction and intermediary expenses"), _("Art. 7 (2) 3.")),
        _other,
    ),
    "ART8": (
        _licence,
        Evidence("guarantee_contract", _("Guarantee contract")),
        _loan_contract,
        Evidence("compensation_proof", _("Proof of the compensation paid"), _("Art. 8 (3).")),
        _high_tech_proof,
        _other,
    ),
    "ART9": (
        _licence,
        Evidence("insurance_policy", _("Insurance policy")),
        Evidence("premium_invoice", _("Premium invoice and payment proof"), _("Art. 9 (3).")),
        _financial_statements,
        _other,
    ),
    "ART10": (
        _licence,
        Evidence("lease_contract", _("Financial leasing contract")),
        Evidence("rental_interest_proof", _("Proof of the rental interest and handling fees paid"), _("Art. 10 (3).")),
        _financial_statements,
        _other,
    ),
    "ART11A": (
        _licence,
        Evidence("pledge_loan_contract", _("IP pledge loan contract")),
        Evidence("pledge_registration", _("IP pledge registration certificate")),
        _interest_proof,
        _financial_statements,
        _other,
    ),
    "ART11B": (
        _licence,
        Evidence("pledge_loan_contract", _("IP pledge loan contract")),
        Evidence("loss_proof", _("Proof of the principal loss borne"), _("Art. 11 (3) 2.")),
        Evidence("npl_statement", _("Statement of the institution's IP pledge non-performing rate")),
        _other,
    ),
    "ART12": (
        _licence,
        Evidence(
            "listing_approval_letter",
            _("Listing approval letter"),
            _("Art. 12 (2) 2: the approval of listing on the New Third Board or the Beijing Equity Exchange Center."),
        ),
        Evidence("intermediary_contracts", _("Contracts and invoices of the listing intermediaries")),
        _other,
    ),
    "ART13A": (
        _licence,
        Evidence("platform_financing_report", _("Report of the financing achieved through the platform")),
        Evidence("premises_proof", _("Proof of the fixed business premises in Beijing"), _("Art. 13 (2) 1.")),
        _other,
    ),
    "ART13B": (
        _licence,
        Evidence("service_report", _("Report on the compliance services and their effect"), _("Art. 13 (1) 2.")),
        _other,
    ),
    "ART14": (
        _licence,
        Evidence("acquisition_agreement", _("Acquisition agreement")),
        Evidence("listing_proof", _("Proof that the acquirer is listed"), _("Art. 14 (2) 1.")),
        Evidence("control_change_registration", _("Registration of the change of control"), _("Art. 14 (2) 3.")),
        _payment_proof,
        _other,
    ),
}


def evidence_for(programme_code):
    return EVIDENCE[programme_code]


def evidence_label(programme_code, code):
    return next((e.label for e in EVIDENCE[programme_code] if e.code == code), code)


# What an attachment may be, judged by the file's content: the detected MIME type and the
# extension the stored file gets.
ACCEPTED_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
