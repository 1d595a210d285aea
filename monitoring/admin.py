from django.contrib import admin

from common.admin import HistoryAdmin, ReadOnlyAdmin
from monitoring.models import Inspection, InspectionEvent, PerformanceReport, PerformanceReportEvent


class _ReadOnlyInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PerformanceReportEventInline(_ReadOnlyInline):
    model = PerformanceReportEvent
    fields = readonly_fields = ("action", "from_state", "to_state", "actor", "note", "created_at")


@admin.register(PerformanceReport)
class PerformanceReportAdmin(HistoryAdmin, ReadOnlyAdmin):
    """Read only (monitoring.workflow writes a report); its history lists each version with who
    changed it and the action taken, as its events do."""

    list_display = ("declaration", "kind", "due_on", "state", "grade")
    list_filter = ("state", "grade", "kind")
    list_select_related = ("declaration",)
    search_fields = ("declaration__number", "declaration__organisation__name")
    readonly_fields = (
        "declaration",
        "kind",
        "due_on",
        "state",
        "narrative",
        "submitted_at",
        "grade",
        "opinion",
        "evaluated_by",
        "evaluated_at",
    )
    inlines = [PerformanceReportEventInline]


class InspectionEventInline(_ReadOnlyInline):
    model = InspectionEvent
    fields = readonly_fields = ("action", "from_state", "to_state", "actor", "note", "created_at")


@admin.register(Inspection)
class InspectionAdmin(HistoryAdmin, ReadOnlyAdmin):
    """Read only (monitoring.workflow writes an inspection); its history lists each version with who
    changed it and the action taken."""

    list_display = ("declaration", "kind", "held_on", "state", "rectification_due_on")
    list_filter = ("state", "kind", "rectification_required")
    list_select_related = ("declaration",)
    search_fields = ("declaration__number", "declaration__organisation__name")
    readonly_fields = (
        "declaration",
        "kind",
        "held_on",
        "findings",
        "rectification_required",
        "rectification_due_on",
        "rectification_answer",
        "state",
        "recorded_by",
        "recorded_at",
    )
    inlines = [InspectionEventInline]
