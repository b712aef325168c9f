from django.apps import AppConfig
from django.conf import settings
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
        post_migrate.connect(_no_page_from_before, sender=self, dispatch_uid="portal-no-page-from-before")
        # The most visited public pages rendered afresh before they expire (portal.cache.keep_warm).
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "portal-keep-warm", {"task": "portal.tasks.keep_pages_warm", "schedule": float(settings.PORTAL_WARM_CHECK_SECONDS)},
        )


def _ensure_counts(using, **kwargs):
    from django.db import connections

    from portal import counts

    counts.ensure(connections[using])


def _no_page_from_before(using, **kwargs):
    from portal import cache

    cache.forget_pages_from_before(using)
