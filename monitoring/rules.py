"""Who sets a project's performance plan, reports on it and grades the reports (Art. 18), and who
records inspections and answers their rectifications (Art. 20). Each permission with an object
takes the declaration.

The applicant acts for a declaration as the declarations app says (is_declaring_applicant: an
applicant of the declaring organisation); the commission's staff plan, grade and inspect; finance
follow (the administrator reads the records in the administration). Who reads the statistics:
monitoring.statistics_rules."""

import rules

from accounts.rules import is_commission_staff, is_finance_officer
from declarations.rules import is_declaring_applicant
from monitoring.statistics_rules import may_view_statistics

# The staff side of monitoring: its lists and a project's pages.
rules.add_perm("monitoring.view", is_commission_staff | is_finance_officer)
rules.add_perm("monitoring.set_targets", is_commission_staff)
rules.add_perm("monitoring.evaluate_report", is_commission_staff)
rules.add_perm("monitoring.return_report", is_commission_staff)
rules.add_perm("monitoring.supervise", is_commission_staff)
# The unit reports on its own project (the applicant's pages give 404 for another organisation's).
rules.add_perm("monitoring.submit_report", is_declaring_applicant)
rules.add_perm("monitoring.fill_report", is_declaring_applicant)
rules.add_perm("monitoring.view_own", is_declaring_applicant)
# The unit answers a rectification on its declaration's page, or staff enter what it sent them.
rules.add_perm("monitoring.answer_rectification", is_declaring_applicant | is_commission_staff)
rules.add_perm("monitoring.close_inspection", is_commission_staff)
# The statistics page (its predicate with its reasons in monitoring/statistics_rules.py).
rules.add_perm("monitoring.view_statistics", may_view_statistics)
