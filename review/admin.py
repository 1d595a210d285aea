from django.contrib import admin

from config.admin import ReadOnlyAdmin
from review.models import CreditRecord, ReviewAssignment


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("declaration", "reviewer", "score", "submitted_at", "released_at")
    list_select_related = ("declaration", "reviewer")
    readonly_fields = ("declaration", "reviewer", "assigned_by", "score", "opinion", "submitted_at")


@admin.register(CreditRecord)
class CreditRecordAdmin(admin.ModelAdmin):
    list_display = ("credit_code", "name", "list", "starts_on", "ends_on", "source")
    list_filter = ("list",)
    search_fields = ("credit_code", "name")
