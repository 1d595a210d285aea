from django.contrib import admin

from common.admin import HistoryAdmin, ReadOnlyAdmin
from review.models import (
    ConflictOfInterest,
    CreditRecord,
    Criterion,
    EvaluationSummary,
    ReviewAssignment,
    Rubric,
    UnitStatusRecord,
)


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("declaration", "reviewer", "score", "submitted_at", "released_at")
    list_select_related = ("declaration", "reviewer")
    readonly_fields = ("declaration", "reviewer", "assigned_by", "score", "opinion", "submitted_at")


@admin.register(CreditRecord)
class CreditRecordAdmin(HistoryAdmin):
    """A record disqualifies applicants (Art. 17): the administrator may correct one, and the history
    keeps each version with who changed it, but never delete it; a listing that ended gets its end date."""

    list_display = ("credit_code", "name", "list", "starts_on", "ends_on", "source")
    list_filter = ("list",)
    search_fields = ("credit_code", "name")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(UnitStatusRecord)
class UnitStatusRecordAdmin(HistoryAdmin, ReadOnlyAdmin):
    """Read only: records come from imports and from the console's organisation page, which note who
    recorded each."""

    list_display = ("credit_code", "name", "status", "effective_on", "source", "recorded_by", "recorded_at")
    list_filter = ("status",)
    list_select_related = ("recorded_by",)
    search_fields = ("credit_code", "name")


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = (
        "position",
        "name_en",
        "name_zh",
        "guidance_en",
        "guidance_zh",
        "weight",
        "min_score",
        "max_score",
        "pass_mark",
    )


@admin.register(Rubric)
class RubricAdmin(HistoryAdmin):
    """The administrator keeps each programme's rubric. A change applies to evaluations saved after
    it; submitted weighted totals stay as they were computed."""

    list_display = ("programme", "pass_mark", "outlier_margin")
    list_select_related = ("programme",)
    inlines = [CriterionInline]

    def has_delete_permission(self, request, obj=None):
        # Scores point at the criteria; a programme without a rubric cannot be scored.
        return False


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(ReadOnlyAdmin):
    """Declared by reviewers through review.evaluation.conflict_declare."""

    list_display = ("reviewer", "organisation", "declaration", "declared_at")
    list_select_related = ("reviewer", "organisation", "declaration")
    search_fields = ("reviewer__username", "organisation__name", "organisation__credit_code")
    readonly_fields = ("reviewer", "organisation", "declaration", "reason", "declared_at")


@admin.register(EvaluationSummary)
class EvaluationSummaryAdmin(ReadOnlyAdmin):
    """Kept current by review.evaluation.evaluation_summary_refresh."""

    list_display = ("declaration", "total", "spread", "evaluations", "assigned", "passed", "has_outliers")
    list_select_related = ("declaration",)
    list_filter = ("aggregation", "passed", "has_outliers")
    readonly_fields = (
        "declaration",
        "aggregation",
        "total",
        "spread",
        "evaluations",
        "assigned",
        "passed",
        "criteria_missed",
        "outliers",
        "has_outliers",
        "updated_at",
    )
