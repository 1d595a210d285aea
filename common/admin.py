from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records written only by services (workflow, payments, publicity, notices): the
    administrator may look, never add, change or delete, so no state changes without its audit."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
