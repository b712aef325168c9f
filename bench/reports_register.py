"""register_export for one academic year with N published items, on PostgreSQL.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongkai_bench_register \
        .venv/bin/python bench/reports_register.py [--items 20000] [--runs 3]

The database is created, migrated and seeded if needed; the items (published between 2024-09-01
and 2025-08-31, each with its confidentiality clearance and publication steps, half of them also
posted on WeChat) are bulk-inserted, not driven through the workflow: the register only reads them.
Prints wall time, this process's CPU time and peak memory (ru_maxrss) of `register_export` (coverage + workbook + file).
"""

import argparse
import datetime
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale import setup  # noqa: E402

PERIOD = (datetime.date(2024, 9, 1), datetime.date(2025, 8, 31))


def populate(count):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from portal.models import ChannelPost
    from workflow.channels import Channel
    from workflow.models import CatalogueEntry, DisclosureItem, Step

    have = DisclosureItem.objects.filter(title__startswith="登记表基准").count()
    if have >= count:
        return
    entries = list(CatalogueEntry.objects.filter(applicable=True).select_related("department"))
    users = {u.username: u for u in get_user_model().objects.all()}
    start = timezone.make_aware(datetime.datetime.combine(PERIOD[0], datetime.time(9)))
    span = (PERIOD[1] - PERIOD[0]).days * 24 * 60
    wechat = Channel.objects.filter(code="wechat").first()
    for first in range(have, count, 2000):
        items = []
        for n in range(first, min(count, first + 2000)):
            entry = entries[n % len(entries)]
            published = start + datetime.timedelta(minutes=span * n // count)
            produced = published.date() - datetime.timedelta(days=n % 40)
            items.append(DisclosureItem(
                catalogue_entry=entry, department=entry.department, title=f"登记表基准 {entry.title[:30]} 第{n + 1}号",
                body="<p>正文</p>", produced_on=produced, due_on=produced + datetime.timedelta(days=28),
                channels=["portal", "wechat"], state="published", version=1, published_at=published,
                created_by=users[f"{entry.department.code}_liaison"],
            ))
        items = DisclosureItem.objects.bulk_create(items)
        steps, posts = [], []
        for item in items:
            code = item.department.code
            steps.append(Step(item=item, version=1, actor=users[f"{code}_reviewer"], action="clear", created_at=item.published_at))
            steps.append(Step(item=item, version=1, actor=users["office"], action="publish", created_at=item.published_at))
            if wechat and item.pk % 2:
                posts.append(ChannelPost(item=item, channel=wechat, url=f"https://mp.example.invalid/s/{item.pk}",
                                         posted_at=item.published_at, recorded_by=users["office"]))
        Step.objects.bulk_create(steps)
        ChannelPost.objects.bulk_create(posts)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    setup("gongkai_bench_register")
    populate(args.items)
    from reports import services

    times, cpu = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            services.export_register(actor=None, date_from=PERIOD[0], date_to=PERIOD[1], out=Path(tmp) / "r.xlsx", via="command")
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        size = (Path(tmp) / "r.xlsx").stat().st_size
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"register_export, {args.items} items: runs {', '.join(f'{t:.2f}' for t in times)} s "
          f"(median {statistics.median(times):.2f} s; CPU of this process {statistics.median(cpu):.2f} s), {size} bytes, peak RSS {peak:.0f} MB, load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
