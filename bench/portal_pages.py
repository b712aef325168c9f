"""Benchmark: the public category page and item page under load.

    .venv/bin/python bench/portal_pages.py [--items 10000] [--duration 20] [--connections 32]

Builds a throw-away SQLite database (under /tmp) with the demo school and N published items spread
over the 50 catalogue entries, starts gunicorn with 2 workers (gthread, 4 threads each, as ./bin/serve runs it; keep-alive) on 127.0.0.1, and drives it with
wrk (from Debian: installed with apt-get if missing) from a separate process. Measures each page
cached (the normal case: pages are rendered once per site version) and, for comparison, uncached
(PORTAL_CACHE_SECONDS=0), and the yardstick: a bare Django "hello" view (bench/hello.py: no
middleware, no database) served the same way; each cached page's req/s is also given as a ratio
of the hello view's measured in the same round, hello and pages taking turns (goal: >= 0.8).
Prints a Markdown table for bench/RESULTS.md.

The items are inserted with bulk_create, not through workflow.services (10k full workflows with
records would take hours and measure something else); they are exactly what the public pages read.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")


def ensure_wrk():
    if shutil.which("wrk"):
        return
    print("installing wrk (apt-get)…", file=sys.stderr)
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, stdout=subprocess.DEVNULL)


POPULATE = r"""
import datetime, random
from django.utils import timezone
from django.contrib.auth import get_user_model
from workflow.models import CatalogueEntry, DisclosureItem
from portal import cache

n = int(__N__)
entries = list(CatalogueEntry.objects.filter(applicable=True).select_related("department"))
author = get_user_model().objects.get(username="office")
rng = random.Random(42)
start = timezone.now() - datetime.timedelta(days=3 * 365)
body = "<p>" + "根据《高等学校信息公开办法》，现将有关情况公开如下。学校严格按照程序办理，欢迎师生监督。" * 12 + "</p>"
rows = []
for i in range(n):
    entry = entries[i % len(entries)]
    published = start + datetime.timedelta(minutes=157 * i)
    produced = published.date() - datetime.timedelta(days=rng.randint(1, 25))
    rows.append(DisclosureItem(
        catalogue_entry=entry, department=entry.department, title=f"{entry.title[:40]}（第{i + 1}号）",
        body=body, produced_on=produced, due_on=produced + datetime.timedelta(days=28), channels=["portal", "wechat"],
        state="published", version=1, created_by=author, published_at=published,
    ))
DisclosureItem.objects.bulk_create(rows, batch_size=1000)
cache.bump()
last = DisclosureItem.objects.order_by("-id").first()
print(DisclosureItem.objects.filter(state="published").count(), last.pk, last.catalogue_entry.category.number)
"""


IN_PROCESS = r"""
import io, sys, time
import django
django.setup()
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
handler = WSGIHandler()
def environ(path):
    path, _, query = path.partition("?")
    return {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1", "wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http",
            "wsgi.errors": io.StringIO()}
for path in sys.argv[1:]:
    run = lambda: b"".join(handler(environ(path), lambda *a: None))
    run()  # render once: what follows are cache hits
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(300):
            run()
        best = min(best, time.perf_counter() - t0)
    print(path, round(best / 300 * 1000, 3))
"""


HELLO = {"DJANGO_SETTINGS_MODULE": "hello", "PYTHONPATH": str(ROOT / "bench")}


def server_ms(tmp, paths, extra=None):
    """Milliseconds of one process per cached request (no network, no load generator): the
    server's cost, independent of what else the machine is doing."""
    out = subprocess.run([PYTHON, "-c", IN_PROCESS, *paths], cwd=ROOT, env=django_env(tmp, extra or {"PYTHONPATH": str(ROOT)}),
                         check=True, capture_output=True, text=True).stdout
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in out.strip().splitlines()}


def django_env(tmp, extra=None):
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.update({"SQLITE_PATH": str(tmp / "bench.sqlite3"), "DJANGO_SETTINGS_MODULE": "gongkai.settings", "DEBUG": "0"})
    env.update(extra or {})
    return env


def prepare(tmp, items):
    env = django_env(tmp)
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PYTHON, "manage.py", "seed_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run([PYTHON, "manage.py", "shell", "-c", POPULATE.replace("__N__", str(items))],
                         cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout.split()
    count, last_pk, category = int(out[-3]), int(out[-2]), int(out[-1])
    return count, last_pk, category


def start_gunicorn(tmp, port, extra_env=None, app="gongkai.wsgi:application"):
    env = django_env(tmp, extra_env)
    process = subprocess.Popen(
        [GUNICORN, app, "--workers", "2", "--worker-class", "gthread", "--threads", "4",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(tmp / f"gunicorn-{port}.log", "w"),
        start_new_session=True,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
            return process
        except OSError:
            time.sleep(0.3)
    stop(process)
    raise SystemExit(f"gunicorn did not start; see {tmp}/gunicorn-{port}.log")


def stop(process):
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wrk(url, duration, connections):
    # Warm every worker's cache (and connection) before measuring.
    for _ in range(20):
        urllib.request.urlopen(url, timeout=10).read()
    result = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s", "--latency", url],
        capture_output=True, text=True, check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", result).group(1))
    p50 = re.search(r"50%\s+([\d.]+\w+)", result).group(1)
    p99 = re.search(r"99%\s+([\d.]+\w+)", result).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result)
    return rps, p50, p99, int(errors.group(1)) if errors else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    ensure_wrk()
    tmp = Path(tempfile.mkdtemp(prefix="gongkai-bench-portal-"))
    try:
        count, last_pk, category = prepare(tmp, args.items)
        pages = {
            "category page": f"/category/{category}/",
            "category page, page 40": f"/category/{category}/?page=40",
            "item page": f"/items/{last_pk}/",
            "column (/)": "/",
        }
        per_request = server_ms(tmp, list(pages.values()))
        hello_ms = server_ms(tmp, ["/"], HELLO)["/"]
        # The hello view and the cached pages are measured in turns, round after round, and each
        # page is compared with the hello run of its own round: a shared machine's load changes
        # from minute to minute, and a ratio of runs minutes apart would measure that.
        hello_server = start_gunicorn(tmp, 8813, HELLO, app="hello:application")
        cached_server = start_gunicorn(tmp, 8811)
        runs = {name: [] for name in ["hello", *pages]}
        try:
            for number in range(args.rounds):
                hello = wrk("http://127.0.0.1:8813/", args.duration, args.connections)
                runs["hello"].append((hello, 1.0))
                print(f"round {number + 1}: {'hello':24} {hello[0]:8.0f} req/s  p50 {hello[1]:>8}  p99 {hello[2]:>8}", file=sys.stderr)
                for name, path in pages.items():
                    result = wrk(f"http://127.0.0.1:8811{path}", args.duration, args.connections)
                    runs[name].append((result, result[0] / hello[0]))
                    print(f"round {number + 1}: {name:24} {result[0]:8.0f} req/s  p50 {result[1]:>8}  p99 {result[2]:>8}  "
                          f"non-2xx {result[3]}  {result[0] / hello[0]:.2f}x hello", file=sys.stderr)
        finally:
            stop(hello_server)
            stop(cached_server)
        uncached = {}
        server = start_gunicorn(tmp, 8812, {"PORTAL_CACHE_SECONDS": "0", "PORTAL_STALE_SECONDS": "0"})
        try:
            for name, path in pages.items():
                uncached[name] = wrk(f"http://127.0.0.1:8812{path}", args.duration, args.connections)
                print(f"{name:26} uncached {uncached[name][0]:8.0f} req/s", file=sys.stderr)
        finally:
            stop(server)
        print(f"\n{count} published items; gunicorn 2 gthread workers x 4 threads; wrk -t2 -c{args.connections} -d{args.duration}s; "
              f"{os.cpu_count()} CPUs shared by server and load generator; {args.rounds} rounds, hello and the cached pages in turns\n")
        print("| page | cache | req/s (median of rounds) | ÷ hello req/s of the same round (median; each round) | p50 | p99 | non-2xx | server ms/request (in-process) |")
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        for name, results in runs.items():
            middle = sorted(results, key=lambda r: r[1] if name != "hello" else r[0][0])[len(results) // 2]
            (rps, p50, p99, errors), _ratio = middle
            ratios = sorted(ratio for _r, ratio in results)
            ms = hello_ms if name == "hello" else per_request[pages[name]]
            label = "bare Django hello view" if name == "hello" else name
            ratio = "1.00×" if name == "hello" else f"{ratios[len(ratios) // 2]:.2f}× ({', '.join(f'{r:.2f}' for r in ratios)})"
            print(f"| {label} | {'—' if name == 'hello' else 'cached'} | {rps:.0f} | {ratio} | {p50} | {p99} | {sum(r[0][3] for r in results)} | {ms:.2f} |")
        for name, (rps, p50, p99, errors) in uncached.items():
            print(f"| {name} | uncached | {rps:.0f} |  | {p50} | {p99} | {errors} |  |")
        load = os.getloadavg()
        print(f"\nload average at the end: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
