"""Permission predicates for declarations, shared by views, templates and the workflow."""

import rules

from accounts.rules import (
    is_administrator,
    is_applicant,
    is_commission_staff,
    is_console_user,
    is_finance_officer,
    is_reviewer,
)


@rules.predicate
def is_member_of_declaring_organisation(user, declaration):
    return bool(
        declaration is not None
        and getattr(user, "organisation_id", None)
        and user.organisation_id == declaration.organisation_id
    )


@rules.predicate
def is_assigned_reviewer(user, declaration):
    if declaration is None or not user.is_authenticated:
        return False
    return declaration.review_assignments.filter(reviewer=user, released_at__isnull=True).exists()


is_declaring_applicant = is_applicant & is_member_of_declaring_organisation

rules.add_perm(
    "declarations.view_declaration",
    is_declaring_applicant
    | is_commission_staff
    | is_finance_officer
    | is_administrator
    | (is_reviewer & is_assigned_reviewer),
)
rules.add_perm("declarations.create_declaration", is_applicant)
rules.add_perm("declarations.edit_declaration", is_declaring_applicant)
rules.add_perm("declarations.edit_organisation", is_applicant)

# One permission per workflow action (declarations.workflow.TRANSITIONS names them).
rules.add_perm("declarations.submit", is_declaring_applicant)
rules.add_perm("declarations.withdraw", is_declaring_applicant)
rules.add_perm("declarations.return", is_commission_staff)
rules.add_perm("declarations.accept", is_commission_staff)
rules.add_perm("declarations.disqualify", is_commission_staff)
rules.add_perm("declarations.start_review", is_commission_staff)
rules.add_perm("declarations.complete_review", is_commission_staff | (is_reviewer & is_assigned_reviewer))
rules.add_perm("declarations.decide", is_commission_staff)
rules.add_perm("declarations.publicise", is_commission_staff)
rules.add_perm("declarations.handle_objection", is_commission_staff)
rules.add_perm("declarations.confirm", is_commission_staff)
rules.add_perm("declarations.disburse", is_finance_officer)
rules.add_perm("declarations.stop", is_finance_officer)
rules.add_perm("declarations.recover", is_finance_officer)

rules.add_perm("console.enter", is_console_user)
rules.add_perm("console.staff", is_commission_staff)
# Exports of the queue and the decisions: reviewers see only their own work.
rules.add_perm("console.export", is_commission_staff | is_finance_officer)
