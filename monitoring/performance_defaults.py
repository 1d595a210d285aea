"""The indicators each programme's performance plan usually has (Art. 18): staff start from these
and adjust them, baseline and target per project. Data, like declarations/programmes.py."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

WAN_YUAN = _("10,000 yuan")
PERCENT = "%"
COUNT = _("enterprises")


@dataclass(frozen=True)
class DefaultIndicator:
    name: str
    unit: str


DEFAULT_INDICATORS = {
    "ART5": (
        DefaultIndicator(_("Investment in Zhongguancun technology enterprises"), WAN_YUAN),
        DefaultIndicator(_("Technology enterprises invested in"), COUNT),
    ),
    "ART6": (
        DefaultIndicator(_("Follow-on financing raised by the invested enterprises"), WAN_YUAN),
        DefaultIndicator(_("Revenue growth of the invested enterprises"), PERCENT),
    ),
    "ART7": (
        DefaultIndicator(_("Fund shares transferred through the regional equity market"), WAN_YUAN),
        DefaultIndicator(_("Capital re-invested in technology enterprises"), WAN_YUAN),
    ),
    "ART8": (
        DefaultIndicator(_("First credit guarantee loans granted to technology enterprises"), WAN_YUAN),
        DefaultIndicator(_("Enterprises obtaining their first loan"), COUNT),
    ),
    "ART9": (
        DefaultIndicator(_("Loans obtained through the insured products"), WAN_YUAN),
        DefaultIndicator(_("Research and development spending covered"), WAN_YUAN),
    ),
    "ART10": (
        DefaultIndicator(_("Financial leasing financing obtained"), WAN_YUAN),
        DefaultIndicator(_("Revenue growth"), PERCENT),
    ),
    "ART11A": (
        DefaultIndicator(_("IP pledge loans obtained"), WAN_YUAN),
        DefaultIndicator(_("Patents granted or licensed"), _("items")),
    ),
    "ART11B": (
        DefaultIndicator(_("IP pledge loans granted to technology enterprises"), WAN_YUAN),
        DefaultIndicator(_("IP pledge non-performing rate"), PERCENT),
    ),
    "ART12": (
        DefaultIndicator(_("Financing raised after listing"), WAN_YUAN),
        DefaultIndicator(_("Revenue growth"), PERCENT),
    ),
    "ART13A": (
        DefaultIndicator(_("Financing achieved through the platform"), WAN_YUAN),
        DefaultIndicator(_("Enterprises served"), COUNT),
    ),
    "ART13B": (
        DefaultIndicator(_("Enterprises given compliance services"), COUNT),
        DefaultIndicator(_("Enterprises listed or admitted after the services"), COUNT),
    ),
    "ART14": (
        DefaultIndicator(_("Revenue of the acquired enterprise"), WAN_YUAN),
        DefaultIndicator(_("Research and development staff kept in Beijing"), _("persons")),
    ),
}


def default_indicators(programme_code):
    """The usual indicators of a programme; none for a code not listed."""
    return DEFAULT_INDICATORS.get(programme_code, ())
