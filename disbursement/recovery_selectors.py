"""Reads of the recovery cases (Art. 21, 22): a declaration's cases, the console's list and its
totals, the exports, and the bar from applying that settings.DECLARATION_BARS asks."""

from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from common import sql
from common.money import money_sum
from common.typography import short_date
from declarations.selectors import PaymentLine, RecoveryLine
from disbursement.enums import RecoveryCaseState
from disbursement.models import Payment, RecoveryCase, Repayment
from disbursement.workflow import AWAITING_REPAYMENT_STATES

# The last day of the longest bar of a unit's recovery cases in force on a day: asked on every page
# of an applicant that shows the bars and at every submission, so built once (common.sql.Prepared).
_LONGEST_BAR = sql.Prepared(
    lambda organisation, day: (
        RecoveryCase.objects.filter(declaration__organisation_id=organisation, barred_until__gte=day)
        .order_by("-barred_until")
        .values_list("barred_until")[:1]
    ),
    fields=sql.fields_of(RecoveryCase, "barred_until"),
    organisation=sql.STAND_IN_ID,
    day=sql.STAND_IN_DAY,
)


def recovery_case_bars(organisation, day=None):
    """Why a recovery bars the unit from declaring on `day` (today by default), Art. 21: one text
    naming the last day of the longest bar in force, or none. Declarations ask it through
    settings.DECLARATION_BARS."""
    found = _LONGEST_BAR.rows(organisation=organisation.pk, day=day or timezone.localdate())
    if not found:
        return []
    [(until,)] = found
    return [
        _("Your organisation is barred from applying until %(date)s after funds were recovered (Art. 21).")
        % {"date": short_date(until)}
    ]


def declaration_recovery_cases(declaration):
    """The declaration's recovery cases, oldest first, each with its repayments and who recorded
    them and who opened it: two queries."""
    return list(
        RecoveryCase.objects.filter(declaration=declaration)
        .select_related("opened_by")
        .prefetch_related(Prefetch("repayments", queryset=Repayment.objects.select_related("recorded_by")))
        .order_by("opened_at", "pk")
    )


def _overdue():
    return Q(overdue_since__isnull=False, state__in=AWAITING_REPAYMENT_STATES)


def recovery_case_list(*, state="", overdue=False):
    """Every recovery case (or those in `state`; or only the overdue ones: flagged and still
    awaiting repayment), with its declaration, unit and programme in the same query: the earliest
    due first."""
    cases = RecoveryCase.objects.select_related("declaration__organisation", "declaration__programme")
    if state:
        cases = cases.filter(state=state)
    if overdue:
        cases = cases.filter(_overdue())
    return cases.order_by("due_on", "pk")


def recovery_case_totals(cases):
    """What `cases` order recovered, what was repaid and what is still due: one query."""
    totals = cases.order_by().aggregate(
        due=money_sum("amount_due"),
        repaid=money_sum("repaid_amount"),
        left=money_sum(F("amount_due") - F("repaid_amount")),
    )
    return totals


def dishonesty_findings():
    """The cases with a finding of dishonesty (Art. 22), for the social-credit reporting: the
    earliest first, with the unit."""
    return (
        RecoveryCase.objects.filter(dishonest=True)
        .select_related("declaration__organisation")
        .order_by("opened_at", "pk")
    )


def recovery_due_counts(today=None):
    """For the finance officer's home: the recovery cases still awaiting repayment, those whose due
    date has come (today or earlier) and those flagged overdue. One query."""
    today = today or timezone.localdate()
    return RecoveryCase.objects.filter(state__in=AWAITING_REPAYMENT_STATES).aggregate(
        awaiting=Count("pk"),
        due=Count("pk", filter=Q(due_on__lte=today)),
        overdue=Count("pk", filter=Q(overdue_since__isnull=False)),
    )


# The payments and the recovery cases of a page of declarations, read on the applicant's dashboard
# and each declaration page: built once (common.sql.Prepared), the ids as one parameter.
_PAYMENTS_OF = sql.prepared_by_ids(
    Payment, "declaration", ("declaration", "paid_on", "amount"), order_by=("paid_on", "pk")
)
_RECOVERY_CASES_OF = sql.prepared_by_ids(
    RecoveryCase,
    "declaration",
    ("declaration", "due_on", "amount_due", "repaid_amount", "state"),
    order_by=("due_on", "pk"),
)


def applicant_money(declaration_ids):
    """The payments and recovery cases of the declarations `declaration_ids`, as their applicant
    reads them on the declaration page and the dashboard (declarations.selectors.DeclarationMoney):
    {id: (payments, recoveries)}, in two queries whatever the number of ids. Registered with
    declarations.selectors.register_money_reader by this app's AppConfig.ready."""
    money: dict[int, tuple[list, list]] = {pk: ([], []) for pk in declaration_ids}
    ids = list(declaration_ids)
    for declaration_id, paid_on, amount in _PAYMENTS_OF.rows(ids=ids):
        money[declaration_id][0].append(PaymentLine(paid_on, amount))
    for declaration_id, due_on, amount_due, repaid_amount, state in _RECOVERY_CASES_OF.rows(ids=ids):
        money[declaration_id][1].append(
            RecoveryLine(
                due_on=due_on,
                amount_due=amount_due,
                repaid=repaid_amount,
                state_label=str(RecoveryCaseState(state).label),
                is_open=state in AWAITING_REPAYMENT_STATES,
            )
        )
    return {pk: (tuple(payments), tuple(recoveries)) for pk, (payments, recoveries) in money.items()}
