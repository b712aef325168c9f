from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        from audit import admin_log, conf, signals  # noqa: F401

        admin_log.install()
        # Sign a checkpoint every interval while events arrive (the task skips quiet periods).
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "audit-checkpoint",
            {"task": "audit.periodic_checkpoint", "schedule": float(conf.checkpoint_interval())},
        )
