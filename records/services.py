"""Issuing records. The one public entry points: `on_item_decided` (listening to the workflow's
`item_decided` signal, sent inside the deciding transaction) and `issue_record` (run by the Celery
task). Issuing is idempotent: one record per item, version and kind, enforced by a unique
constraint; a retried or duplicated job returns the record that exists."""

import hashlib
import logging
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from audit.services import record as audit_record
from core.files import atomic_write
from records import audit_link
from records.models import Record, record_number
from records.pki import signing_identity
from records.rendering import render_pdf
from records.signing import sign_pdf
from records.tasks import issue_record as task

log = logging.getLogger(__name__)

KIND_LABELS = {
    Record.Kind.PUBLICATION: "信息公开记录",
    Record.Kind.REFUSAL: "不予公开决定记录",
    Record.Kind.WITHDRAWAL: "撤回公开记录",
}
SIGN_REASONS = {
    Record.Kind.PUBLICATION: "信息公开记录 / disclosure record",
    Record.Kind.REFUSAL: "不予公开决定记录 / refusal record",
    Record.Kind.WITHDRAWAL: "撤回公开记录 / withdrawal record",
}


def on_item_decided(sender=None, *, item, transition, **kwargs):
    """Schedule the record a decision calls for (`transition.record`, if any) once the deciding
    transaction commits."""
    kind = transition.record
    if not kind:
        return
    if kind not in Record.Kind.values:
        raise ValueError(f"unknown record kind {kind!r}")
    # robust: a failed render (or a down broker) never turns a committed decision into an error;
    # the decision's state says a record is owed and the reconciler (operations) issues it.
    transaction.on_commit(lambda: task.delay(item.pk, kind), robust=True)


def local_time(dt):
    """A time as the record prints it: school-local, to the minute."""
    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M") if dt else ""


def write_file(relative, data):
    """Store a signed file (record or letter) under RECORDS_DIR, atomically."""
    return atomic_write(Path(settings.RECORDS_DIR) / relative, data)


def existing_record(item_id, version, kind):
    return Record.objects.filter(item_id=item_id, version=version, kind=kind).first()


def issue(content_source, *, item_id, version, kind, title, department=""):
    """Render, sign, store and register one record; returns (record, created).

    `content_source(proof, issued_at)` returns the RecordContent given the audit proof bundle. Rendering and
    signing happen outside any transaction (they take a fraction of a second); the row and its audit
    event are written together, and a concurrent duplicate loses on the unique constraint."""
    found = existing_record(item_id, version, kind)
    if found:
        return found, False

    seqs = [seq for seq, _ in audit_link.item_events(item_id)]
    proof = audit_link.checkpoint_with_proofs(seqs, reason=f"record {record_number(item_id, version, kind)}")
    issued_at = timezone.now()
    content = content_source(proof, issued_at)
    with translation.override("zh-hans"):
        unsigned, _fetcher = render_pdf(content)
    signed, fingerprint = sign_pdf(unsigned, reason=SIGN_REASONS[kind])
    sha256 = hashlib.sha256(signed).hexdigest()
    number = record_number(item_id, version, kind)
    relative = f"{issued_at:%Y}/{number}-{sha256[:16]}.pdf"
    path = write_file(relative, signed)
    identity = signing_identity()
    try:
        with transaction.atomic():
            record = Record.objects.create(
                item_id=item_id,
                version=version,
                kind=kind,
                title=title[:300],
                sha256=sha256,
                size=len(signed),
                path=relative,
                signer_fingerprint=fingerprint,
                signer_subject=identity.cert.subject.rfc4514_string()[:300],
                timestamped=bool(settings.RECORDS_TSA_URL),
                event_seqs=[e["seq"] for e in proof["events"]],
                checkpoint_size=proof["size"],
                checkpoint_root=proof["root"],
                issued_at=issued_at,
            )
            event = audit_record(
                "record.issue",
                actor=None,
                obj=record,
                department=department,
                after={"sha256": sha256, "item": item_id, "version": version, "kind": kind},
                data={
                    "sha256": sha256,
                    "item": str(item_id),
                    "version": version,
                    "kind": kind,
                    "number": number,
                    "signer": fingerprint,
                    "checkpoint_size": proof["size"],
                    "checkpoint_root": proof["root"],
                },
            )
            Record.objects.filter(pk=record.pk).update(audit_seq=event.seq)
            record.audit_seq = event.seq
    except IntegrityError:
        # Another run of the same job won the race: keep its record, drop our file.
        path.unlink(missing_ok=True)
        found = existing_record(item_id, version, kind)
        if found is None:
            raise
        return found, False
    _remove_orphans(path, number)
    return record, True


def _remove_orphans(kept, number):
    """Files of earlier attempts at this record (a worker killed after writing its file but before
    its row committed) are referenced by nothing: remove them."""
    for other in kept.parent.glob(f"{number}-*.pdf*"):
        if other != kept:
            other.unlink(missing_ok=True)
