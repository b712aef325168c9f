"""The tamper matrix, on whichever database the suite runs (SQLite, and PostgreSQL in CI): each
attack is refused by the database, or — once a superuser bypasses the triggers — detected by
`audit_verify` at the first sequence number that does not match."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from audit import services
from audit.triggers import suspended
from tests.audit.tampering import rewrite_history, sql, verify


@pytest.fixture(autouse=True, params=[16, 2], ids=["chunks-65536", "chunks-4"])
def chunk_level(request, monkeypatch):
    """Verify with the production chunk size and with tiny chunks, so the upper tree (combined from
    chunk hashes) is checked against the stored nodes too."""
    from audit import verify as verifier

    monkeypatch.setattr(verifier, "CHUNK_LEVEL", request.param)
    monkeypatch.setattr(verifier, "CHUNK", 1 << request.param)
    return request.param


@pytest.fixture
def log(demo):
    """The seeded log plus 30 events, with checkpoints after 20 and after 30 of them."""
    for n in range(20):
        services.record("test.event", actor=None, object_type="test.thing", object_id=n, data={"n": n})
    first = services.checkpoint(reason="test").tree_size
    for n in range(10):
        services.record("test.event", actor=None, object_type="test.thing", object_id=20 + n, data={"n": 20 + n})
    last = services.checkpoint(reason="test").tree_size
    return first, last


def _refused(statement, params=None):
    with pytest.raises(DatabaseError), transaction.atomic():
        sql(statement, params)


def test_an_untouched_log_verifies(log):
    status, result = verify()
    first, last = log
    assert status == 0
    assert result == {
        "ok": True, "size": last, "root": services.root().hex(), "first_bad_seq": None,
        "checkpoints_verified": services.AuditCheckpoint.objects.count(),
        "unanchored": False, "columns_differ": [], "problems": [],
    }


def test_editing_a_row_is_refused_and_detected_when_forced(log):
    first, last = log
    target = first + 3
    edit = "UPDATE audit_auditevent SET canonical = replace(canonical, '\"n\":', '\"m\":') WHERE seq = %s"
    _refused(edit, [target])
    _refused("UPDATE audit_auditnode SET hash = %s WHERE upto = %s", ["0" * 64, last - last % 2])
    _refused("UPDATE audit_auditcheckpoint SET root_hash = %s", ["0" * 64])
    with suspended(connection):
        sql(edit, [target])
    status, result = verify()
    assert (status, result["ok"], result["first_bad_seq"]) == (1, False, target)


def test_a_forged_tree_node_is_detected(log):
    first, last = log
    with suspended(connection):
        sql("UPDATE audit_auditnode SET hash = %s WHERE upto = %s AND level = 1", ["0" * 64, first + 2 - first % 2])
    assert verify()[1]["first_bad_seq"] == first + 2 - first % 2


def test_a_forged_high_tree_node_is_detected(log):
    top = services.AuditNode.objects.order_by("-level", "upto").first()
    with suspended(connection):
        sql("UPDATE audit_auditnode SET hash = %s WHERE upto = %s AND level = %s", ["0" * 64, top.upto, top.level])
    assert verify()[1]["first_bad_seq"] == top.upto


def test_deleting_a_row_is_refused_and_detected_when_forced(log):
    first, last = log
    _refused("DELETE FROM audit_auditevent WHERE seq = %s", [first + 1])
    _refused("DELETE FROM audit_auditcheckpoint")
    with suspended(connection):
        sql("DELETE FROM audit_auditevent WHERE seq = %s", [first + 1])
    assert verify()[1]["first_bad_seq"] == first + 1


def test_reordering_rows_is_refused_and_detected_when_forced(log):
    first, last = log
    swap = [
        ("UPDATE audit_auditevent SET seq = -1 WHERE seq = %s", [first + 4]),
        ("UPDATE audit_auditevent SET seq = %s WHERE seq = %s", [first + 4, first + 5]),
        ("UPDATE audit_auditevent SET seq = %s WHERE seq = -1", [first + 5]),
    ]
    _refused(*swap[0])
    with suspended(connection):
        for statement, params in swap:
            sql(statement, params)
    assert verify()[1]["first_bad_seq"] == first + 4


def test_a_forged_row_cannot_take_a_used_number_and_a_forged_number_or_hash_is_detected(log):
    first, last = log
    row = services.AuditEvent.objects.get(seq=last)
    insert = (
        "INSERT INTO audit_auditevent (seq, recorded_at, action, actor_id, actor_username, object_type, object_id, "
        "department, canonical, leaf_hash, prev_hash) VALUES (%s, %s, 'forged', NULL, 'x', '', '', '', %s, %s, %s)"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        sql(insert, [first, row.recorded_at, '{"forged":1}', "ab" * 32, row.leaf_hash])
    sql(insert, [last + 1, row.recorded_at, '{"forged":1}', "cd" * 32, row.leaf_hash])  # INSERT is allowed…
    assert verify()[1]["first_bad_seq"] == last + 1  # …but its hash does not match its text
    sql(insert, [0, row.recorded_at, '{"forged":1}', "ef" * 32, "0" * 64])
    assert verify()[1]["first_bad_seq"] == 1  # a row before the first event


def test_truncating_is_refused_and_an_emptied_log_is_detected(log):
    truncate = "TRUNCATE audit_auditevent" if connection.vendor == "postgresql" else "DELETE FROM audit_auditevent"
    _refused(truncate)
    if connection.vendor == "postgresql":
        _refused("TRUNCATE audit_auditnode")
        _refused("TRUNCATE audit_auditcheckpoint")
    with suspended(connection):
        sql(truncate)
    status, result = verify()
    assert (status, result["size"], result["first_bad_seq"]) == (1, 0, 1)


def test_cutting_the_tail_is_refused_and_detected_when_forced(log):
    first, last = log
    cut = "DELETE FROM audit_auditevent WHERE seq > %s"
    _refused(cut, [last - 5])
    with suspended(connection):
        sql(cut, [last - 5])
    status, result = verify()
    assert (status, result["size"], result["first_bad_seq"]) == (1, last - 5, last - 4)


def test_a_superuser_who_recomputes_every_hash_is_caught_by_the_signed_checkpoints(log):
    first, last = log
    rewrite_history(first + 5, {"n": "rewritten"})
    status, result = verify()
    # the rows are self-consistent again, but the checkpoint signed at `last` is not
    assert (status, result["first_bad_seq"], result["checkpoints_verified"]) == (1, first + 1, 1)


def test_a_superuser_who_also_holds_the_signing_key_passes_audit_verify(log):
    """…which is why auditors keep checkpoints of their own (test_witness.py catches this one)."""
    first, last = log
    rewrite_history(first + 5, {"n": "rewritten"}, resign=True)
    assert verify()[0] == 0


def test_a_checkpoint_with_a_forged_signature_fails_verification(log):
    first, last = log
    forged = services.AuditCheckpoint.objects.get(tree_size=last)
    with suspended(connection):
        sql("DELETE FROM audit_auditcheckpoint WHERE id = %s", [forged.id])
    services.AuditCheckpoint.objects.create(
        tree_size=last, root_hash=forged.root_hash, note=forged.note.replace(str(last), str(last), 1)[:-10] + "AAAAAAAAA\n",
        reason="forged", created_at=forged.created_at,
    )
    status, result = verify()
    assert status == 1 and result["ok"] is False
