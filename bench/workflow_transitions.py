"""Per-transition latency of the disclosure API on PostgreSQL with 10k items present.

Drives items through the API (in-process Django test client over the whole stack: middleware, URL
routing, DRF, token authentication, services, viewflow, audit) as the demo personas:
create → submit → approve → clear → publish (scheduled, so the publication job is not timed here),
and for every fifth item a return → resubmit → approve loop. Reports median and p99 per action and
overall, and transitions per second (sequential, and with --threads clients in parallel on
different items).

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongkai_bench_workflow \
        .venv/bin/python bench/workflow_transitions.py [--items 200] [--background 10000] [--threads 2]

The database (default gongkai_bench_workflow) is created, migrated and seeded if needed.
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gongkai_bench_workflow"


def setup():
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ.pop("CELERY_BROKER_URL", None)  # jobs run in-process, as in ./bin/serve
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host, and mails kept in memory
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))


def background(count):
    """Make sure `count` items exist (bulk-inserted drafts and published items across departments)."""
    from django.contrib.auth import get_user_model

    from workflow.models import CatalogueEntry, DisclosureItem

    have = DisclosureItem.objects.count()
    if have >= count:
        return have
    entries = list(CatalogueEntry.objects.filter(applicable=True).select_related("department"))
    users = {u.username: u for u in get_user_model().objects.filter(username__endswith="_liaison")}
    states = ["draft", "head_review", "published", "published", "published", "refused", "withdrawn"]
    today = datetime.date.today()
    rows = []
    for n in range(have, count):
        entry = entries[n % len(entries)]
        rows.append(
            DisclosureItem(
                catalogue_entry=entry, department=entry.department, title=f"背景条目 {n}", body="<p>背景</p>",
                produced_on=today - datetime.timedelta(days=n % 700), due_on=today - datetime.timedelta(days=n % 650),
                channels=["portal"], state=states[n % len(states)], version=1,
                created_by=users[f"{entry.department.code}_liaison"],
            )
        )
    DisclosureItem.objects.bulk_create(rows, batch_size=2000)
    return DisclosureItem.objects.count()


def clients():
    from django.core.management import call_command
    from io import StringIO
    from rest_framework.test import APIClient

    result = {}
    for username in ["cwc_liaison", "cwc_head", "cwc_reviewer", "office"]:
        out = StringIO()
        call_command("issue_token", username, stdout=out)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {out.getvalue().strip().splitlines()[-1]}")
        result[username] = client
    return result


def drive(index, client_for, entry_id, samples, lock):
    def timed(action, call, expect):
        start, cpu = time.perf_counter(), time.thread_time()
        response = call()
        elapsed, cpu = time.perf_counter() - start, time.thread_time() - cpu
        if response.status_code != expect:
            raise SystemExit(f"{action}: {response.status_code} {response.content[:300]!r}")
        with lock:
            samples.setdefault(action, []).append(elapsed)
            samples.setdefault("cpu:" + action, []).append(cpu)
        return response.json()

    created = timed("create", lambda: client_for["cwc_liaison"].post(
        "/api/disclosures/",
        {"catalogue_entry": entry_id, "title": f"基准条目 {index}", "body": "<p>基准测试正文</p>",
         "produced_on": "2025-09-26", "channels": ["portal", "wechat"]},
        format="json"), 201)
    pk = created["id"]

    def post(username, action, body=None):
        return lambda: client_for[username].post(f"/api/disclosures/{pk}/{action}/", body or {}, format="json")

    timed("submit", post("cwc_liaison", "submit"), 200)
    if index % 5 == 0:
        timed("return", post("cwc_head", "return", {"comment": "请补充"}), 200)
        timed("submit", post("cwc_liaison", "submit"), 200)
    timed("approve", post("cwc_head", "approve"), 200)
    timed("clear", post("cwc_reviewer", "clear"), 200)
    later = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)).isoformat()
    timed("publish", post("office", "publish", {"channels": ["wechat"], "publish_at": later}), 200)


def report(samples, wall, transitions):
    def stats(values):
        ordered = sorted(values)
        return {
            "n": len(values),
            "median_ms": round(statistics.median(values) * 1000, 1),
            "p99_ms": round(ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))] * 1000, 1),
        }

    result = {action: stats(values) for action, values in samples.items() if not action.startswith("cpu:")}
    every = [v for action, values in samples.items() if action not in ("create", "cpu:create")
             and not action.startswith("cpu:") for v in values]
    cpu = [v for action, values in samples.items() if action.startswith("cpu:") and action != "cpu:create"
           for v in values]
    result["all transitions"] = stats(every)
    # CPU time of the Django process per transition (excludes waiting for PostgreSQL and for the
    # CPU when other processes load the machine): the latency floor on an idle machine.
    result["all transitions, CPU of the web process"] = stats(cpu)
    result["transitions_per_second"] = round(transitions / wall, 1)
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--background", type=int, default=10000)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    setup()
    from django.db import connection

    from workflow.models import CatalogueEntry

    total = background(args.background)
    entry_id = CatalogueEntry.objects.get(code="19").pk
    client_for = clients()
    for warm in range(3):  # imports, URL resolver, first queries
        drive(-1 - warm, client_for, entry_id, {}, threading.Lock())

    samples, lock = {}, threading.Lock()
    start = time.perf_counter()
    for index in range(args.items):
        drive(index, client_for, entry_id, samples, lock)
    wall = time.perf_counter() - start
    transitions = sum(len(v) for k, v in samples.items() if k != "create" and not k.startswith("cpu:"))
    sequential = report(samples, wall, transitions)

    parallel_samples = {}

    def worker(offset):
        own = clients()
        try:
            for index in range(offset, args.items, args.threads):
                drive(10_000 + index, own, entry_id, parallel_samples, lock)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.threads)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    transitions = sum(len(v) for k, v in parallel_samples.items() if k != "create" and not k.startswith("cpu:"))
    parallel = report(parallel_samples, wall, transitions)

    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        one = {}
        drive(99_999, client_for, entry_id, one, threading.Lock())
    requests = sum(len(v) for k, v in one.items() if not k.startswith("cpu:"))
    round_trips = []
    with connection.cursor() as cursor:
        for _ in range(200):
            start = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchone()
            round_trips.append(time.perf_counter() - start)

    print(json.dumps({
        "items_present": total, "items_driven": args.items, "cpu_count": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 1),
        "queries_per_request": round(len(queries.captured_queries) / requests, 1),
        "postgres_round_trip_median_ms": round(statistics.median(round_trips) * 1000, 2),
        "sequential": sequential, f"parallel_{args.threads}_threads": parallel,
    }, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
