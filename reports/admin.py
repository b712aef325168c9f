"""The office maintains the annual report's key areas and its other figures here; every save and
deletion is an audit event in the same transaction. Narratives are only listed (saved from the
annual report page, each save a new version)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.db import transaction

from audit.services import record
from core.admin import PolicyAdmin, ReadOnlyAdmin
from reports.models import ReportArea, ReportFigure, ReportNarrative


class AuditedAdmin(PolicyAdmin):
    def _state(self, obj):
        return {field: str(getattr(obj, field)) for field in self.audited_fields}

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            created = obj.pk is None
            obj.save()
            record(f"{obj._meta.model_name}.{'create' if created else 'update'}", actor=request.user, obj=obj,
                   after=self._state(obj), data={"fields": ",".join(sorted(form.changed_data))})

    def delete_model(self, request, obj):
        with transaction.atomic():
            record(f"{obj._meta.model_name}.delete", actor=request.user, obj=obj, before=self._state(obj))
            obj.delete()

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(ReportArea)
class ReportAreaAdmin(AuditedAdmin):
    list_display = ["name", "order", "category_numbers", "entry_codes"]
    audited_fields = ["name", "order", "category_numbers", "entry_codes"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportFigure)
class ReportFigureAdmin(AuditedAdmin):
    list_display = ["name", "value", "unit", "section", "date_from", "date_to"]
    list_filter = ["date_from", "section"]
    audited_fields = ["date_from", "date_to", "section", "name", "value", "unit", "order"]


@admin.register(ReportNarrative)
class ReportNarrativeAdmin(ReadOnlyAdmin):
    list_display = ["date_from", "date_to", "version", "author", "created_at"]
    fields = ["date_from", "date_to", "version", "texts", "author", "created_at"]
    readonly_fields = ["author"]

    @admin.display(description=_("written by"), ordering="created_by__last_name")
    def author(self, narrative):
        user = narrative.created_by
        return user.get_full_name() or user.get_username()
