"""Full verification of the log from its rows: leaf hashes, the hash chain, every stored Merkle
subtree, and every stored checkpoint (signature and root). Reports the first sequence number that
does not match. One pass in sequence order, O(n) time and O(log n + chunk) memory."""

import hashlib
import json
from dataclasses import dataclass, field

from django.db import connection

from audit import keys, merkle, note
from audit.canonical import ZERO_HASH
from audit.models import AuditCheckpoint

CHUNK = 20000
_TIME_TAIL = len('2026-01-01T00:00:00.000000Z"}')  # what follows "time":" in a canonical event


@dataclass
class Result:
    ok: bool = True
    size: int = 0
    root: str = ""
    first_bad_seq: int | None = None
    checkpoints_verified: int = 0
    problems: list = field(default_factory=list)

    def fail(self, seq, message):
        self.ok = False
        if seq is not None and (self.first_bad_seq is None or seq < self.first_bad_seq):
            self.first_bad_seq = seq
        self.problems.append(f"#{seq}: {message}" if seq is not None else message)

    def as_json(self):
        return {
            "ok": self.ok,
            "size": self.size,
            "root": self.root,
            "first_bad_seq": self.first_bad_seq,
            "checkpoints_verified": self.checkpoints_verified,
        }


def _signed_checkpoints(result):
    """Stored checkpoints whose signature verifies, as {size: [(id, root bytes)]}; others fail."""
    verifier = keys.verifier_key()
    origin = keys.key_name()
    by_size = {}
    for row in AuditCheckpoint.objects.order_by("tree_size", "id"):
        try:
            body = note.open_note(row.note, verifier)
            note_origin, size, root = note.parse_checkpoint(body)
        except note.NoteError as error:
            result.fail(None, f"checkpoint {row.id}: {error}")
            continue
        if note_origin != origin or size != row.tree_size or root.hex() != row.root_hash:
            result.fail(None, f"checkpoint {row.id}: its row does not match its signed note")
            continue
        by_size.setdefault(size, []).append((row.id, root))
    return by_size


def _rows(cursor, after, bound):
    cursor.execute(
        "SELECT seq, canonical, leaf_hash, prev_hash FROM audit_auditevent WHERE seq > %s AND seq <= %s "
        "ORDER BY seq LIMIT %s",
        [after, bound, CHUNK],
    )
    return cursor.fetchall()


def _nodes(cursor, after, until):
    cursor.execute(
        "SELECT upto, level, hash FROM audit_auditnode WHERE upto > %s AND upto <= %s ORDER BY upto, level",
        [after, until],
    )
    stored = {}
    for upto, level, value in cursor.fetchall():
        stored.setdefault(upto, []).append((level, value))
    return stored


def verify_log():
    """Recompute everything from the rows; returns a Result (ok, size, root, first_bad_seq, …)."""
    result = Result()
    checkpoints = _signed_checkpoints(result)
    good_checkpoint_size = 0  # the largest checkpoint size whose root matched so far
    sha256 = hashlib.sha256
    node_hash = merkle.node_hash
    stack = []  # compact range: hashes of the perfect subtrees of the leaves seen so far
    expected, last_hex, broken = 1, ZERO_HASH, False

    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(seq), 0) FROM audit_auditevent")
        bound = cursor.fetchone()[0]
        cursor.execute("SELECT COALESCE(MAX(upto), 0) FROM audit_auditnode")
        max_node = cursor.fetchone()[0]
        after = -(2**62)  # from the very first row, even a forged seq 0 or below
        while after < bound:
            rows = _rows(cursor, after, bound)
            if not rows:
                break
            stored_nodes = _nodes(cursor, max(after, 0), rows[-1][0])
            for seq, canonical, stored_leaf, prev in rows:
                leaf = sha256(b"\x00" + canonical.encode()).digest()
                if not broken:
                    problem = None
                    if seq != expected:
                        problem, seq_at = f"expected event {expected}, found {seq}", expected
                    elif leaf.hex() != stored_leaf:
                        problem, seq_at = "the leaf hash does not match the event text", seq
                    elif prev != last_hex:
                        problem, seq_at = "the previous-hash link is broken", seq
                    elif not _names_position(canonical, seq, prev):
                        problem, seq_at = "the event text names another position in the log", seq
                    if problem:
                        result.fail(seq_at, problem)
                        broken = True
                # Extend the tree: each set low bit of the old size completes a subtree.
                index, level, current, completed = expected - 1, 0, leaf, []
                while (index >> level) & 1:
                    current = node_hash(stack.pop(), current)
                    level += 1
                    completed.append((level, current.hex()))
                stack.append(current)
                if not broken and completed != stored_nodes.get(seq, []):
                    result.fail(seq, "the stored Merkle subtrees ending here do not match the events")
                    broken = True
                elif not broken and not completed and seq in stored_nodes:
                    result.fail(seq, "the stored Merkle subtrees ending here do not match the events")
                    broken = True
                last_hex = stored_leaf
                if expected in checkpoints and not broken:
                    tree_root = _fold(stack)
                    for checkpoint_id, signed_root in checkpoints.pop(expected):
                        if signed_root == tree_root:
                            result.checkpoints_verified += 1
                            good_checkpoint_size = expected
                        else:
                            result.fail(good_checkpoint_size + 1, f"checkpoint {checkpoint_id} signed another root for size {expected}")
                            broken = True
                expected += 1
            after = rows[-1][0]

    size = expected - 1
    result.size = size
    result.root = _fold(stack).hex()
    for checkpoint_size in sorted(checkpoints):
        if checkpoint_size > size:
            result.fail(size + 1, f"a signed checkpoint covers {checkpoint_size} events but the log has {size}")
        elif not broken:  # unreachable unless sizes were skipped; keep the check honest
            result.fail(good_checkpoint_size + 1, f"checkpoint for size {checkpoint_size} was not checked")
    if max_node > size:
        result.fail(size + 1, "Merkle subtrees exist for events that are missing")
    return result


def _names_position(canonical, seq, prev):
    """Does the event text carry this seq and previous hash? Fast path: they are the last keys
    before "time" in sorted canonical JSON; otherwise parse it."""
    expected = f'"prev":"{prev}","seq":{seq},"time":"'
    if canonical[-_TIME_TAIL - len(expected) : -_TIME_TAIL] == expected and canonical.endswith('"}'):
        return True
    try:
        document = json.loads(canonical)
    except ValueError:
        return False
    return isinstance(document, dict) and document.get("seq") == seq and document.get("prev") == prev


def _fold(stack):
    if not stack:
        return merkle.EMPTY_ROOT
    result = stack[-1]
    for item in reversed(stack[:-1]):
        result = merkle.node_hash(item, result)
    return result
