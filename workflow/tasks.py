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


@shared_task(name="workflow.tasks.notify_state")
def notify_state(item_id, state, version, actor_id=None, comment="", action=""):
    """In-app notifications and mails for a transition, after it has committed."""
    from workflow.notify import state_changed

    return len(state_changed(item_id, state, version, actor_id, comment, action))
