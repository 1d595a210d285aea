"""Form fields every app shares: amounts, dates of the policy's work, single-line text and model
choices; and the Bootstrap form whose fields are written in Python, for the lists' filters (the
console's queue, the public board)."""

from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from common.money import MONEY, MONEY_LIMIT, yuan
from common.text import validate_single_line


class MoneyInput(forms.TextInput):
    """Shows a saved amount with thousands separators, as it is typed and printed: 1,600,000.00."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, Decimal | int):
            return yuan(value)
        return super().format_value(value)


class MoneyField(forms.DecimalField):
    """An amount in yuan: accepts thousands separators as people type them (1,600,000.00)."""

    widget = MoneyInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", MONEY["max_digits"])
        kwargs.setdefault("decimal_places", MONEY["decimal_places"])
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MONEY_LIMIT)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        # DecimalField would add step/min/max meant for a number input; this is a text input.
        return {}

    def to_python(self, value):
        if isinstance(value, str):
            # People type amounts with ASCII or full-width (Chinese input method) separators.
            value = value.replace(",", "").replace("\uff0c", "").replace(" ", "").strip()
        return super().to_python(value)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)


# Jingkefa [2022] No. 6 took effect in 2022: nothing of its work (a payment, a repayment, a plan, a
# meeting) is dated earlier.
POLICY_FIRST_DAY = date(2022, 1, 1)
# How far ahead a plan or a due date of the policy's work may reasonably be.
YEARS_AHEAD = 10


class PolicyDateField(forms.DateField):
    """A date of the policy's work: from POLICY_FIRST_DAY, and at most YEARS_AHEAD years ahead, or,
    with `future=False` (what has happened: a payment, a repayment, a meeting), at most today."""

    widget = DateInput
    default_error_messages = {
        "too_early": _("Enter a date from 1 January 2022, when the policy took effect."),
        "future": _("This date cannot be after today."),
        "too_late": _("Enter a date no later than %(last)s."),
    }

    def __init__(self, *, future=True, **kwargs):
        self.future = future
        super().__init__(**kwargs)

    def latest(self):
        today = timezone.localdate()
        return date(today.year + YEARS_AHEAD, 12, 31) if self.future else today

    def validate(self, value):
        super().validate(value)
        if value in self.empty_values:
            return
        if value < POLICY_FIRST_DAY:
            raise ValidationError(self.error_messages["too_early"], code="too_early")
        latest = self.latest()
        if value > latest:
            if not self.future:
                raise ValidationError(self.error_messages["future"], code="future")
            raise ValidationError(self.error_messages["too_late"], code="too_late", params={"last": latest.isoformat()})

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "min": POLICY_FIRST_DAY.isoformat(), "max": self.latest().isoformat()}


class SingleLineCharField(forms.CharField):
    """A title, a name, a reference: text on one line (common.text)."""

    default_validators = [validate_single_line]


# Primary keys are 64-bit; a larger number would overflow the database driver, not match a row.
MAX_PK = 2**63 - 1


def _in_range(value):
    """False only for a whole number no primary key can be; other text is for Django to judge."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return True
    return 0 < number <= MAX_PK


class ModelChoiceIterator(forms.models.ModelChoiceIterator):
    """A field's choices read by one plain query. Django's iterator reads them through
    QuerySet.iterator(), which on PostgreSQL is a server-side cursor: declaring, fetching and
    closing it are three round trips for the few rows of a select."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class ModelChoiceField(forms.ModelChoiceField):
    """Refuses a value that no primary key could have with the usual "invalid choice" message."""

    iterator = ModelChoiceIterator

    def to_python(self, value):
        if value not in self.empty_values and not _in_range(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = ModelChoiceIterator

    def _check_values(self, value):
        for pk in value:
            if not _in_range(pk):
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super()._check_values(value)


# --- Fields written in Python, for the lists' filter forms ----------------------------------------


class BootstrapBoundField(forms.BoundField):
    """A field of a BootstrapForm, with its choices as the templates write them."""

    @property
    def options(self):
        """The field's choices as (value, label, chosen): BootstrapForm.options[name]."""
        return self.form.options[self.name]


class BootstrapForm(forms.Form):
    """A form whose inputs carry Bootstrap 5's classes, "is-invalid" where a value was refused. The
    templates under templates/common/fields/ write its fields: `_select.html`, `_input.html` (an
    input or a textarea, with its help text) and `_checkboxes.html`, each with the field's label,
    its errors and the ARIA attributes that tie them together."""

    bound_field_class = BootstrapBoundField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select"
            else:
                widget.attrs["class"] = "form-control"

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["class"] += " is-invalid"

    @cached_property
    def options(self):
        """A choice field's choices as (value, label, chosen), by field name, worked out when a
        template asks: the field templates write the options and checkboxes from them, which is
        much cheaper than Django's widget template per option."""
        return _Options(self)


class _Options(dict):
    def __init__(self, form):
        super().__init__()
        self.form = form

    def __missing__(self, name):
        field = self.form.fields[name]
        current = self.form[name].value()
        if isinstance(current, list | tuple):
            chosen = {str(value) for value in current}
        else:
            chosen = {"" if current is None else str(current)}
        self[name] = [(str(value), label, str(value) in chosen) for value, label in field.choices]
        return self[name]
