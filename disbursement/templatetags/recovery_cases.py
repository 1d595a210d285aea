"""How a recovery case's state looks in a list or on a page: its badge."""

from django import template

from disbursement.enums import RecoveryCaseState as CS

register = template.Library()

BADGES = {
    CS.OPEN: "text-bg-warning",
    CS.PARTLY_REPAID: "text-bg-info",
    CS.REPAID: "text-bg-success",
    CS.REFERRED: "text-bg-danger",
}


@register.filter
def case_badge(state):
    """The Bootstrap badge class of a recovery case's state."""
    return BADGES.get(state, "text-bg-secondary")
