"""Appends per second with 1 and 16 writers, audited vs. the same workload with auditing off.

Audited: each transaction calls audit.services.record (advisory lock, chain, Merkle subtrees).
Baseline: each transaction inserts the same event document into a plain table (no lock, no chain,
no tree). Writers are separate processes, each with its own connection. Afterwards the audited log
is checked for forks, gaps and duplicates.

    .venv/bin/python bench/audit_append.py [--events-per-writer 500] [--writers 1,16] [--synchronous-commit off]

With --synchronous-commit off every writer's session skips waiting for the WAL flush at commit
(both audited and baseline): it measures the CPU and lock cost without the disk's fsync latency,
which caps serialised durable commits at 1/fsync (pg_test_fsync shows it).
"""

import argparse
import json
import multiprocessing as mp
import time

from audit_common import setup

PLAIN_TABLE = """CREATE TABLE IF NOT EXISTS bench_plain_event (
    id bigserial PRIMARY KEY, recorded_at timestamptz NOT NULL, action varchar(64) NOT NULL,
    canonical text NOT NULL, leaf_hash varchar(64) NOT NULL)"""


def _worker(kind, number, count, start_event, done_queue, synchronous_commit):
    setup(migrate=False)
    import datetime

    from django.db import connection, transaction
    from django.utils import timezone

    from audit import services
    from audit.canonical import canonical_bytes, leaf_hash

    with connection.cursor() as cursor:
        cursor.execute(f"SET synchronous_commit = {synchronous_commit}")
    services.tree_size()  # connected and warmed up
    done_queue.put("ready")

    start_event.wait()
    began = time.perf_counter()
    for n in range(count):
        data = {"writer": number, "n": n}
        if kind == "audited":
            services.record("bench.append", actor=None, object_type="bench.thing", object_id=n, data=data)
        else:
            now = timezone.now()
            document = {"seq": 0, "time": now.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                        "actor": {"id": None, "username": "system"}, "action": "bench.append",
                        "object": {"type": "bench.thing", "id": str(n), "version": None}, "department": "",
                        "before": None, "after": None, "data": data, "context": {"source": "system"}, "prev": "0" * 64}
            text = canonical_bytes(document)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO bench_plain_event (recorded_at, action, canonical, leaf_hash) VALUES (%s, %s, %s, %s)",
                    [now, "bench.append", text.decode(), leaf_hash(text).hex()],
                )
    done_queue.put(time.perf_counter() - began)
    connection.close()


def run(kind, writers, per_writer, synchronous_commit="on"):
    context = mp.get_context("spawn")
    start_event, done = context.Event(), context.Queue()
    processes = [context.Process(target=_worker, args=(kind, w, per_writer, start_event, done, synchronous_commit)) for w in range(writers)]
    for process in processes:
        process.start()
    for _ in processes:  # every process has imported Django and connected
        assert done.get(timeout=600) == "ready"
    began = time.perf_counter()
    start_event.set()
    for process in processes:
        process.join()
    wall = time.perf_counter() - began
    total = writers * per_writer
    return {"kind": kind, "writers": writers, "synchronous_commit": synchronous_commit, "events": total,
            "seconds": round(wall, 2), "per_second": round(total / wall)}


def check_log():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT seq, leaf_hash, prev_hash FROM audit_auditevent ORDER BY seq")
        rows = cursor.fetchall()
    gaps = sum(1 for a, b in zip(rows, rows[1:]) if b[0] != a[0] + 1)
    forks = sum(1 for a, b in zip(rows, rows[1:]) if b[2] != a[1])
    return {"events": len(rows), "gaps_or_duplicates": gaps + (rows[0][0] != 1 if rows else 0), "forks": forks}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events-per-writer", type=int, default=500)
    parser.add_argument("--writers", default="1,16")
    parser.add_argument("--synchronous-commit", default="on", choices=["on", "off"])
    args = parser.parse_args()
    setup()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(PLAIN_TABLE)
    results = []
    for writers in [int(w) for w in args.writers.split(",")]:
        per_writer = args.events_per_writer if writers > 1 else args.events_per_writer * 4
        for kind in ("baseline", "audited"):
            result = run(kind, writers, per_writer, args.synchronous_commit)
            results.append(result)
            print(json.dumps(result), flush=True)
    print(json.dumps({"log_check": check_log()}))


if __name__ == "__main__":
    main()
