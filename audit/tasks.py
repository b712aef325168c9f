from celery import shared_task
from django.conf import settings

from audit import services


@shared_task(name="audit.periodic_checkpoint")
def periodic_checkpoint():
    """Sign a checkpoint if events arrived since the last one (Celery beat, every
    AUDIT_CHECKPOINT_INTERVAL seconds). Returns the checkpoint's tree size, or None."""
    if not services.has_unsigned_events():
        return None
    return services.checkpoint(reason="periodic").tree_size


@shared_task(name="audit.build_export", soft_time_limit=settings.AUDIT_EXPORT_TIME_LIMIT - 60, time_limit=settings.AUDIT_EXPORT_TIME_LIMIT)
def build_export(pk):
    """Build an auditor's export bundle (minutes at tens of millions of events)."""
    from audit.export import run_export

    return run_export(pk).state
