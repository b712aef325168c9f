"""Public pages with a cold page cache against the same pages served from it (issue 15's "cold ≤ 2×
warm" figure), at one data size.

    .venv/bin/python bench/portal_cold.py [--items 100000] [--rounds 30] [--against CHECKOUT]

Reads the database bench/scale_pages.py builds (gongkai_bench_scale_<items>; build it first with
`bench/scale_pages.py --large <items> --build-only`). Each round, for each page, in turns:

- after a change: a committed change (portal.cache.bump, as every publication makes) and an
  empty page cache: the first render of anything in this version, in this process;
- cold: the page cache emptied again, the version unchanged (a page nobody opened since the
  change, or one the cache lost): what most renders are;
- warm: the same page again, from the cache (the baseline).

The item pages take turns over 30 older items, so that each cold visit is to another item. A
visit is timed to the last byte, through the WSGI application in-process, on a kept connection
(DB_CONN_MAX_AGE=600). The site's version is read as a busy process reads it, at most once per
PORTAL_VERSION_SECONDS, and after the change. One process, PostgreSQL, the cache in this process's
memory. Prints Markdown.

--against measures another checkout too (one holding this script and bench/scale.py, e.g. a
`git worktree` of an earlier commit), page by page in turns with this one, so that both see the same machine load.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from scale import anonymous_get  # bench/ is on the path: this script's folder

HERE = Path(__file__).resolve().parent
MODES = ("change", "cold", "warm")


def p95(values):
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def pages():
    """{label: [paths taken in turns]}."""
    from workflow.models import DisclosureItem

    public = DisclosureItem.objects.filter(state="published").order_by("-published_at")
    newest = public.select_related("catalogue_entry__category").first()
    category = newest.catalogue_entry.category.number
    older = list(public.values_list("pk", flat=True)[1000:61000:2000])
    return {"`/items/{older item}/`": [f"/items/{pk}/" for pk in older], "`/`": ["/"],
            "`/search/?q=奖学金`": ["/search/?q=%E5%A5%96%E5%AD%A6%E9%87%91"],
            f"`/category/{category}/`": [f"/category/{category}/"], f"`/category/{category}/?page=5`": [f"/category/{category}/?page=5"],
            "`/catalogue/`": ["/catalogue/"], "`/feed/`": ["/feed/"]}


def visit(application, path):
    """(ms to the last byte, status, SQL statements)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    environ = anonymous_get(path)
    status = []
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = application(environ, lambda code, headers, exc_info=None: status.append(code))
        b"".join(response)
        elapsed = time.perf_counter() - started
        response.close()
    return elapsed * 1000, status[0], len(queries)


def worker(items):
    """Serve measurements on stdin/stdout: a line [label, turn] in, {mode: [ms, SQL]} out."""
    sys.path.insert(0, str(HERE))
    from scale import setup

    os.environ.setdefault("DB_CONN_MAX_AGE", "600")
    setup(f"gongkai_bench_scale_{items}")
    from django.conf import settings
    from django.core.cache import cache as django_cache
    from django.db import transaction

    from gongkai.wsgi import application
    from portal import cache
    from workflow.models import DisclosureItem

    assert DisclosureItem.objects.count() >= items, "build the database first (bench/scale_pages.py --build-only)"
    settings.ALLOWED_HOSTS = ["localhost"]
    labelled = pages()
    for paths in labelled.values():  # the process's first render of each kind of page not measured
        assert visit(application, paths[0])[1].startswith("200"), paths[0]
    print(json.dumps(list(labelled)), flush=True)
    for line in sys.stdin:
        label, turn = json.loads(line)
        paths = labelled[label]
        path = paths[turn % len(paths)]
        with transaction.atomic():
            cache.bump()
        result = {}
        for mode in MODES:
            if mode != "warm":
                django_cache.clear()
            ms, status, sql = visit(application, path)
            assert status.startswith("200"), (path, status)
            result[mode] = [ms, sql]
        print(json.dumps(result), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--against", metavar="CHECKOUT", help="another checkout (with this script) measured in turns with this one")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.items)

    checkouts = [HERE.parent] + ([Path(args.against).resolve()] if args.against else [])
    workers = [subprocess.Popen([sys.executable, str(root / "bench" / "portal_cold.py"), "--worker", "--items", str(args.items)],
                                cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for root in checkouts]
    labels = [json.loads(w.stdout.readline()) for w in workers][0]
    figures = [{label: {mode: [] for mode in MODES} for label in labels} for _w in workers]
    statements = [{label: {mode: 0 for mode in MODES} for label in labels} for _w in workers]
    load_before = os.getloadavg()
    for turn in range(args.rounds):
        for label in labels:
            for index, w in enumerate(workers):  # the checkouts in turns, page by page
                w.stdin.write(json.dumps([label, turn]) + "\n")
                w.stdin.flush()
                for mode, (ms, sql) in json.loads(w.stdout.readline()).items():
                    figures[index][label][mode].append(ms)
                    statements[index][label][mode] = max(statements[index][label][mode], sql)
    load_after = os.getloadavg()
    for w in workers:
        w.stdin.close()
        w.wait()

    print(f"{args.items} items, {args.rounds} rounds; ms to the last byte; SQL: the most one visit ran; one process per checkout, PostgreSQL")
    for root, by_label, sql in zip(checkouts, figures, statements):
        print()
        print(f"{root} ({_revision(root)})")
        print()
        print("| page | after a change: p50 / p95 / SQL | cold: p50 / p95 / SQL | warm: p50 / p95 / SQL "
              "| after a change ÷ warm, p95 | cold ÷ warm, p95 |")
        print("|---|---|---|---|---|---|")
        for label, by_mode in by_label.items():
            cells = [f"{statistics.median(by_mode[m]):.1f} / {p95(by_mode[m]):.1f} / {sql[label][m]}" for m in MODES]
            warm = p95(by_mode["warm"])
            print(f"| {label} | {' | '.join(cells)} | {p95(by_mode['change']) / warm:.0f}× | {p95(by_mode['cold']) / warm:.0f}× |")
    print()
    print(f"load average (1/5/15 min) before: {' '.join(f'{x:.1f}' for x in load_before)}, after: {' '.join(f'{x:.1f}' for x in load_after)}")


def _revision(root):
    run = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True)
    return run.stdout.strip() or "?"


if __name__ == "__main__":
    main()
