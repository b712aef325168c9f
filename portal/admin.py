"""Channel posts are recorded on the office's channel pages; the admin only lists them (the
channels themselves are workflow's admin)."""

from django.contrib import admin

from core.admin import PolicyAdmin
from portal.models import ChannelPost


@admin.register(ChannelPost)
class ChannelPostAdmin(PolicyAdmin):
    list_display = ["item", "channel", "url", "reference", "posted_at", "recorded_by", "removed_at"]
    list_filter = ["channel"]
    list_select_related = ["item", "channel", "recorded_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
