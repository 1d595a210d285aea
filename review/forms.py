from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from common import forms as fields
from common.forms import DateInput, MoneyField, SingleLineCharField
from common.money import yuan
from common.typography import join_clauses
from declarations.enums import DeclarationState
from review.acceptance import checklist_for
from review.models import UnitStatus


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Comments"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )


class ReasonForm(forms.Form):
    note = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class AcceptanceForm(forms.Form):
    """The formal review: tick what the evidence confirms, then accept, return or do not accept."""

    OUTCOMES = [
        ("accept", _("Accept")),
        ("return", _("Return for revision")),
        ("refuse", _("Do not accept")),
    ]
    checklist = forms.MultipleChoiceField(
        label=_("Checklist"), required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )
    note = forms.CharField(
        label=_("Comments to the applicant"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text=_(
            "Required to return a declaration or not to accept it: say what is missing or which condition fails."
        ),
    )
    outcome = forms.ChoiceField(choices=OUTCOMES, widget=forms.HiddenInput)

    def __init__(self, *args, declaration, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = checklist_for(declaration)
        self.fields["checklist"].choices = [(item.key, self._label(item)) for item in self.items]

    @staticmethod
    def _label(item):
        if not item.is_condition:
            return item.label
        declared = _("yes") if item.declared else _("no")
        return _("%(condition)s (declared: %(answer)s)") % {"condition": item.label, "answer": declared}

    def checklist_ticked(self):
        ticked = set(self.cleaned_data["checklist"])
        return {item.key: item.key in ticked for item in self.items}

    def clean(self):
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        if outcome in ("return", "refuse") and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("Say why, for the applicant."))
        if outcome == "accept":
            unticked = [item for item in self.items if item.key not in set(cleaned.get("checklist") or ())]
            if unticked:
                self.add_error(
                    "checklist",
                    _("Confirm every item before accepting; not confirmed: %(items)s")
                    % {"items": join_clauses(item.label for item in unticked)},
                )
        return cleaned


class AssignForm(forms.Form):
    reviewers = fields.ModelMultipleChoiceField(
        label=_("Expert reviewers"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Reviewers of the declaring organisation, and those who declared a conflict of interest with it, "
            "are not offered. The number is each reviewer's open evaluations."
        ),
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


class QueueFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        choices=[("", _("All states")), *DeclarationState.choices[1:]],
    )
    programme = forms.CharField(label=_("Programme"), required=False, max_length=10)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class UnitStatusForm(forms.Form):
    """A change of a unit's registration status (Art. 17), as staff record it for one organisation."""

    status = forms.ChoiceField(
        label=_("Registration status"),
        choices=UnitStatus.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the change of registration."),
            "invalid_choice": _("Choose one of the changes listed."),
        },
    )
    effective_on = forms.DateField(
        label=_("Effective on"),
        widget=DateInput(),
        error_messages={"required": _("Give the day the change took effect."), "invalid": _("Enter a valid date.")},
    )
    source = SingleLineCharField(
        label=_("Source"),
        max_length=200,
        help_text=_("For example the market regulator's notice and its reference."),
        error_messages={"required": _("Say where the change is recorded, such as the market regulator's notice.")},
    )
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
