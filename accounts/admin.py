from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from common.admin import HistoryAdmin


@admin.register(User)
class UserAdmin(HistoryAdmin, BaseUserAdmin):
    list_display = ("username", "email", "role", "organisation", "is_active")
    list_filter = ("role", "is_active", "is_staff")
    list_select_related = ("organisation",)
    search_fields = ("username", "email", "first_name", "last_name", "organisation__name")
    autocomplete_fields = ("organisation",)
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Role and organisation"), {"fields": ("role", "organisation", "language")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Role and organisation"), {"fields": ("email", "role", "organisation")}),
    )

    def has_delete_permission(self, request, obj=None):
        # Deactivate a user instead: the audit trail names them, and deleting one would rewrite the
        # history rows that point to them (simple_history sets history_user to NULL), which the
        # database refuses (common.audit).
        return False
