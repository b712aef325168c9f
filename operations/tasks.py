from celery import shared_task
from django.conf import settings

from core import jobs, locks


@shared_task(name="operations.reconcile", acks_late=False)
def reconcile(here=False):
    """Periodic (beat, or the in-process scheduler): finish overdue background work. Under
    ./bin/serve the scheduler runs it in a thread of the web process: long work there (records by
    the dozen after an import, an export, an import) goes to a child process of its own
    (core.jobs), as when a page starts an export or an import, so that visitors do not wait on it."""
    from operations.reconcile import is_long
    from operations.reconcile import reconcile as run

    if not here and jobs.in_child_processes():
        found = run(dry_run=True).found
        if is_long(found):
            if not locks.is_free("reconcile"):  # the child started for it is still at work
                return {"found": found, "busy": True}
            return {"found": found, "process": jobs.start(reconcile, True).pid}
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
