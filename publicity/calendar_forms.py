"""The working-day calendar's forms: they read dates and names and show at once, at each field,
what publicity.calendar finds wrong with them (outside the year, backwards, not on a weekend); the
services judge again, with what is entered already, and name the field at fault."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import DateInput, SingleLineCharField
from publicity.calendar import holiday_problems, make_up_day_problems


def _show(form, problems):
    """Add each problem at its field, unless the field has an error already (a date not read)."""
    for field, messages in problems.items():
        if field not in form.errors:
            for message in messages:
                form.add_error(field, message)


DATE_MESSAGES = {"required": _("Enter a date."), "invalid": _("Enter a date as YYYY-MM-DD, e.g. 2027-02-06.")}


def _date_field(label, year, help_text=""):
    return forms.DateField(
        label=label,
        help_text=help_text,
        error_messages=DATE_MESSAGES,
        widget=DateInput(attrs={"min": f"{year:04d}-01-01", "max": f"{year:04d}-12-31"}),
    )


class HolidayForm(forms.Form):
    name = SingleLineCharField(
        label=_("Holiday"),
        max_length=100,
        error_messages={"required": _("Name the holiday, as the State Council's notice does (e.g. Spring Festival).")},
        help_text=_("As the notice names it, e.g. Spring Festival."),
    )

    def __init__(self, *args, year, **kwargs):
        super().__init__(*args, prefix="holiday", **kwargs)
        self.year = year
        self.fields["first_day"] = _date_field(_("First day off"), year)
        self.fields["last_day"] = _date_field(
            _("Last day off"), year, help_text=_("Every day from the first to the last, weekends included.")
        )

    def clean(self):
        data = super().clean()
        _show(
            self,
            holiday_problems(
                year=self.year, name=data.get("name"), first_day=data.get("first_day"), last_day=data.get("last_day")
            ),
        )
        return data


class MakeUpDayForm(forms.Form):
    name = SingleLineCharField(
        label=_("For the holiday"),
        max_length=100,
        error_messages={"required": _("Name the holiday it makes up for (e.g. Spring Festival).")},
    )

    def __init__(self, *args, year, **kwargs):
        super().__init__(*args, prefix="make_up", **kwargs)
        self.year = year
        self.fields["day"] = _date_field(_("Date"), year, help_text=_("A Saturday or a Sunday that is worked."))
        # The date first, as the notice reads ("Saturday 20 February is a working day").
        self.order_fields(["day", "name"])

    def clean(self):
        data = super().clean()
        _show(self, make_up_day_problems(year=self.year, day=data.get("day"), name=data.get("name")))
        return data


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why reopen the year?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the year is reopened.")},
        help_text=_("Kept in the year's history. Until the year is complete again, no period may reach it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="reopen", **kwargs)


class RemoveForm(forms.Form):
    """Which entry a remove button removes: a holiday by its first day, a make-up day by its date."""

    day = forms.DateField(error_messages=DATE_MESSAGES)
