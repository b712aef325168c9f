"""Background jobs of the workflow (Celery; run eagerly in-process when no broker is configured)."""

from celery import shared_task


@shared_task(name="workflow.tasks.publish_item", autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def publish_item(item_id):
    """Publish an item the office has approved, once it is due. Idempotent: a retried or duplicate
    job finds the item published and does nothing."""
    from workflow.services import complete_publication

    return complete_publication(item_id)


@shared_task(name="workflow.tasks.scan_due")
def scan_due():
    """Periodic (beat, or the in-process scheduler): scheduled publications, reminders, escalation,
    and viewflow's own timers."""
    from viewflow.workflow.timers import fire_due_timers

    from workflow.queues import scan_due as scan

    counts = scan()
    counts["timers"] = fire_due_timers()
    return counts


@shared_task(name="workflow.tasks.deliver_notice")
def deliver_notice(item_id):
    """In-app notifications and mails for an item's last transition, after it has committed.
    Idempotent; the reconciler delivers what a lost job left owed."""
    from workflow.notify import deliver

    return len(deliver(item_id))
