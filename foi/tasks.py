import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    dont_autoretry_for=(LookupError, ValueError),
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=8,
)
def issue_letter(self, request_id, kind, sequence):
    """Render, sign and store a letter to an applicant; idempotent."""
    from foi.letters import issue

    letter, created = issue(request_id, kind, sequence)
    log.info("letter %s: %s", letter.number, "issued" if created else "exists")
    return {"id": letter.pk, "sha256": letter.sha256, "created": created}


@shared_task
def housekeeping():
    """Periodic: issue letters that were promised but not issued (a lost worker, a down broker),
    and erase identity data past the retention period. Both idempotent."""
    from foi.letters import issue, missing_letters
    from foi.services import erase_identity

    issued = 0
    for request_id, kind, sequence in missing_letters(grace_seconds=120):
        try:
            issue(request_id, kind, sequence)
            issued += 1
        except Exception:  # one bad letter must not stop the others; the next run retries it
            log.exception("letter %s/%s/%s could not be issued", request_id, kind, sequence)
    erased = erase_identity()
    return {"letters": issued, "erased": erased}
