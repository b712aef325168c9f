from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from audit import registry

        registry.object_kind("reports.register", _("Register"))
        registry.object_kind("reports.annual_report", _("Annual report"))
