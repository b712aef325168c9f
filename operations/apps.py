from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "operations"
    verbose_name = _("Operations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.conf import settings

        from audit import registry
        from operations import conf, signals  # noqa: F401  (alarms and heartbeats)

        registry.values("operations.repair:kind", _repair_kinds)  # the trail names the work repaired

        # The reconciler finishes whatever a lost worker, a down broker or a killed process left
        # undone; the heartbeat shows the doctor that beat and a worker are alive.
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "operations-reconcile", {"task": "operations.reconcile", "schedule": float(conf.reconcile_seconds())}
        )
        # The whole audit log verified twice a day, so the health page's check is current without
        # anyone running audit_verify and a log changed behind the application raises an alarm.
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "operations-verify-audit-log",
            {"task": "operations.verify_audit_log", "schedule": float(conf.verify_check_seconds())},
        )
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "operations-heartbeat", {"task": "operations.heartbeat", "schedule": float(conf.heartbeat_seconds())}
        )


def _repair_kinds():
    from operations.reconcile import KIND_LABELS

    return KIND_LABELS
