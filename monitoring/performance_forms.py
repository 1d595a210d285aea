"""Input validation of performance management (Art. 18); cleaned data goes to monitoring.performance,
whose refusals come back at the field they name."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.forms import PolicyDateField, SingleLineCharField
from monitoring.enums import PerformanceGrade
from monitoring.models import INDICATOR_VALUE
from monitoring.performance import MAX_INDICATORS, clean_upload

VALUE_LIMIT = 10 ** (INDICATOR_VALUE["max_digits"] - INDICATOR_VALUE["decimal_places"]) - 1


def _value_field(label, required=True):
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=INDICATOR_VALUE["max_digits"],
        decimal_places=INDICATOR_VALUE["decimal_places"],
        min_value=-VALUE_LIMIT,
        max_value=VALUE_LIMIT,
    )


class IndicatorForm(forms.Form):
    name = SingleLineCharField(label=_("Indicator"), max_length=200)
    unit = SingleLineCharField(label=_("Unit"), max_length=30)
    baseline = _value_field(_("Baseline"))
    target = _value_field(_("Target"))


IndicatorFormSet = forms.formset_factory(
    IndicatorForm, extra=2, max_num=MAX_INDICATORS, validate_max=True, absolute_max=MAX_INDICATORS
)


class PlanDatesForm(forms.Form):
    mid_term_due_on = PolicyDateField(
        label=_("Mid-term report due on"),
        required=False,
        help_text=_("Leave empty if no mid-term report is asked for."),
    )
    final_due_on = PolicyDateField(label=_("Final report due on"))

    def clean(self):
        cleaned = super().clean()
        mid, final = cleaned.get("mid_term_due_on"), cleaned.get("final_due_on")
        if mid and final and mid >= final:
            self.add_error("mid_term_due_on", _("The mid-term report must be due before the final one."))
        return cleaned


class ReportForm(forms.Form):
    """The unit's report: a value per indicator of the plan, the narrative, and an evidence file."""

    narrative = forms.CharField(
        label=_("Progress of the project"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
        required=False,
        help_text=_("How the targets were reached, or why not, and how the support was used."),
    )
    file = forms.FileField(
        label=_("Evidence file"),
        required=False,
        max_length=255,
        help_text=_("PDF, JPEG or PNG, checked as a declaration's evidence is. One file per save."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        for indicator in self.indicators:
            field = _value_field(f"{indicator.name} ({indicator.unit})", required=False)
            field.help_text = _("Target: %(target)s, baseline: %(baseline)s") % {
                "target": indicator.target,
                "baseline": indicator.baseline,
            }
            self.fields[f"value_{indicator.pk}"] = field

    def value_fields(self):
        return [self[f"value_{indicator.pk}"] for indicator in self.indicators]

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        return clean_upload(uploaded) if uploaded else None

    def values(self):
        return {indicator.pk: self.cleaned_data.get(f"value_{indicator.pk}") for indicator in self.indicators}


class EvaluateForm(forms.Form):
    grade = forms.ChoiceField(label=_("Grade"), choices=PerformanceGrade.choices, widget=forms.RadioSelect)
    opinion = forms.CharField(label=_("Evaluation opinion"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class ReturnForm(forms.Form):
    note = forms.CharField(label=_("What to revise"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


REPORT_FILTER_CHOICES = [
    ("all", _("All")),
    ("submitted", _("Awaiting evaluation")),
    ("overdue", _("Overdue")),
    ("evaluated", pgettext_lazy("performance report", "Evaluated")),
]


class ReportFilterForm(forms.Form):
    which = forms.ChoiceField(label=_("Show"), choices=REPORT_FILTER_CHOICES, required=False)

    @property
    def which_value(self):
        return (self.cleaned_data.get("which") or "all") if self.is_valid() else "all"
