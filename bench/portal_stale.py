"""The first visitor after a change, of the public pages no job warms: older items' pages, searches
with words, later and filtered list pages.

    .venv/bin/python bench/portal_stale.py [--items 100000] [--rounds 20]

Reads the database bench/scale_pages.py builds (gongkai_bench_scale_<items>; build it first with
`bench/scale_pages.py --large <items> --build-only`). Each page is first opened once, so that it is
in the cache. Each round is then a committed change (portal.cache.bump, as every publication
makes), taking turns:

- a change: the page's first visitor gets the page as it was, and the page is rendered anew after
  that visitor's response (portal.cache, stale while revalidating);
- a takedown of an item none of these pages shows (bump(taken_down=[pk]), as a withdrawal makes):
  the same, since only pages showing what was taken down are refused;
- a restart: a change, then `migrate` with nothing to apply on the same database (what starting
  the service runs): the pages are kept, served as they were as after a change;
- a takedown of everything (as a migrate on a restored database makes): no page from before is
  served, so the first visitor renders the page: what every first visitor after any change met
  before the sixth session, and after every restart before the tenth.

In each, a second visitor then asks for the page (the warm figure, the baseline). A visit is timed
to the last byte of the response, as the WSGI server hands it over (gongkai.wsgi.application,
in-process); the render after it, in the response's close(), is timed apart: the visitor does not
wait for it. Every visit is to a web process that has not read the site's version yet (one
statement), on a connection kept from the last request (DB_CONN_MAX_AGE=600). One process,
PostgreSQL, the cache in this process's memory. Prints Markdown.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from scale import anonymous_get  # bench/ is on the path: this script's folder

HERE = Path(__file__).resolve().parent


def p95(values):
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def pages():
    """Pages of the kinds no job warms, picked from the database."""
    from workflow.models import DisclosureItem

    public = DisclosureItem.objects.filter(state="published").select_related("catalogue_entry__category", "department")
    newest = public.order_by("-published_at").first()
    older = list(public.order_by("-published_at").values_list("pk", flat=True)[1000:50000:10000])
    category, entry = newest.catalogue_entry.category.number, newest.catalogue_entry.code
    year = newest.produced_on.year
    return ([f"/items/{pk}/" for pk in older]
            + ["/search/?q=%E5%A5%96%E5%AD%A6%E9%87%91", "/search/?q=%E6%95%99%E5%B8%88%E6%8B%9B%E8%81%98",  # 奖学金, 教师招聘
               f"/search/?q=%E7%AC%AC{older[0] if older else 1}%E5%8F%B7"]  # 第N号: a document number
            + [f"/category/{category}/?page=5", f"/category/{category}/?entry={entry}",
               f"/category/{category}/?department={newest.department.code}&year={year}"])


def visit(application, path, content=None):
    """One anonymous visitor: (ms to the last byte, ms of the work after it, status); the page's
    bytes appended to `content` if given."""
    from portal import cache

    cache.forget_version()
    environ = anonymous_get(path)
    status = []
    started = time.perf_counter()
    response = application(environ, lambda code, headers, exc_info=None: status.append(code))
    body = b"".join(response)
    served = time.perf_counter()
    if content is not None:
        content.append(body)
    response.close()
    return (served - started) * 1000, (time.perf_counter() - served) * 1000, status[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    sys.path.insert(0, str(HERE))
    from scale import setup

    # Persistent connections (DB_CONN_MAX_AGE), so that a visit's figure is the page's work, not
    # the new PostgreSQL connection that the end of each request otherwise closes.
    os.environ.setdefault("DB_CONN_MAX_AGE", "600")
    setup(f"gongkai_bench_scale_{args.items}")
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction

    from gongkai.wsgi import application
    from portal import cache
    from workflow.models import DisclosureItem

    assert DisclosureItem.objects.count() >= args.items, "build the database first (bench/scale_pages.py --build-only)"
    settings.ALLOWED_HOSTS = ["localhost"]
    paths = pages()
    modes = ("change", "takedown", "restart", "everything", "warm")
    served = {mode: {path: [] for path in paths} for mode in modes}
    after = {path: [] for path in paths}
    shown = []
    for path in paths:  # in the cache, and the process's first render of each page not measured
        _ms, _after, status = visit(application, path, shown)
        assert status.startswith("200"), (path, status)
    elsewhere = next(pk for pk in DisclosureItem.objects.filter(state="published").order_by("pk").values_list("pk", flat=True)
                     if f"/items/{pk}/" not in paths and not any(b"/items/%d/" % pk in page for page in shown))
    load_before = os.getloadavg()
    kinds = len(modes) - 1
    for turn in range(kinds * args.rounds):
        mode = modes[turn % kinds]
        with transaction.atomic():
            cache.bump(taken_down={"change": [], "takedown": [elsewhere], "restart": [], "everything": [None]}[mode])
        if mode == "restart":
            call_command("migrate", verbosity=0)
        first = (turn // kinds) % len(paths)  # each round starts at another page
        for path in paths[first:] + paths[:first]:
            ms, work_after, status = visit(application, path)
            assert status.startswith("200"), (path, status)
            served[mode][path].append(ms)
            if mode != "everything":
                after[path].append(work_after)
            served["warm"][path].append(visit(application, path)[0])
    load_after = os.getloadavg()

    print(f"{args.items} items, {args.rounds} rounds of each, taking turns; ms to the last byte; one process, PostgreSQL")
    print()
    print("| page | first visitor after a change (served as it was): p50 / p95 | its render after the response: p50 / p95 "
          "| first visitor after a takedown elsewhere (served as it was): p50 / p95 "
          "| first visitor after a restart (migrate, nothing to apply): p50 / p95 "
          "| first visitor after a restore (renders): p50 / p95 | second visitor (warm): p50 / p95 "
          "| change ÷ warm, p95 | takedown elsewhere ÷ warm, p95 | restart ÷ warm, p95 | restore ÷ warm, p95 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for path in paths:
        def cell(values):
            return f"{statistics.median(values):.1f} / {p95(values):.1f}"

        warm = p95(served["warm"][path])
        print(f"| `{path}` | {cell(served['change'][path])} | {cell(after[path])} | {cell(served['takedown'][path])} "
              f"| {cell(served['restart'][path])} | {cell(served['everything'][path])} | {cell(served['warm'][path])} "
              f"| {p95(served['change'][path]) / warm:.2f}× | {p95(served['takedown'][path]) / warm:.2f}× "
              f"| {p95(served['restart'][path]) / warm:.2f}× | {p95(served['everything'][path]) / warm:.1f}× |")
    print()
    print(f"load average (1/5/15 min) before: {' '.join(f'{x:.1f}' for x in load_before)}, after: {' '.join(f'{x:.1f}' for x in load_after)}")


if __name__ == "__main__":
    main()
