from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("Disclosure workflow")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.conf import settings

        from audit import labels
        from workflow.transitions import EVENT_LABELS

        labels.register(EVENT_LABELS)  # the audit trail names each transition as the table does

        from core.env import env_int

        # Reminders, escalation and scheduled publications: one periodic scan (celery beat, or the
        # in-process scheduler of ./bin/serve). WORKFLOW_SCAN_SECONDS, default 60.
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "workflow-scan-due",
            {"task": "workflow.tasks.scan_due", "schedule": float(env_int("WORKFLOW_SCAN_SECONDS", 60))},
        )
