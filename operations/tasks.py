from celery import shared_task
from django.conf import settings


@shared_task(name="operations.reconcile", acks_late=False)
def reconcile():
    """Periodic (beat, or the in-process scheduler): finish overdue background work."""
    from operations.reconcile import reconcile as run

    outcome = run()
    return {**outcome.as_json(), "left": outcome.left, "busy": outcome.busy}


@shared_task(name="operations.heartbeat", acks_late=False)
def heartbeat():
    """Sent by beat, run by a worker: both are alive. In-process (no broker) the web process's
    scheduler is both."""
    from operations.heartbeats import beat

    beat("worker")
    if not settings.CELERY_BROKER_URL:
        beat("beat")
    return True
