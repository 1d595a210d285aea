"""Who pays, stops support (Art. 17) and recovers funds (Art. 21): the finance officer."""

import rules

from accounts.rules import is_finance_officer

rules.add_perm("disbursement.disburse", is_finance_officer)
rules.add_perm("disbursement.stop", is_finance_officer)
rules.add_perm("disbursement.recover", is_finance_officer)
