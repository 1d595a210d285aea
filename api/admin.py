from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from api.models import ApiToken
from api.services import token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """The administrator sees every token and revokes one (deleting it records the revocation); a
    token is made by its holder on their own page (api.views.tokens), so its value is shown to them
    alone, once."""

    list_display = ("name", "key", "holder", "created_at", "expires_at")
    list_select_related = ("user",)
    search_fields = ("name", "token_key", "user__username")
    readonly_fields = ("name", "key", "holder", "created_at", "expires_at")
    fields = readonly_fields

    # knox's fields have no verbose names: the columns and labels are named here.
    @admin.display(description=_("Token"), ordering="token_key")
    def key(self, token):
        return f"{token.token_key}…"

    @admin.display(description=_("Holder"), ordering="user")
    def holder(self, token):
        return token.user

    @admin.display(description=_("Created"), ordering="created")
    def created_at(self, token):
        return token.created

    @admin.display(description=_("Expires"), ordering="expiry")
    def expires_at(self, token):
        return token.expiry

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        token_revoke(obj, request=request)

    def delete_queryset(self, request, queryset):
        for token in queryset:
            token_revoke(token, request=request)
