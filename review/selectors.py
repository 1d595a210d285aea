"""Reads for the staff console: what each console user may see."""

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import User
from accounts.rules import is_console_user
from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from declarations.selectors import declarations_visible_to
from review.models import CreditRecord


def declaration_list_for_console(user):
    """What a console user may see, past its draft: staff and finance every declaration, a reviewer
    those assigned to them. The `console.view_declaration` rule as a queryset (tests/test_visibility.py)."""
    if not is_console_user(user):
        return Declaration.objects.none()
    return declarations_visible_to(user).exclude(state=S.DRAFT).select_related("organisation", "programme", "call")


def reviewers_with_load(declaration=None):
    """Active expert reviewers with the number of evaluations they have open; for a declaration,
    without those in a conflict of interest with its organisation (its own people, or declared)
    and those already assigned."""
    reviewers = (
        User.objects.filter(role=Role.REVIEWER, is_active=True)
        .annotate(
            open_evaluations=Count(
                "review_assignments",
                filter=Q(review_assignments__submitted_at__isnull=True, review_assignments__released_at__isnull=True),
            )
        )
        .order_by("open_evaluations", "username")
    )
    if declaration is not None:
        reviewers = (
            reviewers.exclude(organisation_id=declaration.organisation_id)
            .exclude(review_assignments__declaration=declaration)
            .exclude(conflicts__organisation_id=declaration.organisation_id)
        )
    return reviewers


def acceptance_checks(declaration):
    """Each round's formal review of `declaration`, with who checked it."""
    return list(declaration.acceptance_checks.select_related("checked_by"))


def credit_record_bars(organisation):
    """Why the credit register bars the unit from declaring today (Art. 17): one text per record in
    force. Submission asks it through settings.DECLARATION_BARS."""
    return [
        _("Your organisation is on a credit list and cannot declare (Art. 17): %(record)s.")
        % {"record": record.describe()}
        for record in credit_records_against(organisation)
    ]


def credit_records_against(organisation, day=None):
    """The Art. 17 credit records in force on `day` (today by default) for the organisation's code."""
    records = CreditRecord.objects.in_force_on(day or timezone.localdate())
    return list(records.filter(credit_code=organisation.credit_code))
