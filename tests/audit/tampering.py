"""What an attacker with database access does, for the tamper tests (never used by the product)."""

import io
import json

from django.core.management import call_command
from django.db import connection

from audit import merkle, services
from audit.canonical import canonical_bytes
from audit.triggers import suspended


def sql(statement, params=None):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def verify():
    """Run `manage.py audit_verify --json`: (exit status, its JSON object)."""
    out = io.StringIO()
    try:
        call_command("audit_verify", "--json", stdout=out, stderr=io.StringIO())
        status = 0
    except SystemExit as exit:
        status = exit.code
    return status, json.loads(out.getvalue())


def rewrite_history(seq, data, *, resign=False):
    """A superuser disables the triggers, changes event `seq`, recomputes every later hash, the
    chain and the whole tree; with `resign` (they also hold the signing key) they replace the
    stored checkpoints with one they sign over the rewritten log."""
    with suspended(connection):
        rows = list(
            connection.cursor().execute("SELECT seq, canonical FROM audit_auditevent WHERE seq >= %s ORDER BY seq", [seq]).fetchall()
        ) if connection.vendor == "postgresql" else _rows_sqlite(seq)
        prev = services.AuditEvent.objects.filter(seq=seq - 1).values_list("leaf_hash", flat=True).first() or "0" * 64
        for row_seq, canonical in rows:
            document = json.loads(canonical)
            if row_seq == seq:
                document["data"] = data
            document["prev"] = prev
            text = canonical_bytes(document)
            leaf = merkle.leaf_hash(text).hex()
            sql(
                "UPDATE audit_auditevent SET canonical = %s, leaf_hash = %s, prev_hash = %s WHERE seq = %s",
                [text.decode(), leaf, prev, row_seq],
            )
            prev = leaf
        sql("DELETE FROM audit_auditnode")
        compact, nodes = merkle.CompactRange(), []
        for leaf in services.AuditEvent.objects.order_by("seq").values_list("leaf_hash", flat=True):
            for level, _index, value in compact.append(bytes.fromhex(leaf)):
                nodes.append(services.AuditNode(upto=compact.size, level=level, hash=value.hex()))
        services.AuditNode.objects.bulk_create(nodes)
        if resign:
            sql("DELETE FROM audit_auditcheckpoint")
    if resign:
        sign_as_key_holder(reason="rewritten")


def sign_as_key_holder(*, reason):
    """What someone holding the signing key does: sign the log as it is now and store the note,
    without the application (whose signer would refuse a root that does not extend its own)."""
    from django.utils import timezone

    from audit import keys, note

    size = services.tree_size()
    tree_root = services.root(size)
    body = note.checkpoint_body(keys.key_name(), size, tree_root)
    signed = note.sign(body, keys.key_name(), keys.signing_key())
    return services.AuditCheckpoint.objects.create(
        tree_size=size, root_hash=tree_root.hex(), note=signed, reason=reason, created_at=timezone.now()
    )


def _rows_sqlite(seq):
    with connection.cursor() as cursor:
        cursor.execute("SELECT seq, canonical FROM audit_auditevent WHERE seq >= %s ORDER BY seq", [seq])
        return cursor.fetchall()
