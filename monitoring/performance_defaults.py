"""The indicators each programme's performance plan usually has (Art. 18): staff start from these
and adjust them, baseline and target per project. Data, like declarations/programmes.py."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

WAN_YUAN = _("10,000 yuan")
PERCENT = "%"
COUNT = _("enterprises")

# The labels a target row stores by key (the message "monitoring.indicator.name" / ".unit"), so a
# default indicator reads in the reader's language; keys are stored: never rename one.
INDICATOR_NAMES = {
    "zgc_investment": _("Investment in Zhongguancun technology enterprises"),
    "enterprises_invested_in": _("Technology enterprises invested in"),
    "follow_on_financing": _("Follow-on financing raised by the invested enterprises"),
    "invested_revenue_growth": _("Revenue growth of the invested enterprises"),
    "fund_shares_transferred": _("Fund shares transferred through the regional equity market"),
    "capital_reinvested": _("Capital re-invested in technology enterprises"),
    "first_guarantee_loans": _("First credit guarantee loans granted to technology enterprises"),
    "first_loan_enterprises": _("Enterprises obtaining their first loan"),
    "insured_loans": _("Loans obtained through the insured products"),
    "rd_spending_covered": _("Research and development spending covered"),
    "leasing_financing": _("Financial leasing financing obtained"),
    "revenue_growth": _("Revenue growth"),
    "ip_pledge_loans_obtained": _("IP pledge loans obtained"),
    "patents": _("Patents granted or licensed"),
    "ip_pledge_loans_granted": _("IP pledge loans granted to technology enterprises"),
    "ip_pledge_npl_rate": _("IP pledge non-performing rate"),
    "post_listing_financing": _("Financing raised after listing"),
    "platform_financing": _("Financing achieved through the platform"),
    "enterprises_served": _("Enterprises served"),
    "compliance_services": _("Enterprises given compliance services"),
    "listed_after_services": _("Enterprises listed or admitted after the services"),
    "acquired_revenue": _("Revenue of the acquired enterprise"),
    "rd_staff_in_beijing": _("Research and development staff kept in Beijing"),
}
INDICATOR_UNITS = {
    "wan_yuan": WAN_YUAN,
    "enterprises": COUNT,
    "items": _("items"),
    "persons": _("persons"),
}


@dataclass(frozen=True)
class DefaultIndicator:
    name: str
    unit: str


DEFAULT_INDICATORS = {
    "ART5": (
        DefaultIndicator(INDICATOR_NAMES["zgc_investment"], WAN_YUAN),
        DefaultIndicator(INDICATOR_NAMES["enterprises_invested_in"], COUNT),
    ),
    "ART6": (
        DefaultIndicator(INDICATOR_NAMES["follow_on_financing"], WAN_YUAN),
        DefaultIndicator(INDICATOR_NAMES["invested_revenue_growth"], PERCENT),
    ),
    "ART7": (
        DefaultIndicator(INDICATOR_NAMES["fund_shares_transferred"], WAN_YUAN),
        DefaultIndicator(INDICATOR_NAMES["capital_reinvested"], WAN_YUAN),
    ),
    "ART8": (
        DefaultIndicator(INDICATOR_NAMES["first_guarantee_loans"], WAN_YUAN),
        DefaultIndicator(INDICATOR_NAMES["first_loan_enterprises"], COUNT),
    ),
    "ART9": (
        DefaultIndicator(INDICATOR_NAMES["insured_loans"], WAN_YUAN),
        DefaultIndicator(INDICATOR_NAMES["rd_spending_covered"], WAN_YUAN),
    ),
    "ART10": (
        DefaultIndicator(INDICATOR_NAMES["leasing_financing"], WAN_YUAN),
        DefaultIndicator(INDICATOR_NAMES["revenue_growth"], PERCENT),
    ),
    "ART11A": (
        DefaultIndicator(INDICATOR_NAMES["ip_pledge_loans_obtained"], WAN_YUAN),
        DefaultIndicator(INDICATOR_NAMES["patents"], INDICATOR_UNITS["items"]),
    ),
    "ART11B": (
        DefaultIndicator(INDICATOR_NAMES["ip_pledge_loans_granted"], WAN_YUAN),
        DefaultIndicator(INDICATOR_NAMES["ip_pledge_npl_rate"], PERCENT),
    ),
    "ART12": (
        DefaultIndicator(INDICATOR_NAMES["post_listing_financing"], WAN_YUAN),
        DefaultIndicator(INDICATOR_NAMES["revenue_growth"], PERCENT),
    ),
    "ART13A": (
        DefaultIndicator(INDICATOR_NAMES["platform_financing"], WAN_YUAN),
        DefaultIndicator(INDICATOR_NAMES["enterprises_served"], COUNT),
    ),
    "ART13B": (
        DefaultIndicator(INDICATOR_NAMES["compliance_services"], COUNT),
        DefaultIndicator(INDICATOR_NAMES["listed_after_services"], COUNT),
    ),
    "ART14": (
        DefaultIndicator(INDICATOR_NAMES["acquired_revenue"], WAN_YUAN),
        DefaultIndicator(INDICATOR_NAMES["rd_staff_in_beijing"], INDICATOR_UNITS["persons"]),
    ),
}


def default_indicators(programme_code):
    """The usual indicators of a programme; none for a code not listed."""
    return DEFAULT_INDICATORS.get(programme_code, ())
