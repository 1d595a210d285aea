import json

from django.contrib import admin
from django.db import models
from django.utils.html import format_html

from common.admin import HistoryAdmin, language_column
from common.forms import SingleLineCharField
from declarations.models import Call, Declaration, DeclarationDocument, DeclarationEvent, Organisation, Programme

# Titles and names typed in the admin are on one line, as in the application's forms.
SINGLE_LINE = {models.CharField: {"form_class": SingleLineCharField}}


@admin.register(Organisation)
class OrganisationAdmin(HistoryAdmin):
    formfield_overrides = SINGLE_LINE
    list_display = ("name", "credit_code", "organisation_type", "district")
    list_filter = ("organisation_type", "district")
    search_fields = ("name", "credit_code")


@admin.register(Programme)
class ProgrammeAdmin(HistoryAdmin):
    formfield_overrides = SINGLE_LINE
    list_display = (
        "code",
        "article",
        language_column(Programme, "title_en", "en"),
        language_column(Programme, "title_zh", "zh-Hans"),
    )
    readonly_fields = ("code",)


@admin.register(Call)
class CallAdmin(HistoryAdmin):
    formfield_overrides = SINGLE_LINE
    list_display = (
        language_column(Call, "title_zh", "zh-Hans"),
        language_column(Call, "title_en", "en"),
        "year",
        "opens_at",
        "closes_at",
    )
    list_filter = ("year",)
    filter_horizontal = ("programmes",)


class DeclarationEventInline(admin.TabularInline):
    model = DeclarationEvent
    extra = 0
    can_delete = False
    readonly_fields = ("action", "from_state", "to_state", "actor", "note", "created_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Declaration)
class DeclarationAdmin(HistoryAdmin):
    """Read-only: states change only through the workflow, in the staff console."""

    list_display = ("number", "title", "organisation", "programme", "state")
    list_filter = ("state", "programme", "call")
    list_select_related = ("organisation", "programme")
    search_fields = ("number", "title", "organisation__name")
    inlines = [DeclarationEventInline]
    exclude = ("facts",)
    readonly_fields = ("facts_as_stored",)

    @admin.display(description=Declaration._meta.get_field("facts").verbose_name)
    def facts_as_stored(self, obj):
        # Data, not the interface's text: names and values (dates in ISO 8601) as the form stored them.
        return format_html("<code>{}</code>", json.dumps(obj.facts, ensure_ascii=False))

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DeclarationDocument)
class DeclarationDocumentAdmin(admin.ModelAdmin):
    """The generated PDFs, to read: a failed one's error is here. Only the rendering task writes them."""

    list_display = ["declaration", "language", "state", "progress", "attempts", "queued_at", "finished_at"]
    list_filter = ["state", "language"]
    list_select_related = ["declaration"]
    search_fields = ["declaration__number"]
    readonly_fields = [field.name for field in DeclarationDocument._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
