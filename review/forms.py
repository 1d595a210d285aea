from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import MoneyField
from config import fields
from declarations.enums import DeclarationState
from declarations.templatetags.money import yuan


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Comments"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )


class ReasonForm(forms.Form):
    note = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class AssignForm(forms.Form):
    reviewers = fields.ModelMultipleChoiceField(
        label=_("Expert reviewers"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Reviewers of the declaring organisation are not offered: a conflict of interest."),
    )

    def __init__(self, *args, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = reviewers
        self.fields["reviewers"].label_from_instance = lambda r: (
            _("%(name)s (%(count)d open)") % {"name": r, "count": r.open_evaluations}
        )


class DecisionForm(forms.Form):
    amount = MoneyField(label=_("Approved amount (yuan)"), min_value=Decimal("0.01"))
    note = forms.CharField(
        label=_("Support scheme"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )

    def __init__(self, *args, cap=None, **kwargs):
        super().__init__(*args, **kwargs)
        if cap is not None:
            self.fields["amount"].help_text = _("At most the award cap of %(cap)s yuan.") % {"cap": yuan(cap)}


class ScoreForm(forms.Form):
    score = forms.DecimalField(label=_("Score (0-100)"), min_value=0, max_value=100, decimal_places=2, required=False)
    opinion = forms.CharField(
        label=_("Evaluation opinion"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000, required=False
    )


class QueueFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        choices=[("", _("All states")), *DeclarationState.choices[1:]],
    )
    programme = forms.CharField(label=_("Programme"), required=False, max_length=10)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
