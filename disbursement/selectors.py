"""Reads for the finance officer's disbursement pages."""

from decimal import Decimal

from django.db.models import Case, DecimalField, F, Prefetch, Sum, Value, When
from django.db.models.functions import Coalesce

from common.money import MONEY
from declarations.models import Declaration
from declarations.workflow import DISBURSEMENT_STATES, PAYABLE_STATES
from disbursement.models import Payment

_ZERO = Value(Decimal("0.00"), output_field=DecimalField(**MONEY))


def _with_amounts(queryset):
    """Annotate `paid_total` (sum of payments, 0 when none) and `outstanding` (approved less paid,
    None once nothing more will be paid) in the same query."""
    return queryset.annotate(
        paid_total=Coalesce(Sum("payments__amount"), _ZERO, output_field=DecimalField(**MONEY)),
    ).annotate(
        outstanding=Case(
            When(state__in=PAYABLE_STATES, then=F("approved_amount") - F("paid_total")),
            default=None,
            output_field=DecimalField(**MONEY),
        ),
    )


def declaration_list_for_finance(*, state=None):
    """Declarations in the disbursement states (or in `state` alone), each with `paid_total` and
    `outstanding` computed by the database, ordered by number."""
    states = [state] if state else DISBURSEMENT_STATES
    queryset = Declaration.objects.filter(state__in=states).select_related("organisation", "programme")
    return _with_amounts(queryset).order_by("number", "pk")


def declaration_for_disbursement(*, declaration_id):
    """One declaration with its amounts and its payments (each with who recorded it); its recovery
    cases are read by disbursement.recovery_selectors. Any state: the staff console links here for
    every declaration, and the page says when one has not reached disbursement. Raises
    Declaration.DoesNotExist."""
    queryset = Declaration.objects.select_related("organisation", "programme", "call").prefetch_related(
        Prefetch("payments", queryset=Payment.objects.select_related("recorded_by")),
    )
    return _with_amounts(queryset).get(pk=declaration_id)
