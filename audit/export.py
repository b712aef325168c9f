"""The auditor's export bundle: events (JSON Lines, exactly as the API serves them), every signed
checkpoint, the verifier key, and a standalone verifier script (Python + cryptography only).

The export is recorded and its checkpoint signed in one short transaction; the events are then
read, outside the append lock, from a read-only snapshot and streamed into a file. Rows up to the
checkpoint never change (the log is append-only), so the bundle is consistent however long it
takes, and audited writes go on meanwhile. Memory stays flat with the size of the log."""

import contextlib
import json
import tempfile
import zipfile
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from audit import keys, services
from audit.models import AuditCheckpoint, AuditEvent

VERIFIER_SCRIPT = Path(__file__).resolve().parent / "standalone" / "verify_bundle.py"
CHUNK_ROWS = 1000  # short holds of the interpreter lock per statement; memory flat (+6 MB at 1M events)

README = """Gongkai audit export / 审计日志导出包
=====================================

events.jsonl       每行一个事件 / one event per line: seq, hash, prev_hash, event (the exact hashed text)
checkpoints.jsonl  签名检查点 / signed checkpoints (C2SP tlog-checkpoint signed notes, Ed25519)
key.txt            验证公钥 / the verifier key NAME+KEYID+BASE64 — compare it with the key the
                   school publishes through another channel
key_rotations.jsonl 密钥轮换声明 / each key rotation "old key → new key", signed by both keys:
                   checkpoints signed before a rotation verify with the old key it vouches for
verify_bundle.py   离线验证脚本 / offline verifier: needs only Python 3 and `cryptography`

    pip install cryptography
    python3 verify_bundle.py {name} --key "$(cat key.txt)"

Exit status 0: every hash, the chain, the Merkle roots and the signatures verify.
Otherwise the first bad sequence number is printed.
"""


def _record_export(actor):
    """The export's own event and a checkpoint covering it: the only part under the append lock."""
    with transaction.atomic():
        size_before = services.tree_size()
        services.record("audit.export", actor=actor, object_type="audit.log", object_id="bundle", data={"size": size_before + 1})
        return services.checkpoint(reason="export")


@contextlib.contextmanager
def _snapshot():
    """A read-only view of the log. On PostgreSQL a REPEATABLE READ READ ONLY transaction (one
    snapshot for every statement, no lock that writers wait for; server-side cursors stream the
    rows). On SQLite no transaction (ours are BEGIN IMMEDIATE, which would take the write lock): the
    rows read are immutable and bounded by the checkpoint anyway. Inside a caller's transaction
    (tests) that transaction's view is used."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


# A line of events.jsonl, {"seq", "hash", "prev_hash", "event"}, as the database writes it. Built in
# Python, a million of them kept the interpreter lock busy for the whole export: requests served by
# the same process waited for it (audited writes beside a 1M-event export twice as slow at p99), and
# the export took twice as long itself.
_EVENT_LINE = {
    "postgresql": "json_build_object('seq', seq, 'hash', leaf_hash, 'prev_hash', prev_hash, 'event', canonical)::text",
    "sqlite": "json_object('seq', seq, 'hash', leaf_hash, 'prev_hash', prev_hash, 'event', canonical)",
}


def _event_lines(upto):
    """The events up to `upto` as JSON Lines, CHUNK_ROWS lines per string."""
    sql = (f"SELECT {_EVENT_LINE[connection.vendor]} FROM {AuditEvent._meta.db_table} "
           "WHERE seq > %s AND seq <= %s ORDER BY seq")
    with connection.cursor() as cursor:
        for first in range(0, upto, CHUNK_ROWS):
            cursor.execute(sql, [first, min(first + CHUNK_ROWS, upto)])
            yield "".join(f"{line}\n" for (line,) in cursor.fetchall())


def write_bundle(out, *, actor):
    """Record the export, then write the bundle (a zip) into the binary file `out`; returns the
    bundle's file name."""
    checkpoint = _record_export(actor)
    name = f"gongkai-audit-{timezone.localtime():%Y%m%d-%H%M%S}-{checkpoint.tree_size}.zip"  # local time, as the pages show
    with _snapshot(), zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        with bundle.open("events.jsonl", "w", force_zip64=True) as events:
            for lines in _event_lines(checkpoint.tree_size):
                events.write(lines.encode("utf-8"))
        with bundle.open("checkpoints.jsonl", "w", force_zip64=True) as lines:
            checkpoints = AuditCheckpoint.objects.filter(tree_size__lte=checkpoint.tree_size).order_by("tree_size", "id")
            for c in checkpoints.iterator(chunk_size=CHUNK_ROWS):
                line = json.dumps({"tree_size": c.tree_size, "root_hash": c.root_hash, "reason": c.reason, "note": c.note}, ensure_ascii=False)
                lines.write(line.encode("utf-8") + b"\n")
        bundle.writestr("key.txt", keys.verifier_key() + "\n")
        bundle.writestr("key_rotations.jsonl", "".join(json.dumps({"note": text}, ensure_ascii=False) + "\n"
                                                        for text in keys.rotations()))
        bundle.write(VERIFIER_SCRIPT, "verify_bundle.py")
        bundle.writestr("README.txt", README.format(name=name))
    return name


def build_bundle(*, actor):
    """Record the export and return (filename, file): the bundle in an anonymous temporary file,
    positioned at its start, gone when closed."""
    out = tempfile.TemporaryFile()
    try:
        name = write_bundle(out, actor=actor)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return name, out
