"""Annual budgets (Art. 2): each programme's funds are used according to its annual budget.

The administrator sets a budget per programme and support year and adjusts it, always with the
reason (`budget_set`); simple_history keeps every version with who set it. What is committed against
a budget is one sum, written once (`committed_amounts`). A decision to support asks `budget_check`
while it holds the programme's row lock (review.services.declaration_approve), the lock that guards
the award cap, so two decisions cannot share the last headroom; `budget_set` takes the same lock, so
a budget cannot be cut under a decision being made. The ranking draws the budget line
(`ranking_budget_line`): which proposals fit within what is left, in rank order.
"""

from dataclasses import dataclass, field
from decimal import Decimal

import rules
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F, OuterRef, Subquery, Window
from django.db.models.functions import Lag
from django.utils import timezone
from django.utils.translation import gettext as _

from common.history import audited
from common.money import MONEY_LIMIT, ZERO, money_sum, yuan
from declarations.models import Call, Declaration, Programme
from declarations.selectors import kept_amount_expression
from declarations.workflow import AWARD_HISTORY_STATES, DECIDED_STATES, OPEN_STATES, TransitionRefused
from review.models import OPINIONS_LATEST_FIRST, Budget, MeetingOpinion, SupportScheme

# The support years a budget may be set for.
FIRST_YEAR, LAST_YEAR = 2000, 2100
BUDGETS_PER_PAGE = 48
HISTORY_PER_PAGE = 25


class OverBudget(TransitionRefused):
    """A decision to support that the programme's annual budget does not allow, or one for which no
    budget is recorded; `position` is the BudgetPosition it was checked against."""

    def __init__(self, message, position):
        super().__init__(message)
        self.position = position


@dataclass(frozen=True)
class BudgetPosition:
    """A programme's budget for a year (None while none is recorded), what is committed against it
    and what is left (None without a budget)."""

    programme: Programme
    year: int
    budget: Budget | None
    committed: Decimal

    @property
    def amount(self):
        return None if self.budget is None else self.budget.amount

    @property
    def left(self):
        return None if self.budget is None else self.budget.amount - self.committed


def committed_sum():
    """The aggregate of what declarations keep of their awards (0.00 for none), for committed_amounts
    and for a reading that sums it beside other figures of the same declarations
    (monitoring.statistics)."""
    return money_sum(kept_amount_expression())


def committed_amounts(pairs):
    """What is committed against each budget of `pairs` ((programme id, support year), ...): what the
    programme's declarations under that year's calls keep of their awards
    (declarations.selectors.kept_amount_expression: the approved amount, less what will never be
    paid once support ended and what was ordered recovered; nothing for one revoked by an
    objection). The one place this sum is written. One query; ZERO for a pair with nothing decided."""
    pairs = list(pairs)
    if not pairs:
        return {}
    rows = (
        Declaration.objects.filter(
            state__in=AWARD_HISTORY_STATES,
            programme_id__in={programme_id for programme_id, _year in pairs},
            call__year__in={year for _programme_id, year in pairs},
        )
        .order_by()
        .values("programme_id", "call__year")
        .annotate(total=committed_sum())
    )
    totals = {(row["programme_id"], row["call__year"]): row["total"] for row in rows}
    return {pair: totals.get(pair) or ZERO for pair in pairs}


def budget_position(programme, year):
    """The BudgetPosition of `programme` in `year`. Two queries."""
    budget = Budget.objects.filter(programme=programme, year=year).select_related("set_by").first()
    return BudgetPosition(programme, year, budget, committed_amounts([(programme.pk, year)])[(programme.pk, year)])


def _names(position):
    return {"programme": position.programme.code, "year": position.year}


def budget_check(declaration, amount):
    """Refuse (OverBudget) to approve `amount` for `declaration` when its programme's budget for its
    call's year has less left, naming the budget, what is committed and what is left, or when no
    budget is recorded. Returns the BudgetPosition. Call it holding the programme's row lock
    (select_for_update), as review.services.declaration_approve does."""
    position = budget_position(declaration.programme, declaration.call.year)
    if position.budget is None:
        raise OverBudget(
            _(
                "No budget of %(programme)s for %(year)s is recorded, so no support may be approved: the "
                "administrator sets it under Budgets in the console first."
            )
            % _names(position),
            position,
        )
    if amount > position.left:
        raise OverBudget(
            _(
                "The approved amount %(amount)s yuan is more than is left of the %(year)s budget of "
                "%(programme)s: budget %(budget)s yuan, committed %(committed)s yuan, left %(left)s yuan."
            )
            % {
                **_names(position),
                "amount": yuan(amount),
                "budget": yuan(position.amount),
                "committed": yuan(position.committed),
                "left": yuan(position.left),
            },
            position,
        )
    return position


@transaction.atomic
def budget_set(*, programme_id, year, amount, actor, reason):
    """Set or adjust the budget of programme `programme_id` for `year` to `amount`, with the reason
    (kept in its history with `actor`). Refuses with a ValidationError by field: a user who may not
    manage budgets, a year outside FIRST_YEAR-LAST_YEAR, a negative amount or one above MONEY_LIMIT,
    an amount below what is already committed (naming both), the same amount again, no reason.
    Returns the budget."""
    if not rules.has_perm("review.manage_budgets", actor):
        raise ValidationError(_("You are not allowed to do this."))
    errors = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Say why, for the record: for example the budget document's reference.")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        errors["year"] = _("A budget is set for a year from %(first)s to %(last)s.") % {
            "first": FIRST_YEAR,
            "last": LAST_YEAR,
        }
    amount = Decimal(amount)
    if amount < 0:
        errors["amount"] = _("A budget cannot be negative.")
    elif amount > MONEY_LIMIT:
        errors["amount"] = _("A budget is at most %(limit)s yuan.") % {"limit": yuan(MONEY_LIMIT)}
    if errors:
        raise ValidationError(errors)
    # The decisions' lock: no decision of the programme commits anything until this is saved.
    programme = Programme.objects.select_for_update().filter(pk=programme_id).first()
    if programme is None:
        raise ValidationError({"programme": _("There is no such programme.")})
    committed = committed_amounts([(programme.pk, year)])[(programme.pk, year)]
    if amount < committed:
        raise ValidationError(
            {
                "amount": _(
                    "The budget of %(amount)s yuan is below what is already committed in %(year)s for "
                    "%(programme)s: %(committed)s yuan."
                )
                % {"amount": yuan(amount), "year": year, "programme": programme.code, "committed": yuan(committed)}
            }
        )
    budget = Budget.objects.filter(programme=programme, year=year).first()
    if budget is None:
        budget = Budget(programme=programme, year=year)
    elif budget.amount == amount:
        raise ValidationError({"amount": _("The budget is %(amount)s yuan already.") % {"amount": yuan(amount)}})
    budget.amount = amount
    budget.reason = reason
    budget.set_by = actor
    budget.set_at = timezone.now()
    audited(budget, actor)
    budget.save()
    return budget


# --- The budget pages -------------------------------------------------------------------------


def budget_years():
    """The years the budget page lists, latest first: those of every call and budget, this year and
    the next. One query."""
    this_year = timezone.localdate().year
    years = (
        Call.objects.order_by()
        .values_list("year", flat=True)
        .union(Budget.objects.order_by().values_list("year", flat=True))
    )
    return sorted({*years, this_year, this_year + 1}, reverse=True)


def budget_list(*, years, page_number=None):
    """A page of BudgetPositions: each programme in each of `years`, the years in the order given
    and the programmes in theirs. Three queries whatever the number of rows."""
    programmes = list(Programme.objects.order_by("position", "pk"))
    rows: list = [(programme, year) for year in years for programme in programmes]
    page = Paginator(rows, BUDGETS_PER_PAGE).get_page(page_number)
    pairs = [(programme.pk, year) for programme, year in page.object_list]
    budgets = {}
    if pairs:
        budgets = {
            (budget.programme_id, budget.year): budget
            for budget in Budget.objects.filter(
                programme_id__in={p for p, _ in pairs}, year__in={y for _, y in pairs}
            ).select_related("set_by")
        }
    committed = committed_amounts(pairs)
    page.object_list = [
        BudgetPosition(programme, year, budgets.get((programme.pk, year)), committed[(programme.pk, year)])
        for programme, year in page.object_list
    ]
    return page


def budget_history(programme, year):
    """Every version of the budget, latest first, each with the amount before it (`previous`, None
    for the first) and its user."""
    return (
        Budget.history.filter(programme=programme, year=year)
        .select_related("history_user")
        .annotate(previous=Window(Lag("amount"), order_by=[F("history_date").asc(), F("history_id").asc()]))
        .order_by("-history_date", "-history_id")
    )


# --- The budget line of the ranking -------------------------------------------------------------

FITS, BEYOND, DECIDED, NOT_DRAWING = "fits", "beyond", "decided", "not_drawing"
PROPOSED, AWARD_CAP = "proposed", "award_cap"


@dataclass
class BudgetLine:
    """Where the budget line falls in a ranking of one programme's declarations of one year: the
    proposals that fit within what is left, taken in rank order, and the first that does not."""

    position: BudgetPosition
    # declaration id -> (what it would take from the budget or None, PROPOSED or AWARD_CAP, the running total to it)
    draws: dict = field(default_factory=dict)
    fitting: int = 0
    fitting_total: Decimal = ZERO
    beyond: int = 0
    first_beyond: int | None = None

    def mark(self, summaries):
        """Set on each row of a page of the ranking its `draw`, `draw_basis` (PROPOSED or AWARD_CAP),
        `drawn` (the running total), `budget_status` (FITS, BEYOND, DECIDED, NOT_DRAWING) and
        `budget_line_above` (the line falls just above it)."""
        for summary in summaries:
            draw, basis, drawn = self.draws.get(summary.pk, (None, None, None))
            summary.draw, summary.draw_basis, summary.drawn = draw, basis, drawn
            if draw is None:
                decided = summary.declaration.state in DECIDED_STATES
                summary.budget_status = DECIDED if decided else NOT_DRAWING
            else:
                summary.budget_status = FITS if drawn <= self.position.left else BEYOND
            summary.budget_line_above = summary.pk == self.first_beyond


def ranking_budget_line(summaries, position):
    """The BudgetLine of `summaries` (review.evaluation.evaluation_ranking of one programme and one
    call) against `position`, the programme's budget for the call's year; None without a budget.

    What a ranked declaration would take from the budget (its draw): while it is open, the support
    its latest meeting opinion proposes (nothing when the meeting proposed not to support it) or,
    before any meeting, its award cap; nothing once decided (it is in what is committed) or ended.
    The draws are added up in rank order; the line falls above the first that takes the total past
    what is left, and every one below it is beyond the line too. One query."""
    if position.budget is None:
        return None
    latest = MeetingOpinion.objects.filter(declaration=OuterRef("declaration")).order_by(*OPINIONS_LATEST_FIRST)
    rows = summaries.annotate(
        proposal_scheme=Subquery(latest.values("scheme")[:1]),
        proposal_amount=Subquery(latest.values("proposed_amount")[:1]),
    ).values_list("pk", "declaration__state", "proposal_scheme", "proposal_amount", "declaration__award_cap")
    line = BudgetLine(position)
    drawn = ZERO
    for pk, state, scheme, proposed, award_cap in rows:
        draw = basis = None
        if state in OPEN_STATES:
            if scheme == SupportScheme.SUPPORT:
                draw, basis = proposed, PROPOSED
            elif scheme is None and award_cap is not None:
                draw, basis = award_cap, AWARD_CAP
        if draw is not None:
            drawn += draw
            if drawn <= position.left:
                line.fitting += 1
                line.fitting_total = drawn
            else:
                line.beyond += 1
                if line.first_beyond is None:
                    line.first_beyond = pk
        line.draws[pk] = (draw, basis, drawn if draw is not None else None)
    return line
