import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def issue_records(item_ids):
    """The signed records of imported items, one after the other (idempotent: an item that has its
    record is skipped, so a retried or repeated job issues each record once)."""
    from records.items import issue_for_item

    issued = 0
    for item_id in item_ids:
        _record, created = issue_for_item(item_id, "publication")
        issued += int(created)
    log.info("records of %d imported items: %d issued", len(item_ids), issued)
    return issued


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_import(batch_id):
    """The office page's import, in the background: check, then write unless a trial run."""
    from imports import runner

    runner.run_batch(batch_id)
