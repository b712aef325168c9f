"""Render + sign time of a 1-page and a 5-page Chinese record, against a bare WeasyPrint render of
the same HTML in the same run (the baseline).

- bare:        HTML(string).write_pdf() with the records' URL fetcher (it serves the stylesheet),
               no PDF/A, no attachment, no signature.
- record:      what the Celery job does per record, minus the database: template → HTML (QR code,
               sanitised body) → WeasyPrint PDF/A-3b with the JSON proof attachment → pyHanko PAdES
               signature.

Targets (issue 5): 1-page record ≤ 0.25 s median and ≤ 1.3× the bare render.

    .venv/bin/python bench/records_render.py [--runs 40]

Keys and files go to a temporary GONGKAI_VAR_DIR unless one is set.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup():
    os.environ.setdefault("GONGKAI_VAR_DIR", tempfile.mkdtemp(prefix="gongkai-bench-records-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    setup()

    from django.conf import settings
    from django.utils import translation
    from weasyprint import HTML

    from records.fetcher import SafeURLFetcher
    from records.rendering import PROOF_ATTACHMENT_NAME, html_to_pdf, proof_bytes, render_html, resources
    from records.signing import sign_pdf
    from tests.records.conftest import sample_content

    translation.activate("zh-hans")
    rows = []
    for pages in (1, 5):
        content = sample_content(pages=pages)
        html = render_html(content)

        def bare():
            fetcher = SafeURLFetcher(resources(content))
            return HTML(string=html, base_url=settings.SITE_URL + "/", url_fetcher=fetcher).write_pdf()

        def render():
            page_html = render_html(content)
            pdf, _fetcher = html_to_pdf(
                page_html,
                attachments=resources(content),
                files=[(PROOF_ATTACHMENT_NAME, proof_bytes(content.proof), "audit proofs")],
            )
            return pdf

        # Interleave the two so machine noise hits both alike.
        bare_times, record_times, sign_times = [], [], []
        for _ in range(3):
            bare(), sign_pdf(render(), reason="benchmark")
        for _ in range(args.runs):
            start = time.perf_counter()
            bare()
            bare_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            pdf = render()
            signing = time.perf_counter()
            signed, _fp = sign_pdf(pdf, reason="benchmark")
            end = time.perf_counter()
            record_times.append(end - start)
            sign_times.append(end - signing)
        rows.append((pages, bare_times, record_times, sign_times, len(signed)))

    print(f"runs per case: {args.runs}; python {sys.version.split()[0]}; cpus {os.cpu_count()}")
    print(f"{'case':<10} {'bare median':>12} {'bare p95':>9} {'record median':>14} {'record p95':>11} "
          f"{'of which sign':>14} {'ratio':>6} {'size':>8}")
    for pages, bare_times, record_times, sign_times, size in rows:
        bare_median, record_median = statistics.median(bare_times), statistics.median(record_times)
        print(
            f"{pages}-page    {bare_median:>11.3f}s {p95(bare_times):>8.3f}s {record_median:>13.3f}s "
            f"{p95(record_times):>10.3f}s {statistics.median(sign_times):>13.3f}s "
            f"{record_median / bare_median:>5.2f}× {size // 1024:>6} KB"
        )


if __name__ == "__main__":
    main()
