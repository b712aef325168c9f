"""The auditor's export bundle: events (JSON Lines, exactly as the API serves them), every signed
checkpoint, the verifier key, and a standalone verifier script (Python + cryptography only)."""

import io
import json
import zipfile
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from audit import keys, services
from audit.models import AuditCheckpoint, AuditEvent

VERIFIER_SCRIPT = Path(__file__).resolve().parent / "standalone" / "verify_bundle.py"

README = """Gongkai audit export / 审计日志导出包
=====================================

events.jsonl       每行一个事件 / one event per line: seq, hash, prev_hash, event (the exact hashed text)
checkpoints.jsonl  签名检查点 / signed checkpoints (C2SP tlog-checkpoint signed notes, Ed25519)
key.txt            验证公钥 / the verifier key NAME+KEYID+BASE64 — compare it with the key the
                   school publishes through another channel
verify_bundle.py   离线验证脚本 / offline verifier: needs only Python 3 and `cryptography`

    pip install cryptography
    python3 verify_bundle.py {name} --key "$(cat key.txt)"

Exit status 0: every hash, the chain, the Merkle roots and the signatures verify.
Otherwise the first bad sequence number is printed.
"""


def build_bundle(*, actor):
    """Record the export, sign a checkpoint covering it, and return (filename, zip bytes)."""
    with transaction.atomic():
        size_before = services.tree_size()
        services.record("audit.export", actor=actor, object_type="audit.log", object_id="bundle", data={"size": size_before + 1})
        checkpoint = services.checkpoint(reason="export")
        name = f"gongkai-audit-{timezone.now():%Y%m%d-%H%M%S}-{checkpoint.tree_size}.zip"
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
            with bundle.open("events.jsonl", "w") as out:
                rows = AuditEvent.objects.filter(seq__lte=checkpoint.tree_size).order_by("seq")
                for seq, leaf, prev, text in rows.values_list("seq", "leaf_hash", "prev_hash", "canonical").iterator(chunk_size=5000):
                    line = json.dumps({"seq": seq, "hash": leaf, "prev_hash": prev, "event": text}, ensure_ascii=False)
                    out.write(line.encode("utf-8") + b"\n")
            checkpoints = AuditCheckpoint.objects.filter(tree_size__lte=checkpoint.tree_size).order_by("tree_size", "id")
            bundle.writestr(
                "checkpoints.jsonl",
                "".join(
                    json.dumps({"tree_size": c.tree_size, "root_hash": c.root_hash, "reason": c.reason, "note": c.note}, ensure_ascii=False) + "\n"
                    for c in checkpoints
                ),
            )
            bundle.writestr("key.txt", keys.verifier_key() + "\n")
            bundle.write(VERIFIER_SCRIPT, "verify_bundle.py")
            bundle.writestr("README.txt", README.format(name=name))
        return name, buffer.getvalue()
