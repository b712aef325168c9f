"""On a 1M-event log: full verification speed (audit_verify's code path) and inclusion-proof
latency through the API.

Events beyond what the database already holds are generated in bulk (COPY) with exactly the
structure audit.services.record writes: canonical documents, leaf hashes, the chain and every Merkle
subtree. Baselines in the same run: reading the same rows without verifying them (the scan alone),
and an API request that does no tree work (GET /api/audit/key/) through the same stack.

    .venv/bin/python bench/audit_verify_1m.py [--events 1000000] [--proofs 1000]
"""

import argparse
import datetime
import json
import random
import time

from audit_common import Timer, setup, summary_ms

CHUNK = 50000


def _frontier(size):
    from audit import merkle, services

    needed = merkle.CompactRange.frontier(size)
    found = services._fetch(needed)
    return merkle.CompactRange(size, [found[key] for key in needed])


def generate(target):
    from django.db import connection
    from django.utils import timezone

    from audit import services
    from audit.canonical import ZERO_HASH, canonical_bytes, leaf_hash

    size = services.tree_size()
    if size >= target:
        return 0
    compact = _frontier(size)
    prev = services.AuditEvent.objects.filter(seq=size).values_list("leaf_hash", flat=True).first() or ZERO_HASH
    raw = connection.connection
    made = 0
    while size < target:
        events, nodes = [], []
        now = timezone.now()
        stamp = now.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        for _ in range(min(CHUNK, target - size)):
            size += 1
            document = {
                "seq": size, "time": stamp, "actor": {"id": 7, "username": "cwc_liaison"}, "action": "workflow.edit",
                "object": {"type": "workflow.disclosureitem", "id": str(size % 5000), "version": 1},
                "department": "cwc", "before": "sha256:" + "ab" * 32, "after": "sha256:" + "cd" * 32,
                "data": {"fields": "body,title"},
                "context": {"source": "web", "ip": "10.0.0.1", "forwarded_for": "", "request_id": "%032x" % size,
                            "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120"},
                "prev": prev,
            }
            text = canonical_bytes(document)
            digest = leaf_hash(text)
            events.append((size, now, "workflow.edit", 7, "cwc_liaison", "workflow.disclosureitem",
                           str(size % 5000), "cwc", text.decode(), digest.hex(), prev))
            for level, _index, value in compact.append(digest):
                nodes.append((size, level, value.hex()))
            prev = digest.hex()
        with raw.transaction(), raw.cursor() as cursor:
            with cursor.copy(
                "COPY audit_auditevent (seq, recorded_at, action, actor_id, actor_username, object_type, object_id, "
                "department, canonical, leaf_hash, prev_hash) FROM STDIN"
            ) as copy:
                for row in events:
                    copy.write_row(row)
            with cursor.copy("COPY audit_auditnode (upto, level, hash) FROM STDIN") as copy:
                for row in nodes:
                    copy.write_row(row)
        made += len(events)
        print(f"  generated {size} events", flush=True)
    return made


def scan_only():
    """The baseline: read every row verification reads, in the same chunks, verifying nothing."""
    from django.db import connection

    count, after = 0, 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT seq, canonical, leaf_hash, prev_hash FROM audit_auditevent WHERE seq > %s "
                           "ORDER BY seq LIMIT 20000", [after])
            rows = cursor.fetchall()
            if not rows:
                break
            cursor.execute("SELECT upto, level, hash FROM audit_auditnode WHERE upto > %s AND upto <= %s "
                           "ORDER BY upto, level", [after, rows[-1][0]])
            cursor.fetchall()
            count += len(rows)
            after = rows[-1][0]
    return count


def proof_latency(count):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from audit import services

    call_command("seed_demo", verbosity=0)
    token = Token.objects.get_or_create(user=get_user_model().objects.get(username="auditor"))[0].key
    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")
    size = services.checkpoint(reason="bench").tree_size
    rng = random.Random(9162)
    proofs, baseline = [], []
    for n in range(count + 50):
        seq = rng.randint(1, size)
        began = time.perf_counter()
        response = client.get("/api/audit/proof/inclusion/", {"seq": seq, "size": size})
        elapsed = time.perf_counter() - began
        assert response.status_code == 200, response.content
        began = time.perf_counter()
        assert client.get("/api/audit/key/").status_code == 200
        key_elapsed = time.perf_counter() - began
        if n >= 50:  # warm-up
            proofs.append(elapsed)
            baseline.append(key_elapsed)
    return {"inclusion_proof": summary_ms(proofs), "baseline_key_endpoint": summary_ms(baseline), "tree_size": size}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--proofs", type=int, default=1000)
    args = parser.parse_args()
    setup()
    from audit import services
    from audit.verify import verify_log

    with Timer() as t:
        made = generate(args.events)
    print(json.dumps({"generated": made, "seconds": round(t.seconds, 1)}), flush=True)
    services.checkpoint(reason="bench")

    with Timer() as scan:
        scanned = scan_only()
    with Timer() as full:
        result = verify_log()
    print(json.dumps({
        "verify": {"ok": result.ok, "size": result.size, "seconds": round(full.seconds, 2),
                   "events_per_second": round(result.size / full.seconds),
                   "checkpoints_verified": result.checkpoints_verified},
        "baseline_scan_only": {"rows": scanned, "seconds": round(scan.seconds, 2),
                               "events_per_second": round(scanned / scan.seconds)},
    }), flush=True)
    print(json.dumps(proof_latency(args.proofs)), flush=True)


if __name__ == "__main__":
    main()
