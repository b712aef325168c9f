"""The admin under the input policy: every ModelAdmin of the project derives from PolicyAdmin, so
its forms check and normalise text like every other form (core.inputs)."""

from django.contrib import admin

from core.inputs import InputPolicyModelForm


class PolicyAdmin(admin.ModelAdmin):
    form = InputPolicyModelForm
