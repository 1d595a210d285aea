"""The API's filters (django-filter): by call, programme, state and date. A value that cannot be read
is a 400 naming the field."""

import django_filters
from django.utils.translation import gettext_lazy as _

from api.states import applicant_state_choices, reads_applicant_states, staff_states_of
from declarations.enums import DeclarationState
from declarations.models import Declaration
from disbursement.enums import RecoveryCaseState
from disbursement.models import Payment, RecoveryCase


class DeclarationFilter(django_filters.FilterSet):
    call = django_filters.NumberFilter(field_name="call_id", help_text=_("A call's id."))
    year = django_filters.NumberFilter(field_name="call__year", help_text=_("The support year of the call."))
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
        if request is not None and reads_applicant_states(request.user):
            # An applicant filters by the states it reads: the staff's internal steps are not a choice.
            self.filters["state"].extra["choices"] = applicant_state_choices()
        self.applicant = request is not None and reads_applicant_states(request.user)

    def filter_state(self, queryset, name, value):
        if not value:
            return queryset
        states = [s for code in value for s in (staff_states_of(code) if self.applicant else [code])]
        return queryset.filter(state__in=states)


class PaymentFilter(django_filters.FilterSet):
    declaration = django_filters.NumberFilter(field_name="declaration_id", help_text=_("A declaration's id."))
    call = django_filters.NumberFilter(field_name="declaration__call_id", help_text=_("A call's id."))
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
    declaration = django_filters.NumberFilter(field_name="declaration_id", help_text=_("A declaration's id."))
    call = django_filters.NumberFilter(field_name="declaration__call_id", help_text=_("A call's id."))
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
