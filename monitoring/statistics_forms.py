"""The statistics page's filters: a support year and, optionally, one call of it."""

from django import forms
from django.utils.translation import gettext_lazy as _


class StatisticsFilterForm(forms.Form):
    year = forms.TypedChoiceField(
        label=_("Support year"), coerce=int, widget=forms.Select(attrs={"class": "form-select"})
    )
    call = forms.TypedChoiceField(
        label=_("Call"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, data, *, calls, years):
        # No year asked: the latest one, with all its calls.
        if "year" not in data and years:
            data = {**data.dict(), "year": years[0]}
        super().__init__(data)
        self.calls = {call.pk: call for call in calls}
        self.fields["year"].choices = [(year, str(year)) for year in years]
        self.fields["call"].choices = [
            ("", _("Every call of the year")),
            *((call.pk, f"{call.year} · {call.title}") for call in calls),
        ]

    def clean(self):
        data = super().clean()
        call_id, year = data.get("call"), data.get("year")
        if call_id is not None and year is not None:
            if self.calls[call_id].year != year:
                self.add_error("call", _("This call is not of the support year chosen."))
            else:
                data["call"] = self.calls[call_id]
        elif call_id is not None:
            data["call"] = None
        return data
