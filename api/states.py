"""A declaration's state as the token's holder reads it on the pages: the staff's states for the
console's users, the applicant's for applicants, whose labels (declarations.enums.APPLICANT_LABELS)
keep the internal steps of the evaluation to the commission: accepted, under evaluation and
evaluated all read "Under evaluation", here the one state `under_evaluation`."""

from django.utils.translation import gettext_lazy as _

from accounts.rules import is_applicant
from declarations.enums import APPLICANT_LABELS
from declarations.enums import DeclarationState as S

UNDER_EVALUATION = "under_evaluation"
# The applicant's states that stand for several of the staff's (tests/api prove this matches the labels).
APPLICANT_GROUPS = {UNDER_EVALUATION: (S.ACCEPTED, S.UNDER_REVIEW, S.REVIEWED)}
_GROUP_OF = {state: code for code, states in APPLICANT_GROUPS.items() for state in states}


def applicant_state(state):
    return _GROUP_OF.get(state, state)


def applicant_state_choices():
    """(code, label) of every state an applicant reads, in the workflow's order."""
    seen: dict = {}
    for state in S:
        seen.setdefault(applicant_state(state), APPLICANT_LABELS[state])
    return list(seen.items())


def staff_states_of(code):
    """The staff's states an applicant's state code stands for."""
    return list(APPLICANT_GROUPS.get(code, (code,)))


def reads_applicant_states(user):
    return bool(is_applicant(user))


STATE_HELP = _(
    "The declaration's state: the staff's states for staff, reviewers, finance and administrators; "
    "for applicants their own, where accepted, under evaluation and evaluated are one, under_evaluation."
)
