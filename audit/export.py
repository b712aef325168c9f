"""The auditor's export bundle: events (JSON Lines, exactly as the API serves them), every signed
checkpoint, the verifier key, and a standalone verifier script (Python + cryptography only).

The export is recorded and its checkpoint signed in one short transaction; the events are then
read, outside the append lock, from a read-only snapshot and streamed into a file. Rows up to the
checkpoint never change (the log is append-only), so the bundle is consistent however long it
takes, and audited writes go on meanwhile. Memory stays flat with the size of the log.

An auditor asks for a bundle (request_export); a background job (audit.tasks.build_export, or the
reconciler when the job is lost) builds it into AUDIT_EXPORT_DIR, where its owner downloads it for a
week. In a worker process the export leaves the web process's CPU and interpreter lock alone."""

import contextlib
import datetime
import json
import logging
import os
import zipfile
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from audit import conf, keys, services
from audit.models import AuditCheckpoint, AuditEvent, AuditExport

log = logging.getLogger(__name__)

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
    bundle's file name and how many events it holds."""
    checkpoint = _record_export(actor)
    name = f"gongkai-audit-{timezone.localtime():%Y%m%d-%H%M%S}-{checkpoint.tree_size}.zip"  # local time, as the pages show
    with _snapshot(), zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as bundle:
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
    return name, checkpoint.tree_size


KEEP = datetime.timedelta(days=7)  # bundles are removed after a week: the log itself is the record


def request_export(actor):
    """Queue a bundle for `actor`; a background job builds it (core.jobs)."""
    from audit.tasks import build_export
    from core import jobs

    job = AuditExport.objects.create(requested_by=actor)
    transaction.on_commit(lambda: jobs.start(build_export, job.pk), robust=True)  # a lost job: reconcile builds it
    return job


def bundle_path(job):
    return conf.export_dir() / f"{job.pk}.zip"


def run_export(pk):
    """Build the bundle of export `pk` if it is still owed (queued, or its builder died); a second
    delivery of the job does nothing. Returns the export."""
    with transaction.atomic():
        job = AuditExport.objects.select_for_update().get(pk=pk)
        if job.state != AuditExport.State.QUEUED and not _died_running(job):
            return job  # built, failed, or being built by another job right now
        job.state, job.started_at = AuditExport.State.RUNNING, timezone.now()
        job.save(update_fields=["state", "started_at"])
    path = bundle_path(job)
    partial = path.with_suffix(".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(partial, "wb") as out:
            name, size = write_bundle(out, actor=job.requested_by)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)  # a reader never sees half a bundle
    except Exception as error:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        job.state, job.finished_at, job.error = AuditExport.State.FAILED, timezone.now(), f"{type(error).__name__}: {error}"[:2000]
        job.save(update_fields=["state", "finished_at", "error"])
        log.exception("audit export %s failed", pk)
        return job
    job.state, job.finished_at, job.filename = AuditExport.State.READY, timezone.now(), name
    job.tree_size, job.size_bytes = size, path.stat().st_size
    job.save(update_fields=["state", "finished_at", "filename", "tree_size", "size_bytes"])
    remove_expired()
    return job


def remove_expired():
    """Remove bundles older than KEEP."""
    for job in AuditExport.objects.filter(state=AuditExport.State.READY, finished_at__lt=timezone.now() - KEEP):
        bundle_path(job).unlink(missing_ok=True)
        job.state = AuditExport.State.EXPIRED
        job.save(update_fields=["state"])


def _died_after():
    """A job still `running` after this long was killed with its worker (the hard time limit)."""
    return timezone.now() - datetime.timedelta(seconds=settings.AUDIT_EXPORT_TIME_LIMIT)


def _died_running(job):
    return job.state == AuditExport.State.RUNNING and job.started_at <= _died_after()


def overdue(cutoff):
    """Exports a lost job left unbuilt: queued and untouched since `cutoff`, or still running after
    the time limit (its worker died)."""
    return list(AuditExport.objects.filter(
        Q(state=AuditExport.State.QUEUED, requested_at__lte=cutoff) | Q(state=AuditExport.State.RUNNING, started_at__lte=_died_after())
    ).order_by("requested_at").values_list("pk", flat=True))
