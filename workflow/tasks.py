"""Background jobs of the workflow (Celery; eager without a broker)."""

from celery import shared_task


@shared_task(name="workflow.tasks.scan_due")
def scan_due():
    """Periodic: publish what is scheduled, remind and escalate (filled in with the services)."""
    return 0
