import datetime
from decimal import Decimal

from django.contrib import admin
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from common.typography import join_list


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


class HistoryAdmin(SimpleHistoryAdmin):
    """django-simple-history's admin, whose list of a row's versions writes each changed value as
    the reader's language does (issue 17): a date by the locale's format rather than ISO, a choice by
    its label, a list joined with 、 or ", ", a stored message rendered, nothing as "—" rather than
    "None"."""

    def get_historical_record_context_helper(self, request, historical_record):
        return LocalisedChanges(self.model, historical_record)


class LocalisedChanges(HistoricalRecordContextHelper):
    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        return shown_value(self.model._meta.get_field(change.field), value)


def shown_value(field, value):
    """A field's value as the history's list of changes shows it, in the active language."""
    if isinstance(value, list):  # the related rows of a many-to-many field
        return join_list(str(item) for item in value) if value else "—"
    if value is None or value == "":
        return "—"
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        moment = timezone.localtime(value) if timezone.is_aware(value) else value
        return formats.date_format(moment, "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, Decimal | int | float):
        return formats.localize(value)
    return str(value)  # a row by its name, a stored message in the reader's language
