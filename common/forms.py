"""Form fields every app shares: amounts, dates and model choices; and the Bootstrap form whose
fields are written in Python, for the lists' filters (the console's queue, the public board)."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.functional import cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from common.money import MONEY, MONEY_LIMIT, yuan


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


def _join_errors(errors):
    return conditional_escape(" ").join([conditional_escape(error) for error in errors])


class BootstrapBoundField(forms.BoundField):
    """A field of a BootstrapForm, written as the queue's Bootstrap 5 markup by the properties
    below, in Python: the page has a dozen of them, and a template include per field with a lookup
    per attribute cost more than the rest of the filters. Every value written is escaped."""

    def _label(self, auto_id):
        return f'<label class="form-label" for="{auto_id}">{conditional_escape(self.label)}</label>'

    def _error(self, auto_id, errors, css="invalid-feedback"):
        return f'<div class="{css}" id="{auto_id}_error">{_join_errors(errors)}</div>' if errors else ""

    @property
    def as_select(self):
        """A <select> of the field's choices (BootstrapForm.options)."""
        auto_id, errors = conditional_escape(self.auto_id), self.errors
        invalid = f' is-invalid" aria-invalid="true" aria-describedby="{auto_id}_error' if errors else ""
        options = "".join(
            [
                f'<option value="{conditional_escape(value)}"{" selected" if chosen else ""}>'
                f"{conditional_escape(label)}</option>"
                for value, label, chosen in self.form.options[self.name]
            ]
        )
        return mark_safe(
            f"{self._label(auto_id)}\n"
            f'<select name="{conditional_escape(self.html_name)}" id="{auto_id}" class="form-select{invalid}">\n'
            f"{options}\n</select>\n{self._error(auto_id, errors)}\n"
        )

    @property
    def as_input(self):
        """An <input> of the field's widget's type, or a <textarea>, with its help text."""
        widget = self.field.widget
        auto_id, errors, help_text = conditional_escape(self.auto_id), self.errors, self.help_text
        name = conditional_escape(self.html_name)
        value = self.value()
        attrs = "".join(
            [f' {conditional_escape(k)}="{conditional_escape(formats.localize(v))}"' for k, v in widget.attrs.items()]
        )
        if getattr(widget, "input_type", None):
            shown = "" if value is None else f' value="{conditional_escape(formats.localize(value))}"'
            described = ""
            if help_text or errors:
                described = (
                    f' aria-describedby="{f"{auto_id}_helptext" if help_text else ""}'
                    f'{f" {auto_id}_error" if errors else ""}"'
                )
            invalid = ' aria-invalid="true"' if errors else ""
            control = (
                f'<input type="{conditional_escape(widget.input_type)}" name="{name}" id="{auto_id}"'
                f"{shown}{attrs}{invalid}{described}>"
            )
        else:
            invalid = f' aria-invalid="true" aria-describedby="{auto_id}_error"' if errors else ""
            text = "" if value is None else conditional_escape(formats.localize(value))
            control = f'<textarea name="{name}" id="{auto_id}"{attrs}{invalid}>{text}</textarea>'
        help_html = (
            f'<div class="form-text" id="{auto_id}_helptext">{conditional_escape(help_text)}</div>' if help_text else ""
        )
        return mark_safe(f"{self._label(auto_id)}\n{control}\n{help_html}\n{self._error(auto_id, errors)}")

    @property
    def as_hidden_input(self):
        """The field as Django's HiddenInput writes it (its widget's attributes, then the id)."""
        widget = self.field.widget
        value = widget.format_value(self.value())
        shown = "" if value is None else f' value="{conditional_escape(value)}"'
        attrs = "".join([f' {conditional_escape(k)}="{conditional_escape(v)}"' for k, v in widget.attrs.items()])
        return mark_safe(
            f'<input type="hidden" name="{conditional_escape(self.html_name)}"{shown}{attrs}'
            f' id="{conditional_escape(self.auto_id)}">'
        )

    @property
    def as_checkboxes(self):
        """A fieldset of a checkbox per choice (BootstrapForm.options)."""
        return self._checkboxes(" form-check")

    @property
    def as_inline_checkboxes(self):
        return self._checkboxes(" form-check form-check-inline")

    def _checkboxes(self, css):
        auto_id, errors, help_text = conditional_escape(self.auto_id), self.errors, self.help_text
        name = conditional_escape(self.html_name)
        invalid = " is-invalid" if errors else ""
        boxes = "".join(
            [
                f'<div class="{css.strip()}">'
                f'<input type="checkbox" class="form-check-input{invalid}" name="{name}" id="{auto_id}_{k}"'
                f' value="{conditional_escape(value)}"{" checked" if chosen else ""}>'
                f'<label class="form-check-label" for="{auto_id}_{k}">{conditional_escape(label)}</label></div>\n'
                for k, (value, label, chosen) in enumerate(self.form.options[self.name])
            ]
        )
        described = f' aria-describedby="{auto_id}_error"' if errors else ""
        help_html = f'<div class="form-text">{conditional_escape(help_text)}</div>' if help_text else ""
        return mark_safe(
            f'<fieldset{described}>\n<legend class="form-label fs-6 mb-1">{conditional_escape(self.label)}</legend>\n'
            f"{boxes}{help_html}\n{self._error(auto_id, errors, 'invalid-feedback d-block')}\n</fieldset>\n"
        )


class BootstrapForm(forms.Form):
    """A form whose inputs carry Bootstrap 5's classes, "is-invalid" where a value was refused,
    written by BootstrapBoundField (`{{ form.field.as_select }}`, `as_input`, `as_checkboxes`)."""

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
        template asks: the templates write the options and checkboxes themselves, which is much
        cheaper than Django's widget template per option."""
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
