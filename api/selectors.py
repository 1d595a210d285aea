"""What the API reads: the rows the token's holder may see, through the visibility selectors the
pages use (declarations.selectors.declarations_visible_to) and the money the pages show them.

Each list costs a fixed number of queries, whatever its page's size (tests/api)."""

from decimal import Decimal

import rules
from django.db.models import DecimalField, OuterRef, Prefetch, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from common.money import MONEY, Fen
from declarations.models import Declaration
from declarations.selectors import declarations_visible_to
from disbursement.models import Payment, RecoveryCase, Repayment
from disbursement.recovery_selectors import recovery_case_list

_ZERO = Value(Decimal("0.00"), output_field=DecimalField(**MONEY))


def may_view_money(user) -> bool:
    """Whether `user` sees what was paid and recovered: the finance pages' permission."""
    return rules.has_perm("disbursement.view_money", user)


def api_declarations(user) -> QuerySet[Declaration]:
    """The declarations `user` may open, with their unit, call and programme, and (for those who may
    see the money) `paid_total`, the sum of their payments: one query."""
    declarations = declarations_visible_to(user).select_related("organisation", "programme", "call")
    if may_view_money(user):
        paid = (
            Payment.objects.filter(declaration=OuterRef("pk"))
            .order_by()
            .values("declaration")
            .annotate(total=Sum("amount"))
            .values("total")
        )
        declarations = declarations.annotate(paid_total=Fen(Coalesce(Subquery(paid), _ZERO)))
    return declarations.order_by("pk")


def api_payments(user) -> QuerySet[Payment]:
    """The payments of the declarations `user` may open, with their declaration: one query. The view
    asks `disbursement.view_money` first."""
    return (
        Payment.objects.filter(declaration__in=declarations_visible_to(user).values("pk"))
        .select_related("declaration")
        .order_by("pk")
    )


def api_recovery_cases(user) -> QuerySet[RecoveryCase]:
    """The recovery cases of the declarations `user` may open, with their declaration and their
    repayments: two queries. The view asks `disbursement.view_recovery_cases` first."""
    return (
        recovery_case_list()
        .filter(declaration__in=declarations_visible_to(user).values("pk"))
        .prefetch_related(Prefetch("repayments", queryset=Repayment.objects.order_by("received_on", "pk")))
        .order_by("pk")
    )
