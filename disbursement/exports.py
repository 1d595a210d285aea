"""Exports of the recovery cases (Art. 21) and of the findings of dishonesty for the social-credit
reporting of Art. 22, as CSV and XLSX, written by review's exporters: streamed or write-only, every
text cell neutralised (common.exports.neutralise) so a spreadsheet never runs a formula."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from review.exports import AMOUNT, DATE, Column

ART_22 = _("Art. 22 of Jingkefa [2022] No. 6")


def _yes_no(value):
    return _("Yes") if value else _("No")


RECOVERY_CASE_COLUMNS = (
    Column(_("Case number"), lambda c: c.number, width=28),
    Column(_("Declaration number"), lambda c: c.declaration.number, width=24),
    Column(_("Organisation"), lambda c: c.declaration.organisation.name, width=32),
    Column(_("Unified social credit code"), lambda c: c.declaration.organisation.credit_code, width=22),
    Column(_("Programme"), lambda c: c.declaration.programme.code, width=10),
    Column(_("State"), lambda c: c.get_state_display(), width=24),
    Column(_("Amount to recover (yuan)"), lambda c: c.amount_due, AMOUNT, width=18),
    Column(_("Repaid (yuan)"), lambda c: c.repaid_amount, AMOUNT, width=18),
    Column(_("Still due (yuan)"), lambda c: c.still_due, AMOUNT, width=18),
    Column(_("To be repaid by"), lambda c: c.due_on, DATE, width=12),
    Column(_("Overdue since"), lambda c: c.overdue_since, DATE, width=12),
    Column(_("Barred from applying until"), lambda c: c.barred_until, DATE, width=12),
    Column(_("Dishonesty found (Art. 22)"), lambda c: _yes_no(c.dishonest), width=10),
    Column(_("Opened on"), lambda c: timezone.localdate(c.opened_at), DATE, width=12),
    Column(_("Reason"), lambda c: c.reason, width=50),
)

# The social-credit reporting of Art. 22 ("Credit China", the research integrity system): one row
# per finding.
DISHONESTY_COLUMNS = (
    Column(_("Unit name"), lambda c: c.declaration.organisation.name, width=32),
    Column(_("Unified social credit code"), lambda c: c.declaration.organisation.credit_code, width=22),
    Column(_("Finding"), lambda c: c.reason, width=50),
    Column(_("Date of the finding"), lambda c: timezone.localdate(c.opened_at), DATE, width=12),
    Column(_("Amount to recover (yuan)"), lambda c: c.amount_due, AMOUNT, width=18),
    Column(_("Case number"), lambda c: c.number, width=28),
    Column(_("Basis"), lambda c: ART_22, width=28),
)
