"""Who pays, stops support (Art. 17) and recovers funds (Art. 21): the finance officers. A payment
order needs two of them: one prepares it, another approves or rejects it."""

import rules

from accounts.rules import is_commission_staff, is_finance_officer


@rules.predicate
def prepared_the_order(user, order):
    return order is not None and order.prepared_by_id == getattr(user, "pk", None)


rules.add_perm("disbursement.disburse", is_finance_officer)
rules.add_perm("disbursement.stop", is_finance_officer)
rules.add_perm("disbursement.recover", is_finance_officer)
# The unit's bank account and the payment plan.
rules.add_perm("disbursement.manage_accounts", is_finance_officer)
rules.add_perm("disbursement.plan", is_finance_officer)
rules.add_perm("disbursement.prepare_order", is_finance_officer)
rules.add_perm("disbursement.approve_order", is_finance_officer & ~prepared_the_order)
rules.add_perm("disbursement.pay_order", is_finance_officer)
rules.add_perm("disbursement.cancel_order", is_finance_officer)
# Commission staff follow the money of their declarations: amounts, orders and payments, with bank
# accounts masked (only finance pages and the order's PDF show them whole).
rules.add_perm("disbursement.view_money", is_finance_officer | is_commission_staff)
rules.add_perm("disbursement.view_bank_account", is_finance_officer)
