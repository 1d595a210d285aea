"""Input validation of supervision (Art. 20); cleaned data goes to monitoring.supervision."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import PolicyDateField
from monitoring.enums import InspectionKind


class InspectionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=InspectionKind.choices)
    held_on = PolicyDateField(label=_("Held on"), future=False)
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 5}), max_length=10000)
    rectification_required = forms.BooleanField(label=_("Rectification required"), required=False)
    rectification_due_on = PolicyDateField(
        label=_("Rectify by"), required=False, help_text=_("Required when rectification is required.")
    )

    def clean(self):
        cleaned = super().clean()
        required, due = cleaned.get("rectification_required"), cleaned.get("rectification_due_on")
        if required and due is None and "rectification_due_on" not in self.errors:
            self.add_error("rectification_due_on", _("Give the date by which the unit must rectify."))
        if not required and due is not None:
            self.add_error(
                "rectification_due_on", _("A rectification date is given only when rectification is required.")
            )
        held = cleaned.get("held_on")
        if held and due and due < held:
            self.add_error("rectification_due_on", _("The rectification cannot be due before the inspection."))
        return cleaned


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Rectification answer"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
        help_text=_("What was rectified, and how."),
    )


class CloseForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000, required=False)


class InspectionFilterForm(forms.Form):
    overdue = forms.BooleanField(label=_("Overdue rectifications only"), required=False)

    @property
    def overdue_value(self):
        return bool(self.cleaned_data.get("overdue")) if self.is_valid() else False
