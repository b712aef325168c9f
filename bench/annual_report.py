"""The history import and the annual report for a year of N items, on PostgreSQL.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongkai_bench_annual \
        .venv/bin/python bench/annual_report.py [--items 20000] [--runs 2]

1. Writes a seed-shaped history workbook (tests/imports/workbook.py: N items over 2024-09-01 …
   2025-08-31, across catalogue entries, departments and channels, ~1.5 posts per item) and imports
   it with `manage.py import_history` once (the import is idempotent: a second run of the bench
   finds the items there and measures the check of an already-imported file).
2. Runs `manage.py annual_report --from 2024-09-01 --to 2025-08-31 --pdf OUT --xlsx OUT` RUNS
   times: the report with its summary annex and the full register embedded as an .xlsx.

Each command runs in its own process; wall time and that process's peak memory (ru_maxrss of the
child) are printed, with the PDF's size and page count, as a Markdown table for bench/RESULTS.md.
Records of the imported items are not issued here (no broker: that is the reconciler's work).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale import ROOT, setup  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")
MEASURE = (
    "import resource, subprocess, sys, time; start = time.perf_counter(); "
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode; "
    "wall = time.perf_counter() - start; "
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN); "
    "print(code, wall, usage.ru_maxrss, usage.ru_utime + usage.ru_stime)"
)


def measured(*args):
    """(wall seconds, CPU seconds, peak RSS in MiB) of `manage.py ARGS` in a process of its own.
    On a shared machine the CPU time is the steadier figure."""
    out = subprocess.run([PYTHON, "-c", MEASURE, PYTHON, "manage.py", *args], cwd=ROOT, env=os.environ,
                         capture_output=True, text=True, check=True).stdout.split()
    code, wall, rss_kib, cpu = int(out[0]), float(out[1]), int(out[2]), float(out[3])
    if code:
        raise SystemExit(f"manage.py {' '.join(args)} failed ({code})")
    return wall, cpu, rss_kib / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    url = setup("gongkai_bench_annual")
    from tests.imports.workbook import write, year_of_history

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        items, posts, _expected = year_of_history(args.items, seed=args.items)
        workbook = write(tmp / "history.xlsx", items, posts)
        print(f"{url}: {len(items)} items, {len(posts)} posts in {workbook.stat().st_size / 1e6:.1f} MB", file=sys.stderr)
        wall, cpu, rss = measured("import_history", str(workbook))
        rows.append((f"import_history ({len(items)} rows + {len(posts)} posts)", wall, cpu, rss, ""))
        for run in range(args.runs):
            pdf, xlsx = tmp / f"report-{run}.pdf", tmp / f"register-{run}.xlsx"
            wall, cpu, rss = measured("annual_report", "--from", "2024-09-01", "--to", "2025-08-31", "--pdf", str(pdf), "--xlsx", str(xlsx))
            pages = next((line.split()[-1] for line in subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout.splitlines()
                          if line.startswith("Pages:")), "?")
            rows.append((f"annual_report, run {run + 1}", wall, cpu, rss, f"PDF {pdf.stat().st_size / 1e6:.1f} MB, {pages} pages; register {xlsx.stat().st_size / 1e6:.1f} MB"))
    load = os.getloadavg()
    print(f"\nload average before/after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}\n")
    print("| command | wall (s) | CPU (s) | peak RSS (MiB) | output |")
    print("|---|---:|---:|---:|---|")
    for name, wall, cpu, rss, note in rows:
        print(f"| {name} | {wall:.1f} | {cpu:.1f} | {rss:.0f} | {note} |")


if __name__ == "__main__":
    main()
