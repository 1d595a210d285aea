"""Who may see, create and change a declaration, and the applicant's workflow actions.

The permissions of the other actions live with the app that does them (review, publicity,
disbursement); `declarations.workflow.TRANSITIONS` names each by its string."""

import rules

from accounts.rules import is_administrator, is_applicant, is_commission_staff, is_finance_officer, is_reviewer
from common import sql
from declarations.models import Declaration


@rules.predicate
def is_member_of_declaring_organisation(user, declaration):
    return bool(
        declaration is not None
        and getattr(user, "organisation_id", None)
        and user.organisation_id == declaration.organisation_id
    )


# Whether a reviewer holds an active assignment on a declaration, asked on each console page of a
# declaration a reviewer opens (the page's rule, then its actions) and at each save of scores: built
# once (common.sql.Prepared), through the declaration's reverse relation to its assignments.
_ASSIGNED_REVIEWER = sql.Prepared(
    lambda declaration, reviewer: Declaration.objects.filter(
        pk=declaration, review_assignments__reviewer_id=reviewer, review_assignments__released_at__isnull=True
    ).values_list("pk")[:1],
    fields=sql.fields_of(Declaration, "id"),
    declaration=sql.STAND_IN_ID,
    reviewer=sql.STAND_IN_OTHER_ID,
)


@rules.predicate
def is_assigned_reviewer(user, declaration):
    if declaration is None or declaration.pk is None or not user.is_authenticated:
        return False
    return bool(_ASSIGNED_REVIEWER.rows(declaration=declaration.pk, reviewer=user.pk))


@rules.predicate
def is_past_draft(user, declaration):
    return declaration is not None and not declaration.is_draft


is_declaring_applicant = is_applicant & is_member_of_declaring_organisation

# Its queryset form is declarations.selectors.declarations_visible_to; tests/test_visibility.py
# proves for every role that the two agree. A draft, with its evidence files, is the applicant's
# alone until it is submitted, as in the console.
may_view_declaration = is_declaring_applicant | (
    is_past_draft & (is_commission_staff | is_finance_officer | is_administrator | (is_reviewer & is_assigned_reviewer))
)
rules.add_perm("declarations.view_declaration", may_view_declaration)
rules.add_perm("declarations.create_declaration", is_applicant)
rules.add_perm("declarations.edit_declaration", is_declaring_applicant)
rules.add_perm("declarations.edit_organisation", is_applicant)

# The applicant's workflow actions (declarations.workflow.TRANSITIONS names them).
rules.add_perm("declarations.submit", is_declaring_applicant)
rules.add_perm("declarations.withdraw", is_declaring_applicant)
