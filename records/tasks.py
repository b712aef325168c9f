import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,  # a worker killed mid-task leaves the job for another
    autoretry_for=(Exception,),
    dont_autoretry_for=(LookupError, ValueError),
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=8,
)
def issue_record(self, item_id, kind):
    """Render, sign and store the record of a decision on an item; idempotent (run it twice, get one
    record). Returns the record's id and SHA-256."""
    from records.items import issue_for_item

    record, created = issue_for_item(item_id, kind)
    log.info("record %s for item %s (%s): %s", record.number, item_id, kind, "issued" if created else "exists")
    return {"id": record.pk, "sha256": record.sha256, "created": created}
