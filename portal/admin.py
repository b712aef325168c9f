"""The office adds or renames channels here (audited through portal.services; never deleted).
Channel posts are recorded on the office's channel pages; the admin only lists them."""

from django.contrib import admin

from core.admin import PolicyAdmin
from portal import services
from portal.models import Channel, ChannelPost


@admin.register(Channel)
class ChannelAdmin(PolicyAdmin):
    list_display = ["name", "order", "active", "online"]  # by name; the code (what the API sends) is on its page
    list_editable = []

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []

    def save_model(self, request, obj, form, change):
        services.save_channel(obj, actor=request.user, changed_fields=form.changed_data)


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
