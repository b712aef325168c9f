"""An audited write while an audit export runs, and the export's memory, on PostgreSQL.

    .venv/bin/python bench/audit_export.py [--database gongkai_bench_audit] [--writes 1000] [--in worker|serve|thread]

Uses a database filled by bench/scale_pages.py or bench/audit_verify_1m.py (any with many audit
events). Times `--writes` audited writes (services.record, each its own transaction) with the machine
otherwise idle, then writes for as long as an export runs, then `--writes` idle again; reports
p50/p99 of the idle writes (before and after, pooled) and of those during the export, the export's
own time and its peak memory growth. The export is the auditor's job (audit.export.run_export):
`--in worker` (default, as in production) runs it in a process of its own, as a Celery worker does;
`--in serve` starts it as ./bin/serve does without a broker (core.jobs: a child process running
`manage.py run_job`; the writes "during" start once the job is running); `--in thread` in another
thread of the writing process, as ./bin/serve did before.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def p99(values):
    return sorted(values)[max(0, round(0.99 * len(values)) - 1)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="gongkai_bench_audit")
    parser.add_argument("--writes", type=int, default=1000)
    parser.add_argument("--in", dest="where", choices=["worker", "serve", "thread"], default="worker")
    parser.add_argument("--build", type=int, help=argparse.SUPPRESS)  # the worker process: build this export
    args = parser.parse_args()
    if args.where == "serve":
        os.environ.pop("CELERY_BROKER_URL", None)  # ./bin/serve's defaults: no broker, jobs eager
        os.environ["JOBS_IN_CHILD_PROCESS"] = "1"
    from scale import setup

    setup(args.database)
    from django.contrib.auth import get_user_model
    from django.db import connections, transaction

    from audit import export, services
    from audit.models import AuditEvent

    if args.build:
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print("building", flush=True)  # Django is up: the writes "during the export" start now
        started = time.perf_counter()
        job = export.run_export(args.build)
        print(json.dumps({"state": job.state, "bytes": job.size_bytes, "seconds": time.perf_counter() - started,
                          "grown_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) / 1024}))
        return

    def write(n):
        started = time.perf_counter()
        with transaction.atomic():
            services.record("bench.write", actor=None, object_type="bench.thing", object_id=n)
        return (time.perf_counter() - started) * 1000

    events = AuditEvent.objects.count()
    idle = [write(n) for n in range(args.writes)]
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    done, building, result = threading.Event(), threading.Event(), {}
    job = export.AuditExport.objects.create(requested_by=get_user_model().objects.get(username="auditor"))

    def run_export():
        if args.where == "thread":
            building.set()
            started = time.perf_counter()
            result["bytes"] = export.run_export(job.pk).size_bytes
            result["seconds"] = time.perf_counter() - started
            connections.close_all()
        elif args.where == "serve":
            from audit.tasks import build_export
            from core import jobs

            started = time.perf_counter()
            child = jobs.start(build_export, job.pk)
            while export.AuditExport.objects.get(pk=job.pk).state == "queued":
                time.sleep(0.01)
            building.set()
            assert child.wait() == 0
            result["seconds"] = time.perf_counter() - started  # with the child's start-up
            result["bytes"] = export.AuditExport.objects.get(pk=job.pk).size_bytes
            result["grown_mb"] = float("nan")  # another process's; --in worker measures it
        else:
            child = subprocess.Popen([sys.executable, __file__, "--database", args.database, "--build", str(job.pk)],
                                     stdout=subprocess.PIPE, text=True)
            assert child.stdout.readline().strip() == "building"
            building.set()
            result.update(json.loads(child.stdout.read().strip().splitlines()[-1]))
            assert child.wait() == 0
        done.set()

    thread = threading.Thread(target=run_export)
    thread.start()
    building.wait()
    time.sleep(0.5)
    during = []
    while not done.is_set():  # for as long as the export runs: thousands of writes, a stable p99
        during.append(write(len(during)))
    thread.join()
    grown = result.get("grown_mb", (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024)
    export.bundle_path(job).unlink()
    before = list(idle)
    idle += [write(n) for n in range(args.writes)]  # idle again afterwards: before and after pooled
    print(f"export in a {args.where}; {events} events; idle writes p50 {statistics.median(idle):.1f} ms, p99 {p99(idle):.1f} ms (before the export alone: {p99(before):.1f} ms); "
          f"{len(during)} writes during the export p50 {statistics.median(during):.1f} ms, p99 {p99(during):.1f} ms ({p99(during) / p99(idle):.2f}× the idle p99, {p99(during) / p99(before):.2f}× the p99 before); "
          f"export {result['seconds']:.1f} s, {result['bytes'] / 1e6:.1f} MB, peak RSS growth {grown:.0f} MB; "
          f"load {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
