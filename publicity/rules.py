"""Who runs publicity (Art. 15 (3)): opening batches, handling objections, confirming; and who keeps
the working-day calendar the periods are counted in."""

import rules

from accounts.rules import is_administrator, is_commission_staff

rules.add_perm("publicity.publicise", is_commission_staff)
rules.add_perm("publicity.handle_objection", is_commission_staff)
rules.add_perm("publicity.confirm", is_commission_staff)
rules.add_perm("publicity.classify", is_commission_staff)
# The administrator enters each year's holidays and make-up working days as the State Council
# publishes them, and says when a year is complete.
rules.add_perm("publicity.manage_calendar", is_administrator)
