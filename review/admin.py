from django.contrib import admin

from config.admin import ReadOnlyAdmin
from review.models import ReviewAssignment


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("declaration", "reviewer", "score", "submitted_at", "released_at")
    list_select_related = ("declaration", "reviewer")
    readonly_fields = ("declaration", "reviewer", "assigned_by", "score", "opinion", "submitted_at")
