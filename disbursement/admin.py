from django.contrib import admin

from common.admin import ReadOnlyAdmin
from disbursement.models import Payment, RecoveryCase, RecoveryCaseEvent, Repayment


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("declaration", "amount", "paid_on", "reference", "recorded_by")
    list_select_related = ("declaration", "recorded_by")
    readonly_fields = ("declaration", "amount", "paid_on", "reference", "recorded_by")


class _ReadOnlyInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RepaymentInline(_ReadOnlyInline):
    model = Repayment
    fields = readonly_fields = ("amount", "received_on", "reference", "recorded_by", "recorded_at")


class RecoveryCaseEventInline(_ReadOnlyInline):
    model = RecoveryCaseEvent
    fields = readonly_fields = ("action", "from_state", "to_state", "actor", "note", "created_at")


@admin.register(RecoveryCase)
class RecoveryCaseAdmin(ReadOnlyAdmin):
    list_display = ("number", "declaration", "state", "amount_due", "repaid_amount", "due_on", "overdue_since")
    list_filter = ("state", "dishonest")
    list_select_related = ("declaration",)
    search_fields = ("number", "declaration__number", "declaration__organisation__name")
    readonly_fields = (
        "number",
        "declaration",
        "state",
        "amount_due",
        "repaid_amount",
        "due_on",
        "overdue_since",
        "barred_until",
        "dishonest",
        "credit_record",
        "reason",
        "opened_by",
        "opened_at",
    )
    inlines = [RepaymentInline, RecoveryCaseEventInline]
