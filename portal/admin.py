"""Channel posts are recorded on the office's channel pages; the admin only lists them (the
channels themselves are workflow's admin)."""

from django.contrib import admin
from django.db import models

from core.admin import ReadOnlyAdmin
from portal.models import ChannelPost


@admin.register(ChannelPost)
class ChannelPostAdmin(ReadOnlyAdmin):
    list_display = ["item", "channel", "url", "reference", "posted_at", "recorded_by", "removed_at"]
    list_filter = ["channel"]
    list_select_related = ["item", "channel", "recorded_by"]
    # As the office's channel form (portal.office): a link typed without a scheme is https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
