"""Reconciling published items that lack their records, against issuing the same records through
the normal path (Celery workers), in one run on one database.

1. Normal path: N published items whose `records.tasks.issue_record` jobs wait on a queue of this
   run, then W Celery workers (prefork, concurrency 1) timed until every record exists.
2. Reconciler: N more published items whose record jobs are lost (queued where no worker reads, then
   purged, as when a worker was killed or the broker lost them), then the reconciler run once as
   `manage.py reconcile --workers W` does (records rendered in W forked processes), and timed.

Each side's items: one published through the workflow's services (its job queued by the
publication itself), and N - 1 copies of it — item, versions and steps — so that each record costs
what a real one costs, without N × the publication's own cost in the set-up (`--publish` publishes
every item through the services instead, as the first runs did: hours for 10,000 on 2 cores).

Checks: one record per item on both sides, one `record.issue` and one `operations.repair` event per
repaired item, and a second reconcile finds nothing.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongkai_bench_reconcile \
    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/reconcile_records.py [--items 100] [--workers 2]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from records_celery import ROOT, publish_items, setup, start_workers  # noqa: E402

os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gongkai_bench_reconcile")


def route_to(queue):
    from gongkai.celery import app

    app.conf.task_always_eager = False
    app.conf.task_routes = {"*": {"queue": queue}}
    app.amqp.flush_routes()
    app.amqp.__dict__.pop("router", None)


def published_copies(count, run):
    """`count` published items without their records: one published through the workflow's
    services, the rest copies of it (item, versions and steps), each with its record job queued as a
    publication queues it (on the queue route_to() chose)."""
    from django.db import transaction

    from records.tasks import issue_record
    from workflow.models import DisclosureItem, ItemVersion, Step

    [first] = publish_items(1, run)
    template = DisclosureItem.objects.get(pk=first)
    versions, steps = list(ItemVersion.objects.filter(item=template)), list(Step.objects.filter(item=template))
    fields = [f.attname for f in DisclosureItem._meta.concrete_fields if f.attname not in ("id", "external_ref")]
    ids = [first]
    for start in range(1, count, 1000):
        with transaction.atomic():
            batch = DisclosureItem.objects.bulk_create(
                DisclosureItem(**{name: getattr(template, name) for name in fields}) for _ in range(start, min(count, start + 1000))
            )
            for model, rows in ((ItemVersion, versions), (Step, steps)):
                copied = [f.attname for f in model._meta.concrete_fields if f.attname not in ("id", "item_id")]
                model.objects.bulk_create(
                    model(item_id=item.pk, **{name: getattr(row, name) for name in copied}) for item in batch for row in rows
                )
        ids += [item.pk for item in batch]
        for item in batch:
            issue_record.delay(item.pk, "publication")
        print(f"  {len(ids)} items", file=sys.stderr, flush=True)
    return ids


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--publish", action="store_true", help="publish every item through the services")
    args = parser.parse_args()
    make = publish_items if args.publish else published_copies
    os.environ["RECONCILE_GRACE_SECONDS"] = "0"
    setup()

    from audit.models import AuditEvent
    from gongkai.celery import app
    from operations.reconcile import reconcile
    from records.models import Record

    load_before = os.getloadavg()
    run = uuid.uuid4().hex[:8]

    # 1. The normal path.
    queue = f"bench-normal-{run}"
    route_to(queue)
    normal_ids = make(args.items, f"n{run}")
    log_dir = Path(tempfile.mkdtemp(prefix="bench-reconcile-"))
    t0 = time.perf_counter()
    workers = start_workers(args.workers, queue, log_dir)
    ready_at = None
    try:
        # a cheap poll (a range, once a second): the driver must not take CPU from the workers
        mine = Record.objects.filter(item_id__gte=min(normal_ids), item_id__lte=max(normal_ids))
        while mine.count() < len(normal_ids):
            if ready_at is None and all("ready." in log.read_text() for _p, log in workers):
                ready_at = time.perf_counter()
            if time.perf_counter() - t0 > 3 * 3600:
                raise SystemExit("the normal path timed out")
            time.sleep(1)
        normal_seconds = time.perf_counter() - (ready_at or t0)
    finally:
        for process, _log in workers:
            process.terminate()
        for process, _log in workers:
            process.wait(timeout=30)

    # 2. Lost jobs, then one reconcile.
    lost = f"bench-lost-{run}"
    route_to(lost)
    lost_ids = make(args.items, f"r{run}")
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(lost)
    assert not Record.objects.filter(item_id__in=lost_ids).exists()
    t0 = time.perf_counter()
    outcome = reconcile(workers=args.workers)
    reconcile_seconds = time.perf_counter() - t0
    load_after = os.getloadavg()

    repaired = outcome.repaired.get("record:publication", 0)
    records = Record.objects.filter(item_id__in=normal_ids + lost_ids)
    one_each = records.count() == len({r for r in records.values_list("item_id", flat=True)}) == 2 * args.items
    events = AuditEvent.objects.filter(action="record.issue", object_type="records.record",
                                       object_id__in=[str(pk) for pk in records.values_list("pk", flat=True)]).count()
    repairs = AuditEvent.objects.filter(action="operations.repair", object_id__in=[str(pk) for pk in lost_ids],
                                        canonical__contains='"kind":"record:publication"').count()  # not the notices
    again = sum(reconcile(dry_run=True).found.values())

    print(f"items: {args.items} per path; cpus {os.cpu_count()}; load average before "
          f"{load_before[0]:.1f}, after {load_after[0]:.1f}")
    print(f"normal path, {args.workers} Celery workers: {len(normal_ids)} records in {normal_seconds:.1f} s "
          f"= {len(normal_ids) / normal_seconds:.2f} records/s")
    print(f"reconcile, {args.workers} processes: {repaired} records in {reconcile_seconds:.1f} s "
          f"= {repaired / reconcile_seconds:.2f} records/s (failed {len(outcome.failed)})")
    print(f"one record per item: {one_each}; record.issue events: {events}/{2 * args.items}; "
          f"operations.repair events: {repairs}/{args.items}; overdue after: {again}")
    if not (one_each and events == 2 * args.items and repairs == args.items == repaired and again == 0):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
