"""Cost added by auditing to one workflow transaction: workflow.services.edit_item (lock the item,
save it, its history step, and — when auditing is on — one audit event), timed per transaction.
The baseline is the same edit with audit recording switched off (record replaced by a no-op) in the
same run, interleaved in blocks so load changes hit both alike.

    .venv/bin/python bench/audit_workflow_cost.py [--edits 1000]
"""

import argparse
import datetime
import json
import time

from audit_common import setup, summary_ms


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--edits", type=int, default=1000)
    args = parser.parse_args()
    setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    from workflow import services as workflow
    from workflow.models import CatalogueEntry

    liaison = get_user_model().objects.get(username="cwc_liaison")
    entry = CatalogueEntry.objects.filter(department__code="cwc", applicable=True, active=True).first()
    item = workflow.create_item(actor=liaison, catalogue_entry=entry, title="bench", body="<p>bench</p>",
                                produced_on=datetime.date.today())
    real_record = workflow.record
    samples = {"audited": [], "baseline": []}
    counter = 0
    for block in range(args.edits // 50):
        for kind in ("baseline", "audited") if block % 2 else ("audited", "baseline"):
            workflow.record = real_record if kind == "audited" else (lambda *a, **k: None)
            for _ in range(25):
                counter += 1
                began = time.perf_counter()
                workflow.edit_item(item, actor=liaison, title=f"bench {counter}")
                samples[kind].append(time.perf_counter() - began)
    workflow.record = real_record
    audited, baseline = summary_ms(samples["audited"]), summary_ms(samples["baseline"])
    print(json.dumps({"audited": audited, "baseline": baseline,
                      "added_median_ms": round(audited["median_ms"] - baseline["median_ms"], 3),
                      "added_p99_ms": round(audited["p99_ms"] - baseline["p99_ms"], 3)}))


if __name__ == "__main__":
    main()
