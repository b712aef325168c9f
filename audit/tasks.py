from celery import shared_task

from audit import services


@shared_task(name="audit.periodic_checkpoint")
def periodic_checkpoint():
    """Sign a checkpoint if events arrived since the last one (Celery beat, every
    AUDIT_CHECKPOINT_INTERVAL seconds). Returns the checkpoint's tree size, or None."""
    if not services.has_unsigned_events():
        return None
    return services.checkpoint(reason="periodic").tree_size
