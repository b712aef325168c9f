"""The office edits the catalogue, the channels and the working-day calendar here; every save is audited through
the services. Items themselves change only through the workflow (no admin)."""

from django.contrib import admin

from core.admin import PolicyAdmin
from workflow import catalogue, channels, workdays
from workflow.models import CalendarDay, CatalogueCategory, CatalogueEntry, Channel


class NoDeleteMixin:
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CatalogueCategory)
class CatalogueCategoryAdmin(NoDeleteMixin, PolicyAdmin):
    list_display = ["number", "name", "order", "is_moe"]

    def save_model(self, request, obj, form, change):
        catalogue.save_category(obj, actor=request.user, changed_fields=form.changed_data)


@admin.register(CatalogueEntry)
class CatalogueEntryAdmin(NoDeleteMixin, PolicyAdmin):
    list_display = ["code", "title", "category", "department", "applicable", "frequency", "active"]
    list_filter = ["category", "department", "applicable", "active"]
    search_fields = ["code", "title"]

    def save_model(self, request, obj, form, change):
        catalogue.save_entry(obj, actor=request.user, changed_fields=form.changed_data)


@admin.register(Channel)
class ChannelAdmin(NoDeleteMixin, PolicyAdmin):
    list_display = ["name", "order", "active", "online"]  # by name; the code (what the API sends) is on its page
    list_editable = []

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []

    def save_model(self, request, obj, form, change):
        channels.save_channel(obj, actor=request.user, changed_fields=form.changed_data)


@admin.register(CalendarDay)
class CalendarDayAdmin(PolicyAdmin):
    list_display = ["date", "is_workday", "note", "source"]
    list_filter = ["is_workday", "source"]
    date_hierarchy = "date"
    readonly_fields = ["source"]

    def save_model(self, request, obj, form, change):
        workdays.save_day(obj, actor=request.user)

    def delete_model(self, request, obj):
        workdays.delete_day(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for day in queryset:
            workdays.delete_day(day, actor=request.user)
