"""Pages at two data sizes, side by side in one run, on PostgreSQL.

    .venv/bin/python bench/scale_pages.py [--small 1000] [--large 20000] [--events-small 10000]
        [--events-large 50000] [--requests 15] [--build-only]

    # the issue's full size (hours of set-up on a shared 2-core machine):
    .venv/bin/python bench/scale_pages.py --large 100000 --events-large 1000000

Two databases (gongkai_bench_scale_<N>) are created, migrated, seeded and filled once: N items
across the demo school's departments, catalogue entries and states (public ones indexed for search,
each with a step of history) and the given number of audit events. A worker process per database
serves the requests in-process through Django's test client (the whole stack but the network), and
the driver alternates between the two workers request by request, so both sizes see the same
machine load. For each page: median and p95 wall time, and the SQL statements one request runs.
Public pages are measured twice: with the page cache emptied before each request (cold), and
served from it (warm: the first request of the series fills it). Prints Markdown.

--build-only creates and fills both databases, then exits (build the large one ahead of a run).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
STATES = ["published", "published", "published", "draft", "head_review", "confidentiality_review", "office_review", "returned", "refused", "withdrawn"]
# (user, path, cache): "" is an anonymous visitor; "cold" empties the page cache before each request.
PUBLIC = ["/", "/search/?q=奖学金", "/category/{category}/", "/feed/", "/category/{category}/?entry={entry}", "/items/{item}/", "/catalogue/", "/annual-reports/", "/guide/"]
PAGES = [
    ("office", "/workflow/", "cold"), ("office", "/home/", "cold"), ("office", "/api/tasks/", "cold"),
    ("cwc_head", "/workflow/", "cold"), ("office", "/workflow/items/", "cold"), ("office", "/reports/", "cold"),
    ("office", "/reports/overview/", "cold"), ("office", "/reports/register/", "cold"), ("leader", "/home/", "cold"),
    ("auditor", "/audit/", "cold"),
    *(("", path, "cold") for path in PUBLIC), *(("", path, "warm") for path in PUBLIC),
]


def populate(items, events):
    import datetime

    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from audit import services as audit
    from audit.models import AuditEvent
    from portal import search
    from portal.models import SearchDocument
    from workflow.models import CatalogueEntry, DisclosureItem, Step

    by_department = {}
    for entry in CatalogueEntry.objects.filter(applicable=True).select_related("department").order_by("code"):
        by_department.setdefault(entry.department_id, []).append(entry)
    departments = list(by_department.values())
    users = {u.username: u for u in get_user_model().objects.all()}
    now = timezone.now()
    have = DisclosureItem.objects.count()
    for first in range(have, items, 2000):
        batch = []
        for n in range(first, min(items, first + 2000)):
            mine = departments[n % len(departments)]
            entry, state = mine[n % len(mine)], STATES[(n // len(departments)) % len(STATES)]
            produced = datetime.date.today() - datetime.timedelta(days=n % 400)
            public = state in ("published", "withdrawn")
            topic = ("国家奖学金评审结果公示", "学生资助工作通知", "教师招聘公告", "财务预算公开")[n % 4]
            batch.append(DisclosureItem(
                catalogue_entry=entry, department=entry.department, title=f"{topic}（第{n}号）",
                body=f"<p>关于{topic}的说明，请师生周知。</p>", produced_on=produced, due_on=produced + datetime.timedelta(days=28),
                channels=["portal"], state=state, version=1, created_by=users[f"{entry.department.code}_liaison"],
                published_at=now - datetime.timedelta(hours=n) if public else None,
            ))
        batch = DisclosureItem.objects.bulk_create(batch)
        Step.objects.bulk_create(Step(item=i, version=1, actor=i.created_by, action="submit") for i in batch)
        SearchDocument.objects.bulk_create(search.document(i) for i in batch if i.published_at)
        print(f"  {min(items, first + 2000)} items", file=sys.stderr, flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    have = AuditEvent.objects.count()
    while have < events:
        with transaction.atomic():
            for n in range(have, min(events, have + 1000)):
                audit.record("bench.event", actor=None, object_type="bench.thing", object_id=n, department="cwc")
        have = min(events, have + 1000)
        if have % 10000 == 0:
            print(f"  {have} events", file=sys.stderr, flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def worker(items, events, build_only=False, unfrozen=False):
    sys.path.insert(0, str(HERE))
    from scale import setup

    setup(f"gongkai_bench_scale_{items}")
    populate(items, events)
    if build_only:
        return
    from django.contrib.auth import get_user_model
    from django.core.cache import cache as django_cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from portal import cache as portal_cache
    from workflow.models import DisclosureItem

    setup_test_environment()
    if not unfrozen:
        import gongkai.wsgi  # noqa: F401 — start up as the server does (start-up objects frozen out of the GC)
    newest = DisclosureItem.objects.filter(state="published").select_related("catalogue_entry__category").order_by("-published_at").first()
    category, item, entry = newest.catalogue_entry.category.number, newest.pk, newest.catalogue_entry.code
    clients = {"": Client()}
    for user in get_user_model().objects.filter(username__in={u for u, _p, _c in PAGES if u}):
        clients[user.username] = Client()
        clients[user.username].force_login(user)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        username, path, mode = json.loads(line)
        path = path.format(category=category, item=item, entry=entry)
        if mode == "cold":
            django_cache.clear()
            portal_cache.forget_version()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = clients[username].get(path)
            elapsed = time.perf_counter() - started
        print(json.dumps({"ms": elapsed * 1000, "sql": len(queries), "status": response.status_code, "bytes": len(response.content)}), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=20000)
    parser.add_argument("--events-small", type=int, default=10000)
    parser.add_argument("--events-large", type=int, default=50000)
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--build-only", action="store_true", help="create and fill the databases, then exit")
    parser.add_argument("--unfrozen", action="store_true", help="leave start-up objects to the garbage collector (the code before gongkai.wsgi froze them)")
    parser.add_argument("--worker", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(*args.worker, build_only=args.build_only, unfrozen=args.unfrozen)
    sizes = [(args.small, args.events_small), (args.large, args.events_large)]
    if args.build_only:
        for n, e in sizes:  # one after the other: building is the heavy part
            subprocess.run([sys.executable, __file__, "--worker", str(n), str(e), "--build-only"], check=True)
        print(f"built gongkai_bench_scale_{args.small} and gongkai_bench_scale_{args.large}", file=sys.stderr)
        return
    workers = [subprocess.Popen([sys.executable, __file__, "--worker", str(n), str(e), *(["--unfrozen"] if args.unfrozen else [])], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
               for n, e in sizes]
    for w in workers:
        assert json.loads(w.stdout.readline())["ready"]
    load_before = os.getloadavg()
    rows = []
    for username, path, mode in PAGES:
        samples = [[], []]
        for turn in range(args.requests + 1):  # the first request of each warms the process (and a warm page's cache)
            for index, w in enumerate(workers):
                w.stdin.write(json.dumps([username, path, mode]) + "\n")
                w.stdin.flush()
                result = json.loads(w.stdout.readline())
                assert result["status"] == 200, (path, result)
                if turn:
                    samples[index].append(result)
        rows.append((username or "public", path, mode if not username else "", samples))
    load_after = os.getloadavg()
    for w in workers:
        w.stdin.close()
        w.wait()

    def p95(values):
        return sorted(values)[max(0, round(0.95 * len(values)) - 1)]

    print(f"| page ({args.requests} requests each, alternating) | {args.small} items, {args.events_small} events: p50 / p95 / SQL | "
          f"{args.large} items, {args.events_large} events: p50 / p95 / SQL | p95 ratio |")
    print("|---|---|---|---|")
    for who, path, mode, (small, large) in rows:
        cells = []
        for samples in (small, large):
            ms = [s["ms"] for s in samples]
            cells.append(f"{statistics.median(ms):.0f} / {p95(ms):.0f} ms / {samples[0]['sql']}")
        ratio = p95([s["ms"] for s in large]) / p95([s["ms"] for s in small])
        print(f"| {who} `{path}`{f' ({mode})' if mode else ''} | {cells[0]} | {cells[1]} | {ratio:.2f}× |")
    print(f"\nload average (1/5/15 min) before: {' '.join(f'{x:.1f}' for x in load_before)}, after: {' '.join(f'{x:.1f}' for x in load_after)}")


if __name__ == "__main__":
    main()
