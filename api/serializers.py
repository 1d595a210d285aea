"""What the API writes of each row: money as strings with two decimals, dates and times in ISO 8601."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.selectors import may_view_money
from api.states import STATE_HELP, applicant_state, reads_applicant_states
from common.money import MONEY
from declarations.enums import APPLICANT_LABELS
from declarations.models import Call, Declaration, Organisation
from disbursement.models import Payment, RecoveryCase, Repayment


def Money(**kwargs):
    return serializers.DecimalField(**MONEY, coerce_to_string=True, read_only=True, **kwargs)


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "credit_code"]


class CallSerializer(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True, help_text="The call's title in the language asked for.")

    class Meta:
        model = Call
        fields = ["id", "year", "title", "title_zh", "title_en"]


class DeclarationSerializer(serializers.ModelSerializer):
    organisation = OrganisationSerializer(read_only=True)
    call = CallSerializer(read_only=True)
    programme = serializers.CharField(source="programme.code", read_only=True, help_text="The programme's code.")
    state = serializers.SerializerMethodField(help_text=str(STATE_HELP))
    state_label = serializers.SerializerMethodField(help_text="The state as the pages name it.")
    award_cap = Money(allow_null=True, help_text="The award engine's cap, yuan; null while facts are missing.")
    approved_amount = Money(allow_null=True, help_text="The amount decided, yuan; null before a decision.")
    paid_amount = serializers.SerializerMethodField(help_text="Paid so far, yuan; null unless the holder sees money.")
    recovered_amount = serializers.SerializerMethodField(
        help_text="Ordered recovered (Art. 21), yuan; null unless the holder sees money."
    )

    class Meta:
        model = Declaration
        fields = [
            "id",
            "number",
            "title",
            "organisation",
            "call",
            "programme",
            "state",
            "state_label",
            "award_cap",
            "approved_amount",
            "paid_amount",
            "recovered_amount",
            "created_at",
            "submitted_at",
            "updated_at",
        ]

    def _money(self):
        request = self.context["request"]
        if not hasattr(request, "_api_view_money"):
            request._api_view_money = may_view_money(request.user)
        return request._api_view_money

    def _applicant(self):
        request = self.context["request"]
        if not hasattr(request, "_api_applicant"):
            request._api_applicant = reads_applicant_states(request.user)
        return request._api_applicant

    @extend_schema_field(OpenApiTypes.STR)
    def get_state(self, declaration):
        return applicant_state(declaration.state) if self._applicant() else declaration.state

    @extend_schema_field(OpenApiTypes.STR)
    def get_state_label(self, declaration):
        if self._applicant():
            return str(APPLICANT_LABELS[declaration.state])
        return declaration.get_state_display()

    @extend_schema_field(serializers.DecimalField(**MONEY, allow_null=True))
    def get_paid_amount(self, declaration):
        return _money_string(getattr(declaration, "paid_total", None)) if self._money() else None

    @extend_schema_field(serializers.DecimalField(**MONEY, allow_null=True))
    def get_recovered_amount(self, declaration):
        return _money_string(declaration.recovered_amount) if self._money() else None


_MONEY_FIELD = serializers.DecimalField(**MONEY, coerce_to_string=True)


def _money_string(value):
    return None if value is None else _MONEY_FIELD.to_representation(value)


class PaymentSerializer(serializers.ModelSerializer):
    declaration_number = serializers.CharField(source="declaration.number", read_only=True)
    amount = Money()

    class Meta:
        model = Payment
        fields = ["id", "declaration", "declaration_number", "amount", "paid_on", "reference", "recorded_at"]


class RepaymentSerializer(serializers.ModelSerializer):
    amount = Money()

    class Meta:
        model = Repayment
        fields = ["id", "amount", "received_on", "reference", "recorded_at"]


class RecoveryCaseSerializer(serializers.ModelSerializer):
    declaration_number = serializers.CharField(source="declaration.number", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    amount_due = Money()
    repaid_amount = Money()
    still_due = Money()
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    repayments = RepaymentSerializer(many=True, read_only=True)

    class Meta:
        model = RecoveryCase
        fields = [
            "id",
            "number",
            "declaration",
            "declaration_number",
            "state",
            "state_label",
            "reason",
            "amount_due",
            "repaid_amount",
            "still_due",
            "due_on",
            "overdue",
            "overdue_since",
            "barred_until",
            "dishonest",
            "opened_at",
            "repayments",
        ]
