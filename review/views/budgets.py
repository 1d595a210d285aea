"""The annual budgets in the console (Art. 2): every programme's budget per year with what is
committed and what is left; the administrator sets and adjusts them, commission staff read them."""

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from common.forms import MAX_PK
from common.http import query_without_page
from common.money import yuan
from common.views import permission_required
from declarations.models import Programme
from review.budget_forms import BudgetForm, BudgetYearForm, NewBudgetForm
from review.budgets import (
    FIRST_YEAR,
    HISTORY_PER_PAGE,
    LAST_YEAR,
    budget_history,
    budget_list,
    budget_position,
    budget_set,
    budget_years,
)


def _add_refusal(form, refusal):
    """A refusal of budget_set at the form's fields it names; the rest above the form."""
    if hasattr(refusal, "error_dict"):
        for name, errors in refusal.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, refusal)


def _set(request, form, programme_id, year):
    """Hand a valid form to budget_set; returns the budget, or None with the refusal on the form."""
    try:
        budget = budget_set(
            programme_id=programme_id,
            year=year,
            amount=form.cleaned_data["amount"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as refusal:
        _add_refusal(form, refusal)
        return None
    messages.success(
        request,
        _("The %(year)s budget of %(programme)s is now %(amount)s yuan.")
        % {"year": budget.year, "programme": budget.programme.code, "amount": yuan(budget.amount)},
    )
    return budget


def _posted_form(request, form_class, **kwargs):
    """The form as posted, for the administrator only."""
    if not rules.has_perm("review.manage_budgets", request.user):
        raise PermissionDenied
    return form_class(request.POST, **kwargs)


@permission_required("review.view_budgets")
def budgets(request):
    years = budget_years()
    # This year's budgets first; "every year" is the filter left empty.
    filter_form = BudgetYearForm(request.GET or {"year": timezone.localdate().year}, years=years)
    year = filter_form.cleaned_data["year"] if filter_form.is_valid() else None
    may_manage = rules.has_perm("review.manage_budgets", request.user)
    form = NewBudgetForm() if may_manage else None
    if request.method == "POST":
        form = _posted_form(request, NewBudgetForm)
        if form.is_valid():
            data = form.cleaned_data
            budget = _set(request, form, data["programme"].pk, data["year"])
            if budget is not None:
                return redirect("review:budget", programme_id=budget.programme_id, year=budget.year)
        messages.error(request, _("Nothing was set: please correct the errors below."))
    context = {
        "page": budget_list(years=[year] if year else years, page_number=request.GET.get("page")),
        "filter_form": filter_form,
        "form": form,
        "query_string": query_without_page(request),
        "console_section": "budgets",
    }
    return render(request, "review/budgets/list.html", context)


@permission_required("review.view_budgets")
def budget(request, programme_id, year):
    if not FIRST_YEAR <= year <= LAST_YEAR or programme_id > MAX_PK:
        raise Http404
    programme = get_object_or_404(Programme, pk=programme_id)
    may_manage = rules.has_perm("review.manage_budgets", request.user)
    form = None
    if request.method == "POST":
        form = _posted_form(request, BudgetForm)
        if form.is_valid() and _set(request, form, programme.pk, year) is not None:
            return redirect("review:budget", programme_id=programme.pk, year=year)
        messages.error(request, _("Nothing was set: please correct the errors below."))
    position = budget_position(programme, year)
    if form is None and may_manage:
        form = BudgetForm(initial={"amount": position.amount})
    context = {
        "position": position,
        "history": Paginator(budget_history(programme, year), HISTORY_PER_PAGE).get_page(request.GET.get("page")),
        "form": form,
        "console_section": "budgets",
    }
    return render(request, "review/budgets/budget.html", context)


urlpatterns = [
    path("budgets/", budgets, name="budgets"),
    path("budgets/<int:programme_id>/<int:year>/", budget, name="budget"),
]
