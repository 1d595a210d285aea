from django.contrib import admin
from django.utils.html import format_html


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records written only by services (workflow, payments, publicity, notices): the
    administrator may look, never add, change or delete, so no state changes without its audit."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def language_column(model, name, language):
    """A list column of `model`'s text field `name`, held in `language` (a title's Chinese or English
    half), marked as that language: read in the admin of the other one, it is a quotation, which
    browsers and screen readers then speak and set as such."""

    @admin.display(description=model._meta.get_field(name).verbose_name, ordering=name)
    def column(obj):
        return format_html('<span lang="{}">{}</span>', language, getattr(obj, name))

    column.__name__ = name
    return column
