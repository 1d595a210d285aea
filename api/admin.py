from django.contrib import admin

from api.models import ApiToken
from api.services import token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """The administrator sees every token and revokes one (deleting it records the revocation); a
    token is made by its holder on their own page (api.views.tokens), so its value is shown to them
    alone, once."""

    list_display = ("name", "token_key", "user", "created", "expiry")
    list_select_related = ("user",)
    search_fields = ("name", "token_key", "user__username")
    readonly_fields = ("name", "token_key", "user", "created", "expiry")
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        token_revoke(obj, request=request)

    def delete_queryset(self, request, queryset):
        for token in queryset:
            token_revoke(token, request=request)
