from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Public disclosure site")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal import signals

        signals.connect()
