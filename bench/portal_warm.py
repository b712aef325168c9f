"""The first visitor of a public page after a publication, with and without the warming job.

    .venv/bin/python bench/portal_warm.py [--items 100000] [--rounds 20] [--redis redis://127.0.0.1:6379/0]

Reads the database bench/scale_pages.py builds (gongkai_bench_scale_<items>; build it first with
`bench/scale_pages.py --large <items> --build-only`). As in production, the web process and the
worker share a Redis cache (keys under a prefix of this run's own): this process serves the
visitors, a second process does the worker's job (portal.cache.warm). Each round is a change that
empties the public pages' cache (portal.cache.bump, committed, as every publication does), then,
taking turns:

- not warmed: each page that portal.cache.warm renders is asked for by its first visitor, who
  renders it (what every first visitor after a change met before the job, and still meets after
  the cache server restarts);
- warmed: the worker process runs the job first (timed: while it runs, visitors still render
  pages), then each page's first visitor.

In both, a second visitor then asks for the page (the warm figure, the baseline). Every visit is to
a web process that has not read the site's version yet (one statement). In-process through
Django's test client, start-up objects frozen as gongkai.wsgi does. Prints Markdown.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent


def p95(values):
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def start(items):
    sys.path.insert(0, str(HERE))
    from scale import setup

    setup(f"gongkai_bench_scale_{items}")
    import gongkai.wsgi  # noqa: F401 — start up as the server does


def worker(items):
    """The worker's side: warm the pages whenever asked (a line on stdin), answer with the time."""
    start(items)
    from portal import cache

    print(json.dumps({"ready": True}), flush=True)
    for _line in sys.stdin:
        started = time.perf_counter()
        rendered = cache.warm()
        print(json.dumps({"ms": (time.perf_counter() - started) * 1000, "rendered": rendered}), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--redis", default=os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/0")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.items)

    os.environ.update(REDIS_CACHE_URL=args.redis, REDIS_CACHE_PREFIX=f"bench-{uuid.uuid4().hex[:8]}")
    job = subprocess.Popen([sys.executable, __file__, "--worker", "--items", str(args.items)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    start(args.items)
    from django.conf import settings
    from django.db import transaction
    from django.test import Client
    from django.test.utils import setup_test_environment

    from portal import cache
    from workflow.models import DisclosureItem

    setup_test_environment()
    assert DisclosureItem.objects.count() >= args.items, "build the database first (bench/scale_pages.py --build-only)"
    assert json.loads(job.stdout.readline())["ready"]
    client = Client()
    paths = cache.warm_paths()

    def visit(path):
        cache.forget_version()
        started = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (path, response.status_code)
        return elapsed

    samples = {mode: {path: [] for path in paths} for mode in ("cold", "after-warm", "warm")}
    jobs = []
    for path in paths:  # the process's first render of each page (templates, code paths) is not measured
        visit(path)
    load_before = os.getloadavg()
    for turn in range(2 * args.rounds):
        warmed = turn % 2 == 1
        with transaction.atomic():
            cache.bump()  # a publication's commit: every public page of the old version is gone
        if warmed:
            job.stdin.write("warm\n")
            job.stdin.flush()
            jobs.append(json.loads(job.stdout.readline()))
        # Each round starts at another page: the first request after the process waited for the
        # job is a little slower, whatever the page (it is not the page's figure).
        first = (turn // 2) % len(paths)
        for path in paths[first:] + paths[:first]:
            samples["after-warm" if warmed else "cold"][path].append(visit(path))
            samples["warm"][path].append(visit(path))
    load_after = os.getloadavg()
    job.stdin.close()
    job.wait()

    print(f"{args.items} items, {args.rounds} rounds of each, alternating; ms; a shared Redis cache")
    print()
    print("| page | first visitor, not warmed: p50 / p95 | first visitor, warmed: p50 / p95 | second visitor (warm): p50 / p95 | warmed ÷ warm, p95 | not warmed ÷ warm, p95 |")
    print("|---|---|---|---|---|---|")
    for path in paths:
        cells = [f"{statistics.median(samples[mode][path]):.1f} / {p95(samples[mode][path]):.1f}" for mode in ("cold", "after-warm", "warm")]
        warm = p95(samples["warm"][path])
        print(f"| `{path}` | {cells[0]} | {cells[1]} | {cells[2]} | {p95(samples['after-warm'][path]) / warm:.2f}× | {p95(samples['cold'][path]) / warm:.1f}× |")
    durations = [j["ms"] for j in jobs]
    assert all(j["rendered"] for j in jobs), jobs  # each round's version was new to the job
    print()
    print(f"warming job (in the worker process): {jobs[0]['rendered']} pages ({len(paths)} pages × {len(settings.LANGUAGES)} languages), "
          f"{statistics.median(durations):.0f} ms p50, {p95(durations):.0f} ms p95")
    print(f"load average (1/5/15 min) before: {' '.join(f'{x:.1f}' for x in load_before)}, after: {' '.join(f'{x:.1f}' for x in load_after)}")


if __name__ == "__main__":
    main()
