from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Public disclosure site")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from portal import signals

        signals.connect()
        post_migrate.connect(_ensure_counts, sender=self, dispatch_uid="portal-ensure-counts")


def _ensure_counts(using, **kwargs):
    from django.db import connections

    from portal import counts

    counts.ensure(connections[using])
