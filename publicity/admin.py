from django.contrib import admin

from common.admin import HistoryAdmin, ReadOnlyAdmin, language_column
from publicity.models import CalendarDay, Objection, PublicityBatch, PublicityEntry


@admin.register(CalendarDay)
class CalendarDayAdmin(HistoryAdmin):
    """Single days of the working-day calendar. Years are entered, checked and completed in the
    console's Working-day calendar (publicity.calendar_services); a day changed here skips those
    checks, though its history keeps who changed it."""

    list_display = ("date", "is_working_day", "name")
    list_filter = ("is_working_day",)
    date_hierarchy = "date"
    search_fields = ("name",)


class PublicityEntryInline(admin.TabularInline):
    model = PublicityEntry
    extra = 0
    readonly_fields = ("declaration",)
    can_delete = False


@admin.register(PublicityBatch)
class PublicityBatchAdmin(ReadOnlyAdmin):
    list_display = (
        language_column(PublicityBatch, "title_zh", "zh-Hans"),
        language_column(PublicityBatch, "title_en", "en"),
        "call",
        "starts_on",
        "ends_on",
        "closed_at",
    )
    readonly_fields = ("starts_on", "ends_on", "opened_by", "closed_at")
    inlines = [PublicityEntryInline]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ("entry", "name", "state", "created_at")
    list_filter = ("state",)
