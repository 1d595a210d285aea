"""The staff console's permissions: acceptance, evaluation, the decision and the annual budgets,
and who may enter."""

import rules

from accounts.enums import Role
from accounts.rules import is_administrator, is_commission_staff, is_console_user, is_finance_officer, is_reviewer
from declarations.rules import is_assigned_reviewer, is_past_draft, may_view_declaration

# Who may sit on an evaluation meeting (review.meetings asks the database with the same roles).
MEETING_MEMBER_ROLES = (Role.STAFF, Role.REVIEWER)


@rules.predicate
def is_meeting_member(user):
    return bool(user.is_active and user.role in MEETING_MEMBER_ROLES)


rules.add_perm("console.enter", is_console_user)
rules.add_perm("console.staff", is_commission_staff)
# Exports of the queue and the decisions: reviewers see only their own work.
rules.add_perm("console.export", is_commission_staff | is_finance_officer)
# A declaration's console page; its queryset form is review.selectors.declaration_list_for_console.
rules.add_perm("console.view_declaration", is_console_user & may_view_declaration & is_past_draft)

# The workflow actions of the review (declarations.workflow.TRANSITIONS names them).
rules.add_perm("review.return", is_commission_staff)
rules.add_perm("review.accept", is_commission_staff)
rules.add_perm("review.disqualify", is_commission_staff)
rules.add_perm("review.start_review", is_commission_staff)
rules.add_perm("review.complete_review", is_commission_staff | (is_reviewer & is_assigned_reviewer))
rules.add_perm("review.decide", is_commission_staff)
# Scoring is blind: totals, spreads, outliers and the Art. 16/17 flags across declarations are not
# for expert reviewers (the queue's columns and filters); on one declaration,
# review.evaluation.evaluations_visible_to shows a reviewer the others' only after their own.
rules.add_perm("console.view_scores", is_commission_staff | is_finance_officer)
# Expert reviewers score what they are assigned (review.evaluation checks the assignment).
rules.add_perm("review.evaluate", is_reviewer)
# The annual budgets (Art. 2): the administrator sets and adjusts them; commission staff, who
# decide within them, read them (review.budgets).
rules.add_perm("review.manage_budgets", is_administrator)
rules.add_perm("review.view_budgets", is_administrator | is_commission_staff)
