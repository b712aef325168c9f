"""An audited write while an audit export runs, and the export's memory, on PostgreSQL.

    .venv/bin/python bench/audit_export.py [--database gongkai_bench_scale_20000] [--writes 1000]

Uses a database filled by bench/scale_pages.py or bench/audit_verify_1m.py (any with many audit
events). Times `--writes` audited writes (services.record, each its own transaction) with the machine
otherwise idle, then writes for as long as an export (audit.export.write_bundle into a file) runs in
another thread of the same process (as in a threaded web worker), then `--writes` idle again; reports
p50/p99 of the idle writes (before and after, pooled) and of those during the export, the export's
own time and the process's peak memory growth.
"""

import argparse
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def p99(values):
    return sorted(values)[max(0, round(0.99 * len(values)) - 1)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="gongkai_bench_scale_20000")
    parser.add_argument("--writes", type=int, default=1000)
    args = parser.parse_args()
    from scale import setup

    setup(args.database)
    from django.db import connections, transaction

    from audit import export, services
    from audit.models import AuditEvent

    def write(n):
        started = time.perf_counter()
        with transaction.atomic():
            services.record("bench.write", actor=None, object_type="bench.thing", object_id=n)
        return (time.perf_counter() - started) * 1000

    events = AuditEvent.objects.count()
    idle = [write(n) for n in range(args.writes)]
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    done, result = threading.Event(), {}

    def run_export():
        with tempfile.TemporaryFile() as out:
            started = time.perf_counter()
            export.write_bundle(out, actor=None)
            result["seconds"], result["bytes"] = time.perf_counter() - started, out.tell()
        connections.close_all()
        done.set()

    thread = threading.Thread(target=run_export)
    thread.start()
    time.sleep(0.5)
    during = []
    while not done.is_set():  # for as long as the export runs: thousands of writes, a stable p99
        during.append(write(len(during)))
    thread.join()
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    before = list(idle)
    idle += [write(n) for n in range(args.writes)]  # idle again afterwards: before and after pooled
    print(f"{events} events; idle writes p50 {statistics.median(idle):.1f} ms, p99 {p99(idle):.1f} ms (before the export alone: {p99(before):.1f} ms); "
          f"{len(during)} writes during the export p50 {statistics.median(during):.1f} ms, p99 {p99(during):.1f} ms ({p99(during) / p99(idle):.2f}× the idle p99, {p99(during) / p99(before):.2f}× the p99 before); "
          f"export {result['seconds']:.1f} s, {result['bytes'] / 1e6:.1f} MB, peak RSS growth {grown:.0f} MB; "
          f"load {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
