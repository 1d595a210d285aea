"""The API's filters (django-filter): by call, programme, state and date. A value that cannot be read
is a 400 naming the field."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from api.states import applicant_state_choices, reads_applicant_states, staff_states_of
from declarations.enums import DeclarationState
from declarations.models import Declaration
from disbursement.enums import RecoveryCaseState
from disbursement.models import Payment, RecoveryCase

# Primary keys are 64-bit: a larger number names no row (and would overflow the database driver).
MAX_PK = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """A row's id: a whole number a primary key can be, else a 400 at the field."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_PK)
        super().__init__(*args, **kwargs)


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=2000, max_value=2999, **kwargs)


class DeclarationFilter(django_filters.FilterSet):
    call = IdFilter(field_name="call_id", help_text=_("A call's id."))
    year = YearFilter(field_name="call__year", help_text=_("The support year of the call."))
    programme = django_filters.CharFilter(field_name="programme__code", help_text=_("A programme's code, e.g. ART6."))
    state = django_filters.MultipleChoiceFilter(
        choices=DeclarationState.choices,
        method="filter_state",
        help_text=_("One state or several (state=a&state=b), as the field `state` gives them to this holder."),
    )
    submitted_since = django_filters.IsoDateTimeFilter(
        field_name="submitted_at", lookup_expr="gte", help_text=_("Submitted at or after this moment (ISO 8601).")
    )
    changed_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", help_text=_("Changed at or after this moment (ISO 8601).")
    )

    class Meta:
        model = Declaration
        fields = ["call", "year", "programme", "state", "submitted_since", "changed_since"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.applicant = request is not None and reads_applicant_states(request.user)
        if self.applicant:
            # An applicant filters by the states it reads: the staff's internal steps are not a choice.
            # A new filter, not the copied one, whose form field may be built already (the schema's).
            state = django_filters.MultipleChoiceFilter(
                field_name="state", choices=applicant_state_choices(), method="filter_state"
            )
            state.parent = self
            self.filters["state"] = state

    def filter_state(self, queryset, name, value):
        if not value:
            return queryset
        states = [s for code in value for s in (staff_states_of(code) if self.applicant else [code])]
        return queryset.filter(state__in=states)


class PaymentFilter(django_filters.FilterSet):
    declaration = IdFilter(field_name="declaration_id", help_text=_("A declaration's id."))
    call = IdFilter(field_name="declaration__call_id", help_text=_("A call's id."))
    programme = django_filters.CharFilter(
        field_name="declaration__programme__code", help_text=_("A programme's code, e.g. ART6.")
    )
    paid_since = django_filters.DateFilter(
        field_name="paid_on", lookup_expr="gte", help_text=_("Paid on or after this day (YYYY-MM-DD).")
    )
    recorded_since = django_filters.IsoDateTimeFilter(
        field_name="recorded_at", lookup_expr="gte", help_text=_("Recorded at or after this moment (ISO 8601).")
    )

    class Meta:
        model = Payment
        fields = ["declaration", "call", "programme", "paid_since", "recorded_since"]


class RecoveryCaseFilter(django_filters.FilterSet):
    declaration = IdFilter(field_name="declaration_id", help_text=_("A declaration's id."))
    call = IdFilter(field_name="declaration__call_id", help_text=_("A call's id."))
    programme = django_filters.CharFilter(
        field_name="declaration__programme__code", help_text=_("A programme's code, e.g. ART6.")
    )
    state = django_filters.MultipleChoiceFilter(choices=RecoveryCaseState.choices, help_text=_("One state or several."))
    opened_since = django_filters.IsoDateTimeFilter(
        field_name="opened_at", lookup_expr="gte", help_text=_("Opened at or after this moment (ISO 8601).")
    )

    class Meta:
        model = RecoveryCase
        fields = ["declaration", "call", "programme", "state", "opened_since"]
