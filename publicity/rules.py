"""Who runs publicity (Art. 15 (3)): opening batches, handling objections, confirming."""

import rules

from accounts.rules import is_commission_staff

rules.add_perm("publicity.publicise", is_commission_staff)
rules.add_perm("publicity.handle_objection", is_commission_staff)
rules.add_perm("publicity.confirm", is_commission_staff)
rules.add_perm("publicity.classify", is_commission_staff)
