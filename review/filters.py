"""The evaluation queue's declarations and filters: the declarations a console user may see, in the
queue's order, the flags the queue shows (Art. 16 and 17, the evaluation summary's), the FilterSet
that narrows them, and the small forms of the queue page (the page size)."""

import django_filters
import rules
from django import forms
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_filters import fields as filter_fields

from common import forms as safe_fields
from declarations.enums import DeclarationState as S
from declarations.models import Call, Organisation, Programme
from review.models import CreditRecord, DoubleFundingMatch, EvaluationSummary
from review.selectors import OPEN_JUDGEMENTS, declaration_list_for_console


class Flag:
    """The flags of the queue: what staff must look at before a declaration goes further."""

    CREDIT = "credit"
    DOUBLE_FUNDING = "double_funding"
    OUTLIERS = "outliers"
    PASS_MARKS_MISSED = "pass_marks_missed"

    CHOICES = [
        (CREDIT, _("Credit record in force (Art. 17)")),
        (DOUBLE_FUNDING, _("Possible double funding (Art. 16)")),
        (OUTLIERS, _("Outlying scores")),
        (PASS_MARKS_MISSED, _("Pass marks missed")),
    ]
    LABELS = dict(CHOICES)
    # What a badge in the list says (its title gives the full label).
    SHORT_LABELS = {
        CREDIT: _("Credit record"),
        DOUBLE_FUNDING: _("Double funding?"),
        OUTLIERS: _("Outliers"),
        PASS_MARKS_MISSED: _("Below pass mark"),
    }

    # The annotation of review.selectors.queue_expressions() that holds each flag.
    FIELDS = {
        CREDIT: "credit_in_force",
        DOUBLE_FUNDING: "possible_double_funding",
        OUTLIERS: "scores_outlying",
        PASS_MARKS_MISSED: "pass_marks_missed",
    }


def declaration_queue_for(user):
    """The declarations `user` may see in the console (review.selectors.declaration_list_for_console),
    newest submission first (the order of declarations migration 0009's index). The queue's page
    reads the ids of its rows from it, then the rows (review.selectors.declaration_queue_rows); the
    exports read it with review.selectors.with_queue_columns."""
    return declaration_list_for_console(user).order_by(F("submitted_at").desc(nulls_last=True), "-pk")


def flags_of(declaration):
    """The flags set on a declaration read with review.selectors.queue_expressions(), in
    Flag.CHOICES order."""
    return [flag for flag, _label in Flag.CHOICES if getattr(declaration, Flag.FIELDS[flag], False)]


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


PER_PAGE_CHOICES = (25, 50, 100)


class PageSizeForm(BootstrapForm):
    """How many declarations a page of the queue shows; a refused value shows the default."""

    per_page = forms.TypedChoiceField(
        label=_("Per page"),
        choices=[(n, str(n)) for n in PER_PAGE_CHOICES],
        coerce=int,
        required=False,
        empty_value=PER_PAGE_CHOICES[0],
    )

    @property
    def per_page_value(self):
        return self.cleaned_data["per_page"] if self.is_valid() else PER_PAGE_CHOICES[0]


class ModelChoiceIterator(filter_fields.ModelChoiceIterator, safe_fields.ModelChoiceIterator):
    """django-filter's choices (with its null choice) read by one plain query."""


class ModelChoiceField(filter_fields.ModelChoiceField, safe_fields.ModelChoiceField):
    """django-filter's choice field that also refuses, as an invalid choice, an id no primary key can
    be and text with a NUL character (PostgreSQL cannot compare it): never a server error."""

    iterator = ModelChoiceIterator

    def to_python(self, value):
        if isinstance(value, str) and "\x00" in value:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = ModelChoiceField


class QueueFilterForm(BootstrapForm):
    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("score_min"), cleaned.get("score_max")
        if low is not None and high is not None and low > high:
            self.add_error(
                "score_min", _("The lowest score must not be above the highest (%(high)s).") % {"high": high}
            )
        return cleaned


SCORE_FIELD = {"min_value": 0, "max_value": 100, "max_digits": 5, "decimal_places": 2}


class QueueFilter(django_filters.FilterSet):
    """The queue's filters. A bound filter with an error narrows to nothing: the list never
    pretends to be filtered by a value that was refused (see `declarations`)."""

    call = ModelChoiceFilter(
        label=_("Call"),
        queryset=Call.objects.order_by("-year", "-opens_at"),
        empty_label=_("All calls"),
    )
    programme = ModelChoiceFilter(
        label=_("Programme"),
        queryset=Programme.objects.all(),
        to_field_name="code",
        empty_label=_("All programmes"),
    )
    state = django_filters.ChoiceFilter(
        label=_("State"),
        choices=[(value, label) for value, label in S.choices if value != S.DRAFT],
        empty_label=_("All states"),
    )
    score_min = django_filters.NumberFilter(
        label=_("Score from"), field_name="evaluation_summary__total", lookup_expr="gte", **SCORE_FIELD
    )
    score_max = django_filters.NumberFilter(
        label=_("Score to"), field_name="evaluation_summary__total", lookup_expr="lte", **SCORE_FIELD
    )
    flags = django_filters.MultipleChoiceFilter(
        label=_("Flags"),
        choices=Flag.CHOICES,
        method="filter_flags",
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Declarations with any of the flags ticked."),
    )
    q = django_filters.CharFilter(
        label=_("Number, title or organisation"), method="filter_search", max_length=100, strip=True
    )

    class Meta:
        form = QueueFilterForm
        fields = []

    def filter_flags(self, queryset, name, value):
        """The declarations with any of the flags. Each flag is a list of ids read once (IN a
        subquery), not a test per declaration as the Exists that shows the flags on a page."""
        in_force = CreditRecord.objects.in_force_on(timezone.localdate()).values("credit_code")
        summaries = EvaluationSummary.objects.values("declaration_id")
        conditions = {
            Flag.CREDIT: Q(organisation__in=Organisation.objects.filter(credit_code__in=in_force).values("pk")),
            Flag.DOUBLE_FUNDING: Q(
                pk__in=DoubleFundingMatch.objects.filter(judgement__in=OPEN_JUDGEMENTS).values("declaration_id")
            ),
            Flag.OUTLIERS: Q(pk__in=summaries.filter(has_outliers=True)),
            Flag.PASS_MARKS_MISSED: Q(pk__in=summaries.filter(passed=False)),
        }
        condition = Q()
        for flag in value:
            condition |= conditions[flag]
        return queryset.filter(condition)

    def filter_search(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(title__icontains=value)
            | Q(organisation__in=Organisation.objects.filter(name__icontains=value).values("pk"))
        )

    @property
    def declarations(self):
        """The filtered declarations; none while a filter value is refused."""
        if not self.is_valid():
            return self.queryset.none()
        return self.qs


# Scoring is blind: a reviewer may not learn the others' scores from the queue, so these filters
# (which would reveal totals and outliers) are not theirs; neither are the Art. 16 and 17 flags,
# which are staff's to act on.
STAFF_ONLY_FILTERS = ("score_min", "score_max", "flags")


def queue_filter_for(user, data):
    """The queue's FilterSet for `user` over `data` (a QueryDict): without the score and flag filters
    for an expert reviewer."""
    filterset = QueueFilter(data, queryset=declaration_queue_for(user))
    if not rules.has_perm("console.view_scores", user):
        for name in STAFF_ONLY_FILTERS:
            del filterset.filters[name]
    return filterset


class DecisionFilter(django_filters.FilterSet):
    """The decisions export's filters: the queue's call and programme."""

    call = ModelChoiceFilter(label=_("Call"), field_name="declaration__call", queryset=Call.objects.all())
    programme = ModelChoiceFilter(
        label=_("Programme"),
        field_name="declaration__programme",
        queryset=Programme.objects.all(),
        to_field_name="code",
    )

    class Meta:
        fields = []

    @property
    def decisions(self):
        if not self.is_valid():
            return self.queryset.none()
        return self.qs
