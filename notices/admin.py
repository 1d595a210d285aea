from django.contrib import admin

from common.admin import ReadOnlyAdmin
from notices.models import Notice


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ("subject", "recipient", "created_at", "emailed_at", "read_at")
    list_select_related = ("recipient",)
    search_fields = ("subject", "recipient__username")
    readonly_fields = [f.name for f in Notice._meta.fields]
