"""Form fields every app shares: amounts, dates of the policy's work, single-line text and model
choices; and the Bootstrap form whose fields are written in Python, for the lists' filters (the
console's queue, the public board)."""

from datetime import date
from decimal import Decimal
from html import escape

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import localize
from django.utils.functional import cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from common.money import MONEY, MONEY_LIMIT, yuan
from common.text import validate_single_line
from common.typography import short_date


class MoneyInput(forms.TextInput):
    """Shows a saved amount with thousands separators, as it is typed and printed: 1,600,000.00. In
    Chinese, static/js/site.js writes under it the amount's 万元 reading as it is typed (data-wan),
    as common.typography.wan_yuan_reading does for amounts shown."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", "data-wan": "", **(attrs or {})})

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
            raise ValidationError(
                self.error_messages["too_late"],
                code="too_late",
                params={"last": short_date(latest)},
            )

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


# A select's empty choice, in words rather than Django's "---------".
EMPTY_CHOICE = _("Choose one")


class ModelChoiceField(forms.ModelChoiceField):
    """Refuses a value that no primary key could have with the usual "invalid choice" message. Its
    empty choice reads EMPTY_CHOICE unless the form names another."""

    iterator = ModelChoiceIterator

    def __init__(self, queryset, *, empty_label=EMPTY_CHOICE, **kwargs):
        super().__init__(queryset, empty_label=empty_label, **kwargs)

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

    # The field as a template writes it (`{{ field.select_html }}`), by select_markup() and the others.

    def select_html(self):
        """A <select> with its label and errors; "selected" on the chosen options."""
        return select_markup(
            name=self.html_name, field_id=self.auto_id, label=self.label, options=self.options, errors=self.errors
        )

    def input_html(self):
        """An <input> of the widget's type, or a <textarea>, with the widget's attributes, the label,
        the help text and the errors, tied to it by aria-describedby."""
        widget, value = self.field.widget, self.value()
        return input_markup(
            input_type=getattr(widget, "input_type", None),
            name=self.html_name,
            field_id=self.auto_id,
            label=self.label,
            value=value,
            attrs=widget.attrs,
            errors=self.errors,
            help_text=self.help_text,
        )

    def checkbox_html(self):
        """A check box with its label after it, its help text and errors."""
        return checkbox_markup(
            name=self.html_name,
            field_id=self.auto_id,
            label=self.label,
            checked=bool(self.value()),
            errors=self.errors,
            help_text=self.help_text,
        )

    def checkboxes_html(self):
        """A fieldset of check boxes, one per choice, with its legend, help text and errors."""
        return self._checkboxes(inline=False)

    def inline_checkboxes_html(self):
        """The same, the check boxes side by side."""
        return self._checkboxes(inline=True)

    def _checkboxes(self, *, inline):
        return checkboxes_markup(
            name=self.html_name,
            field_id=self.auto_id,
            label=self.label,
            options=self.options,
            errors=self.errors,
            help_text=self.help_text,
            inline=inline,
        )

    def field_html(self):
        """The field as its widget asks, a select, a check box or an input, with its help text and a
        required field's label marked * and its control `required`; the value as the widget shows
        it (an amount with its separators)."""
        widget, common = self.field.widget, {"name": self.html_name, "field_id": self.auto_id, "label": self.label}
        common |= {"errors": self.errors, "help_text": self.help_text}
        if isinstance(widget, forms.CheckboxInput):
            return self.checkbox_html()
        if isinstance(widget, forms.Select):
            return select_markup(options=self.options, required=self.field.required, **common)
        value = self.value()
        return input_markup(
            input_type=getattr(widget, "input_type", None),
            value=None if value is None else widget.format_value(value),
            attrs=widget.attrs,
            required=self.field.required,
            **common,
        )


# A field's markup, written in Python: through the template engine, the board's search form alone
# took a public page's whole budget (bench/README.md). Every value is escaped as a template escapes
# it (conditional_escape: text marked safe is kept). Used by BootstrapBoundField and by the public
# board's search (publicity.forms.BoardSearch), which is not a Django form for the same reason.


def select_markup(*, name, field_id, label, options, errors, help_text="", required=False):
    """A <select> of `options` ((value, label, chosen) each) with its label, help text and `errors`."""
    invalid = ' is-invalid" aria-invalid="true' if errors else ""
    describedby = _described_by(field_id, help_text, errors)
    shown = "".join(
        f'<option value="{escape(value)}"{" selected" if chosen else ""}>{conditional_escape(text)}</option>'
        for value, text, chosen in options
    )
    return mark_safe(  # nosec B308 B703 # every value in it is escaped
        f"{_label_markup(field_id, label, required)}\n"
        f'<select name="{name}" id="{field_id}" class="form-select{invalid}"{describedby}'
        f"{' required' if required else ''}>\n{shown}\n</select>\n"
        f"{_help_markup(field_id, help_text)}{_errors_markup(field_id, errors)}\n"
    )


def checkboxes_markup(*, name, field_id, label, options, errors, help_text="", inline=False):
    """A fieldset of check boxes of `options` ((value, label, chosen) each), with its legend, help text
    and `errors` (tied to it by aria-describedby); `inline`: side by side."""
    describedby = f' aria-describedby="{field_id}_error"' if errors else ""
    box = f"form-check{' form-check-inline' if inline else ''}"
    invalid = " is-invalid" if errors else ""
    boxes = "".join(
        f'<div class="{box}"><input type="checkbox" class="form-check-input{invalid}" name="{name}" '
        f'id="{field_id}_{at}" value="{conditional_escape(value)}"{" checked" if chosen else ""}>'
        f'<label class="form-check-label" for="{field_id}_{at}">{conditional_escape(text)}</label></div>\n'
        for at, (value, text, chosen) in enumerate(options)
    )
    help_markup = f'<div class="form-text">{conditional_escape(help_text)}</div>' if help_text else ""
    messages = " ".join(conditional_escape(error) for error in errors)
    errors_markup = f'<div class="invalid-feedback d-block" id="{field_id}_error">{messages}</div>' if errors else ""
    return mark_safe(  # nosec B308 B703 # every value in it is escaped
        f'<fieldset{describedby}>\n<legend class="form-label fs-6 mb-1">{conditional_escape(label)}</legend>\n'
        f"{boxes}{help_markup}\n{errors_markup}\n</fieldset>\n"
    )


def checkbox_markup(*, name, field_id, label, checked, errors, help_text=""):
    """A check box with its label after it, its help text and `errors`."""
    invalid = ' is-invalid" aria-invalid="true' if errors else ""
    describedby = _described_by(field_id, help_text, errors)
    return mark_safe(  # nosec B308 B703 # every value in it is escaped
        f'<div class="form-check"><input type="checkbox" name="{name}" id="{field_id}" '
        f'class="form-check-input{invalid}"{" checked" if checked else ""}{describedby}>\n'
        f'<label class="form-check-label" for="{field_id}">{conditional_escape(label)}</label>\n'
        f"{_help_markup(field_id, help_text)}{_errors_markup(field_id, errors)}</div>\n"
    )


def input_markup(*, input_type, name, field_id, label, value, attrs, errors, help_text="", required=False):
    """An <input> of `input_type` (None: a <textarea>) with `attrs`, its label, help text and errors,
    tied to it by aria-describedby."""
    attributes = "".join(f' {key}="{conditional_escape(attr)}"' for key, attr in attrs.items())
    if required:
        attributes += " required"
    shown = "" if value is None else conditional_escape(localize(value))
    if input_type:
        value_attr = "" if value is None else f' value="{shown}"'
        invalid = ' aria-invalid="true"' if errors else ""
        describedby = _described_by(field_id, help_text, errors)
        control = (
            f'<input type="{input_type}" name="{name}" id="{field_id}"{value_attr}{attributes}{invalid}{describedby}>'
        )
    else:
        invalid = f' aria-invalid="true" aria-describedby="{field_id}_error"' if errors else ""
        control = f'<textarea name="{name}" id="{field_id}"{attributes}{invalid}>{shown}</textarea>'
    return mark_safe(  # nosec B308 B703 # every value in it is escaped
        f"{_label_markup(field_id, label, required)}\n{control}\n"
        f"{_help_markup(field_id, help_text)}\n{_errors_markup(field_id, errors)}"
    )


def _label_markup(field_id, label, required):
    star = '<span class="asteriskField">*</span>' if required else ""
    return f'<label class="form-label" for="{field_id}">{conditional_escape(label)}{star}</label>'


def _help_markup(field_id, help_text):
    if not help_text:
        return ""
    return f'<div class="form-text" id="{field_id}_helptext">{conditional_escape(help_text)}</div>'


def _described_by(field_id, help_text, errors):
    """The control's aria-describedby attribute naming its help text and its errors, or nothing."""
    described = " ".join(([f"{field_id}_helptext"] if help_text else []) + ([f"{field_id}_error"] if errors else []))
    return f' aria-describedby="{described}"' if described else ""


def _errors_markup(field_id, errors):
    if not errors:
        return ""
    messages = " ".join(conditional_escape(error) for error in errors)
    return f'<div class="invalid-feedback" id="{field_id}_error">{messages}</div>'


class BootstrapForm(forms.Form):
    """A form whose inputs carry Bootstrap 5's classes, "is-invalid" where a value was refused. A
    template writes a field by its bound field's `select_html`, `input_html` (an input or a
    textarea, with its help text), `checkbox_html`, `checkboxes_html` or `inline_checkboxes_html`
    (or `field_html`, whichever its widget asks), each with the field's label, its errors and the
    ARIA attributes that tie them together."""

    bound_field_class = BootstrapBoundField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()

    def style_fields(self):
        """Give each field's widget its Bootstrap class; a form that adds fields in its own
        __init__ calls it again after them."""
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
