from django.contrib import admin

from common.admin import ReadOnlyAdmin
from disbursement.models import Payment, Recovery


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("declaration", "amount", "paid_on", "reference", "recorded_by")
    list_select_related = ("declaration", "recorded_by")
    readonly_fields = ("declaration", "amount", "paid_on", "reference", "recorded_by")


@admin.register(Recovery)
class RecoveryAdmin(ReadOnlyAdmin):
    list_display = ("declaration", "amount", "barred_until", "recorded_by")
    readonly_fields = ("declaration", "amount", "reason", "barred_until", "recorded_by")
