"""200 records through Celery with 2 workers: throughput, task time, and exactly one valid record
per item.

Publishes N items through the workflow's own services while no worker runs (their publication hooks
queue one `records.tasks.issue_record` job each on a queue of this run), then starts 2 Celery worker
processes (prefork, concurrency 1 each) and measures how long they take to issue every record. Then
checks: N records, one per item, and every file passes the verifier (signature, whole file, known
hash, events in a signed checkpoint).

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongkai_bench_records \
    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/records_celery.py [--items 200] [--workers 2]

The database is created, migrated and seeded if needed; keys and files go to a temporary
GONGKAI_VAR_DIR unless one is set.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gongkai_bench_records"


def setup():
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
    os.environ.setdefault("GONGKAI_VAR_DIR", tempfile.mkdtemp(prefix="gongkai-bench-records-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))


def publish_items(count, run):
    """Publish `count` items as the demo personas; each queues its record job on commit."""
    import datetime

    from django.contrib.auth import get_user_model

    from workflow import services
    from workflow.models import CatalogueEntry

    users = {u.username: u for u in get_user_model().objects.filter(username__startswith="cwc_")}
    office = get_user_model().objects.get(username="office")
    entry = CatalogueEntry.objects.get(code="19")
    ids = []
    for n in range(count):
        item = services.create_item(
            actor=users["cwc_liaison"], catalogue_entry=entry, title=f"基准记录 {run} 第{n + 1}号：2025年收支预算总表",
            body="<p>" + "学校2025年收支预算总表、收入预算表、支出预算表及财政拨款支出预算表如下。" * 6 + "</p>",
            produced_on=datetime.date(2025, 9, 26), channels=["portal", "wechat"],
        )
        services.submit(item, actor=users["cwc_liaison"])
        services.approve(item, actor=users["cwc_head"])
        services.clear(item, actor=users["cwc_reviewer"])
        services.publish(item, actor=office, channels=["wechat"])
        services.complete_publication(item.pk)
        ids.append(item.pk)
    return ids


def start_workers(count, queue, log_dir):
    env = dict(os.environ)
    workers = []
    for n in range(count):
        log_path = log_dir / f"worker{n + 1}.log"
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "gongkai", "worker", "--pool", "prefork", "--concurrency", "1",
             "--queues", queue, "--hostname", f"bench{n + 1}-{queue}@%h", "--loglevel", "INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=open(log_path, "w"), stderr=subprocess.STDOUT,
        )
        workers.append((process, log_path))
    return workers


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    setup()

    from gongkai.celery import app
    from records.models import Record
    from records.verification import verify_pdf

    queue = f"bench-records-{uuid.uuid4().hex[:8]}"
    app.conf.task_always_eager = False
    app.conf.task_routes = {"*": {"queue": queue}}
    app.amqp.flush_routes()

    start = time.perf_counter()
    ids = publish_items(args.items, queue[-8:])
    print(f"published {len(ids)} items through the workflow in {time.perf_counter() - start:.1f} s "
          f"({len(ids)} record jobs queued)")

    log_dir = Path(tempfile.mkdtemp(prefix="bench-workers-"))
    t0 = time.perf_counter()
    workers = start_workers(args.workers, queue, log_dir)
    try:
        ready_at = None
        while True:
            done = Record.objects.filter(item_id__in=ids).count()
            if ready_at is None and all("ready." in log.read_text() for _p, log in workers):
                ready_at = time.perf_counter()
            if done >= len(ids):
                break
            if time.perf_counter() - t0 > 1800:
                raise SystemExit(f"timed out with {done} of {len(ids)} records")
            time.sleep(0.1)
        t1 = time.perf_counter()
    finally:
        for process, _log in workers:
            process.terminate()
        for process, _log in workers:
            process.wait(timeout=30)

    logs = "".join(log.read_text() for _p, log in workers)
    task_times = [float(t) for t in re.findall(r"Task records\.tasks\.issue_record\[[^\]]+\] succeeded in ([0-9.]+)s", logs)]
    per_worker = [len(re.findall(r"issue_record\[[^\]]+\] succeeded", log.read_text())) for _p, log in workers]
    records = list(Record.objects.filter(item_id__in=ids))
    busy = t1 - (ready_at or t0)
    print(f"workers: {args.workers} × prefork concurrency 1; cpus {os.cpu_count()}; database {os.environ['DATABASE_URL'].rsplit('/', 1)[-1]}")
    print(f"{len(records)} records in {t1 - t0:.1f} s from worker start ({busy:.1f} s after both were ready): "
          f"{len(records) / busy:.2f} records/s")
    print(f"task time: median {statistics.median(task_times):.3f} s, p95 {sorted(task_times)[int(0.95 * (len(task_times) - 1))]:.3f} s, "
          f"max {max(task_times):.3f} s over {len(task_times)} tasks; per worker {per_worker}")

    one_per_item = len({r.item_id for r in records}) == len(records) == len(ids)
    start = time.perf_counter()
    verdicts = [verify_pdf(r.file_path.read_bytes()) for r in records]
    valid = sum(v.ok for v in verdicts)
    print(f"one record per item: {one_per_item}; verified valid: {valid}/{len(records)} "
          f"({(time.perf_counter() - start) / len(records):.3f} s per verification)")
    if not one_per_item or valid != len(records):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
