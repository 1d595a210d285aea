"""Who runs publicity (Art. 15 (3)): opening batches, handling objections, confirming; and who keeps
the working-day calendar the periods are counted in."""

import rules

from accounts.enums import Role
from accounts.rules import is_administrator, is_commission_staff

# Those told, in the console and by a notice, while a year's working days are not entered yet
# (publicity.calendar_services.calendar_gap_warn asks the database with the same roles).
CALENDAR_WARNED_ROLES = (Role.STAFF, Role.ADMIN)


@rules.predicate
def is_warned_of_calendar_gaps(user):
    return bool(user and user.is_authenticated and user.is_active and user.role in CALENDAR_WARNED_ROLES)


rules.add_perm("publicity.publicise", is_commission_staff)
rules.add_perm("publicity.handle_objection", is_commission_staff)
rules.add_perm("publicity.confirm", is_commission_staff)
rules.add_perm("publicity.classify", is_commission_staff)
# The administrator enters each year's holidays and make-up working days as the State Council
# publishes them, and says when a year is complete.
rules.add_perm("publicity.manage_calendar", is_administrator)
rules.add_perm("publicity.view_calendar_gap", is_warned_of_calendar_gaps)
