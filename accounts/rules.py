"""Who someone is. Declaration-level predicates live in declarations/rules.py."""

import rules

from accounts.enums import Role


def _has_role(role):
    @rules.predicate(name=f"is_{role}")
    def predicate(user):
        return bool(user and user.is_authenticated and user.is_active and user.role == role)

    return predicate


is_applicant = _has_role(Role.APPLICANT)
is_commission_staff = _has_role(Role.STAFF)
is_reviewer = _has_role(Role.REVIEWER)
is_finance_officer = _has_role(Role.FINANCE)
is_administrator = _has_role(Role.ADMIN)

# Everyone who works in the staff console.
is_console_user = is_commission_staff | is_reviewer | is_finance_officer

# The security events (sign-ins, denials, exports...) and their export: the administrator's, who
# answers for the platform's security; the people the events are about do not browse them.
rules.add_perm("accounts.view_security_events", is_administrator)

# The staff side (everyone but applicants, superusers too): must sign in with a second factor
# (accounts.middleware.MFARequiredMiddleware) and is signed out when idle (SessionActivityMiddleware).
is_staff_side = is_console_user | is_administrator | rules.is_superuser
