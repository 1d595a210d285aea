"""The budget pages' forms: input validation only; review.budgets.budget_set does the rest."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common import forms as fields
from common.forms import MoneyField
from declarations.models import Programme
from review.budgets import FIRST_YEAR, LAST_YEAR


class BudgetForm(forms.Form):
    """Adjust one programme's budget for one year."""

    amount = MoneyField(label=_("Annual budget (yuan)"))
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=_("For example the budget document's reference, or why the budget is adjusted."),
    )


class NewBudgetForm(BudgetForm):
    """Set the budget of any programme for any year."""

    programme = fields.ModelChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.order_by("position", "pk"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    year = forms.IntegerField(label=_("Support year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    field_order = ["programme", "year", "amount", "reason"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"year": timezone.localdate().year})
        super().__init__(*args, **kwargs)


class BudgetYearForm(forms.Form):
    """The budget list's filter: one year, or every year listed."""

    year = forms.TypedChoiceField(
        label=_("Support year"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("Every year")), *((year, str(year)) for year in years)]
