"""Who pays and stops support (Art. 17): the finance officers; a payment order needs two of them, one
to prepare it and another to approve or reject it. Who takes the measures of Art. 21 (terminating a
project, recovering funds, referring a recovery for enforcement): the commission's staff; the finance
officer records the money paid back."""

import rules

from accounts.enums import Role
from accounts.rules import is_commission_staff, is_finance_officer


@rules.predicate
def prepared_the_order(user, order):
    return order is not None and order.prepared_by_id == getattr(user, "pk", None)


rules.add_perm("disbursement.disburse", is_finance_officer)
rules.add_perm("disbursement.stop", is_finance_officer)
# The unit's bank account and the payment plan.
rules.add_perm("disbursement.manage_accounts", is_finance_officer)
rules.add_perm("disbursement.plan", is_finance_officer)
rules.add_perm("disbursement.prepare_order", is_finance_officer)
rules.add_perm("disbursement.approve_order", is_finance_officer & ~prepared_the_order)
rules.add_perm("disbursement.pay_order", is_finance_officer)
rules.add_perm("disbursement.cancel_order", is_finance_officer)
rules.add_perm("disbursement.terminate", is_commission_staff)
rules.add_perm("disbursement.recover", is_commission_staff)
rules.add_perm("disbursement.record_repayment", is_finance_officer)
# Commission staff follow the money of their declarations (bank accounts masked: only finance pages
# and the order's PDF show them whole), and take the measures of Art. 21 on its page; both follow the
# recovery cases and export them.
rules.add_perm("disbursement.view_money", is_finance_officer | is_commission_staff)
rules.add_perm("disbursement.view_bank_account", is_finance_officer)
rules.add_perm("disbursement.view_recovery_cases", is_finance_officer | is_commission_staff)

# Those told by a notice when a recovery case becomes overdue
# (disbursement.recovery.recovery_cases_flag_overdue asks the database with the same roles).
OVERDUE_NOTIFIED_ROLES = (Role.STAFF, Role.FINANCE)
