from celery import shared_task
from django.conf import settings

from core import jobs, locks


@shared_task(name="operations.reconcile", acks_late=False)
def reconcile(here=False, force=False):
    """Periodic (beat, or the in-process scheduler): finish overdue background work. Under
    ./bin/serve the scheduler runs it in a thread of the web process: long work there (records by
    the dozen after an import, an export, an import) goes to a child process of its own
    (core.jobs), as when a page starts an export or an import, so that visitors do not wait on it."""
    from operations.reconcile import is_long
    from operations.reconcile import reconcile as run

    if not here and jobs.in_child_processes():
        found = run(dry_run=True).found
        if is_long(found):
            started = start_in_background()
            return {"found": found, "busy": True} if started is None else {"found": found, "process": started.pid}
    outcome = run(force=force)
    return {**outcome.as_json(), "left": outcome.left, "busy": outcome.busy}


def start_in_background(force=False):
    """Run the reconciler in the background (a worker; under ./bin/serve a child process); None
    when one is running already."""
    if not locks.is_free("reconcile"):
        return None
    return jobs.start(reconcile, True, force)


@shared_task(name="operations.verify_audit_log", acks_late=False)
def verify_audit_log(here=False):
    """Periodic: verify the whole audit log when its last verification is AUDIT_VERIFY_EVERY_SECONDS
    old. In one process (at a million events about 10 s of CPU), not all the cores visitors need;
    under ./bin/serve in a child process of its own (core.jobs), not in the web process's thread.
    Returns whether the log verified, or None when it was not due (or already being verified)."""
    from operations import health

    if not health.verification_due():
        return None
    if not here and jobs.in_child_processes():
        jobs.start(verify_audit_log, True)
        return None
    with locks.held("audit-verify") as mine:
        if not mine:
            return None
        return health.verify_audit_log(workers=1).ok


@shared_task(name="operations.heartbeat", acks_late=False)
def heartbeat():
    """Sent by beat, run by a worker: both are alive. In-process (no broker) the web process's
    scheduler is both."""
    from operations.heartbeats import beat

    beat("worker")
    if not settings.CELERY_BROKER_URL:
        beat("beat")
    return True
