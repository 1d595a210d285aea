"""The evaluation queue's declarations and filters: the declarations a console user may see, in the
queue's order, the flags the queue shows (Art. 16 and 17, the evaluation summary's), the FilterSet
that narrows them, and the small forms of the queue page (the page size) with the Bootstrap form
the templates write."""

import django_filters
import rules
from django import forms
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import fields as filter_fields

from common import forms as safe_fields
from declarations.choices import call_choices, programme_choices
from declarations.enums import DeclarationState as S
from declarations.models import Call, Declaration, Organisation, Programme
from review.models import CreditRecord, DoubleFundingMatch, EvaluationSummary
from review.selectors import OPEN_JUDGEMENTS, QUEUE_FLAG_SOURCES, declaration_list_for_console


class Flag:
    """The flags of the queue: what staff must look at before a declaration goes further."""

    CREDIT = "credit"
    DOUBLE_FUNDING = "double_funding"
    OUTLIERS = "outliers"
    PASS_MARKS_MISSED = "pass_marks_missed"  # nosec B105 # a flag's name, not a password
    PERFORMANCE_FAIL = "performance_fail"

    CHOICES = [
        (CREDIT, _("Credit record in force (Art. 17)")),
        (DOUBLE_FUNDING, _("Possible double funding (Art. 16)")),
        (OUTLIERS, _("Outlying scores")),
        (PASS_MARKS_MISSED, _("Pass marks missed")),
        (PERFORMANCE_FAIL, _("A performance report of the unit graded a fail (Art. 18)")),
    ]
    LABELS = dict(CHOICES)
    # What a badge in the list says (its title gives the full label).
    SHORT_LABELS = {
        CREDIT: _("Credit record"),
        DOUBLE_FUNDING: _("Double funding?"),
        OUTLIERS: _("Outliers"),
        PASS_MARKS_MISSED: _("Below pass mark"),
        PERFORMANCE_FAIL: _("Performance fail"),
    }

    # The annotation of review.selectors.queue_expressions() that holds each flag.
    FIELDS = {
        CREDIT: "credit_in_force",
        DOUBLE_FUNDING: "possible_double_funding",
        OUTLIERS: "scores_outlying",
        PASS_MARKS_MISSED: "pass_marks_missed",
        # Registered by monitoring (review.selectors.QUEUE_FLAG_SOURCES).
        PERFORMANCE_FAIL: "performance_failed",
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


PER_PAGE_CHOICES = (25, 50, 100)
# The most organisations a queue search gives PostgreSQL as a list (QueueFilter.filter_search).
SEARCH_ORGANISATIONS = 500
# The most declarations a search of the queue reads at once, to count them and show a page of them
# (review.selectors.ReadAtOnce).
SEARCH_READ_AT_ONCE = 500


class PageSizeForm(safe_fields.BootstrapForm):
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


class CachedChoiceIterator(ModelChoiceIterator):
    """The field's choices as its `cached_choices()` gives them (declarations.choices), not read from
    its queryset: a value chosen is still looked up in the queryset."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.field.cached_choices()

    def __len__(self):
        return len(self.field.cached_choices()) + (self.field.empty_label is not None)


class CachedModelChoiceField(ModelChoiceField):
    iterator = CachedChoiceIterator

    def __init__(self, *args, cached_choices, **kwargs):
        self.cached_choices = cached_choices
        super().__init__(*args, **kwargs)


class CachedModelChoiceFilter(ModelChoiceFilter):
    """A call or programme filter offering its choices from the cache."""

    field_class = CachedModelChoiceField


class QueueFilterForm(safe_fields.BootstrapForm):
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

    call = CachedModelChoiceFilter(
        label=_("Call"),
        queryset=Call.objects.order_by("-year", "-opens_at"),
        empty_label=_("All calls"),
        cached_choices=call_choices,
    )
    programme = CachedModelChoiceFilter(
        label=_("Programme"),
        queryset=Programme.objects.all(),
        to_field_name="code",
        empty_label=_("All programmes"),
        cached_choices=programme_choices,
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
        """The declarations with any of the flags: their ids, from each register the flags ticked
        read once, in one list (a UNION), which the declarations are looked up IN. It is not a test
        per declaration, as the Exists that show the flags on a page, nor an OR of one list per flag,
        which made SQLite gather and sort every flagged declaration for a page and PostgreSQL probe
        each list for every declaration it counts."""
        flags = set(value)
        ids = []
        if Flag.CREDIT in flags:
            in_force = CreditRecord.objects.in_force_on(timezone.localdate()).values("credit_code")
            listed = Organisation.objects.filter(credit_code__in=in_force).values("pk")
            ids.append(Declaration.objects.filter(organisation__in=listed).values("pk"))
        if Flag.DOUBLE_FUNDING in flags:
            ids.append(DoubleFundingMatch.objects.filter(judgement__in=OPEN_JUDGEMENTS).values("declaration_id"))
        summary = Q()
        if Flag.OUTLIERS in flags:
            summary |= Q(has_outliers=True)
        if Flag.PASS_MARKS_MISSED in flags:
            summary |= Q(passed=False)
        if summary:
            ids.append(EvaluationSummary.objects.filter(summary).values("declaration_id"))
        for flag in flags:
            source = QUEUE_FLAG_SOURCES.get(Flag.FIELDS[flag])
            if source is not None:
                ids.append(source.flagged_ids(timezone.localdate()))
        if not ids:
            return queryset
        # A compound query takes no ORDER BY in its parts (the models' default orderings).
        ids = [part.order_by() for part in ids]
        return queryset.filter(pk__in=ids[0].union(*ids[1:]) if len(ids) > 1 else ids[0])

    def filter_search(self, queryset, name, value):
        """The declarations whose number, title or organisation's name contains `value`. The
        organisations are read first and given as a list: beside a list PostgreSQL joins the three
        conditions' index scans (declarations' migration 0021) in one bitmap; beside a subquery it
        read every declaration. A search that names more organisations than SEARCH_ORGANISATIONS
        keeps the subquery (the list would be no faster than reading them all)."""
        if not value:
            return queryset
        organisations = Organisation.objects.filter(name__icontains=value).order_by().values("pk")
        found = list(organisations[: SEARCH_ORGANISATIONS + 1].values_list("pk", flat=True))
        return queryset.filter(
            Q(number__icontains=value)
            | Q(title__icontains=value)
            | Q(organisation__in=found if len(found) <= SEARCH_ORGANISATIONS else organisations)
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
