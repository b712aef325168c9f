"""The admin under the input policy: every ModelAdmin of the project derives from PolicyAdmin, so
its forms check and normalise text like every other form (core.inputs)."""

from django.contrib import admin

from core.inputs import InputPolicyModelForm


class PolicyAdmin(admin.ModelAdmin):
    form = InputPolicyModelForm


class ReadOnlyAdmin(PolicyAdmin):
    """A list to read: what it shows changes only through its own pages and services (audited)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
