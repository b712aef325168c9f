"""Full verification of the log from its rows: leaf hashes, the hash chain, every stored Merkle
subtree, and every stored checkpoint (signature and root). Reports the first sequence number that
does not match.

The leaves are cut into aligned chunks of 2**CHUNK_LEVEL. Each chunk is checked on its own (its
rows, its links, the subtrees inside it) and yields its subtree hash; the chunk hashes are then
combined into the upper levels of the tree, which are compared with the stored nodes there, and into
the roots of the checkpoints. Big logs spread the chunks over worker processes (one DB connection
each); small ones, and calls inside a transaction, run them in order in this process."""

import datetime
import hashlib
import json
import multiprocessing
import os
from dataclasses import dataclass, field

from django.db import connection, connections

from audit import keys, merkle, note, signer_state
from audit.canonical import ZERO_HASH
from audit.models import AuditCheckpoint

CHUNK_LEVEL = 16  # 65,536 leaves per chunk
CHUNK = 1 << CHUNK_LEVEL
FETCH = 20000
PARALLEL_MIN = 4 * CHUNK
_TIME_TAIL = len('2026-01-01T00:00:00.000000Z"}')  # what follows "time":" in a canonical event


@dataclass
class Result:
    ok: bool = True
    size: int = 0
    root: str = ""
    first_bad_seq: int | None = None
    checkpoints_verified: int = 0
    unanchored: bool = False
    columns_differ: list = field(default_factory=list)  # seqs whose filter columns differ from the text
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
            "unanchored": self.unanchored,
            "columns_differ": self.columns_differ[:100],
            "problems": self.problems[:100],
        }


KEPT = "kept outside the database"


def _signed_checkpoints(result):
    """Stored checkpoints whose signature verifies (current key or one from the key history), and
    the checkpoint the signer kept outside the database, as {size: [(id, root bytes)]}; others
    fail. Stored checkpoints are signed in order, so their sizes never go backwards."""
    origin = keys.key_name()
    by_size, largest = {}, None
    notes = [(row.id, row.note, row.tree_size, row.root_hash) for row in AuditCheckpoint.objects.order_by("id")]
    kept = signer_state.read()
    for checkpoint_id, text, stored_size, stored_root in notes + ([(KEPT, kept, None, None)] if kept else []):
        label = "the checkpoint " + KEPT if checkpoint_id == KEPT else f"checkpoint {checkpoint_id}"
        try:
            body = keys.open_checkpoint_note(text)
            note_origin, size, root = note.parse_checkpoint(body)
        except note.NoteError as error:
            result.fail(None, f"{label}: {error}")
            continue
        if note_origin != origin or (stored_size is not None and (size != stored_size or root.hex() != stored_root)):
            result.fail(None, f"{label}: its row does not match its signed note")
            continue
        if checkpoint_id != KEPT:
            if largest is not None and size < largest[1]:
                result.fail(None, f"checkpoint {checkpoint_id} covers {size} events, fewer than checkpoint {largest[0]} signed before it ({largest[1]})")
            largest = max(largest or (checkpoint_id, size), (checkpoint_id, size), key=lambda pair: pair[1])
        by_size.setdefault(size, []).append((checkpoint_id, root))
    return by_size


_COLUMNS = "action, actor_id, actor_username, object_type, object_id, department, recorded_at"


def _dumps(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _time_text(recorded_at):
    if isinstance(recorded_at, str):  # SQLite through a raw cursor
        recorded_at = datetime.datetime.fromisoformat(recorded_at)
    if recorded_at.tzinfo is None:
        recorded_at = recorded_at.replace(tzinfo=datetime.timezone.utc)
    return recorded_at.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _columns_match(canonical, columns):
    """Do the copied filter columns say what the event text says? Fast path on the sorted keys
    (action and actor come first; department, object and time are the last keys whose names can
    occur only at the top level after `data`); otherwise parse the text."""
    action, actor_id, username, object_type, object_id, department, recorded_at = columns
    time_text = _time_text(recorded_at)
    head = f'{{"action":{_dumps(action)},"actor":{{"id":{_dumps(actor_id)},"username":{_dumps(username)}}},'
    at = canonical.rfind(',"department":')
    tail = f',"department":{_dumps(department)},"object":{{"id":{_dumps(object_id)},"type":{_dumps(object_type)},"version":'
    if canonical.startswith(head) and at > 0 and canonical.startswith(tail, at) and canonical.endswith(f'"time":"{time_text}"}}'):
        return True
    try:
        document = json.loads(canonical)
        return (
            document["action"] == action
            and document["actor"] == {"id": actor_id, "username": username}
            and document["department"] == department
            and document["object"]["type"] == object_type
            and document["object"]["id"] == object_id
            and document["time"] == time_text
        )
    except (ValueError, KeyError, TypeError):
        return False


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


def verify_chunk(start, end, snapshot_at, first_chunk_row_floor=False):
    """Check leaves start+1..end (seq numbers; start is a multiple of CHUNK). Returns
    (problem or None, local stack of subtree hashes, {size: local stack at that size}, rows seen)."""
    sha256, node_hash = hashlib.sha256, merkle.node_hash
    stack, snapshots, problem, columns_differ = [], {}, None, []
    expected = start + 1
    with connection.cursor() as cursor:
        if start == 0:
            last_hex = ZERO_HASH
            after = -(2**62) if first_chunk_row_floor else 0  # a forged seq 0 or below shows up here
        else:
            cursor.execute("SELECT leaf_hash FROM audit_auditevent WHERE seq = %s", [start])
            row = cursor.fetchone()
            last_hex, after = (row[0] if row else ""), start
        while after < end:
            cursor.execute(
                f"SELECT seq, canonical, leaf_hash, prev_hash, {_COLUMNS} FROM audit_auditevent WHERE seq > %s AND seq <= %s "
                "ORDER BY seq LIMIT %s",
                [after, end, FETCH],
            )
            rows = cursor.fetchall()
            if not rows:
                break
            cursor.execute(
                "SELECT upto, level, hash FROM audit_auditnode WHERE upto > %s AND upto <= %s AND level <= %s "
                "ORDER BY upto, level",
                [max(after, start), rows[-1][0], CHUNK_LEVEL],
            )
            stored_nodes = {}
            for upto, level, value in cursor.fetchall():
                stored_nodes.setdefault(upto, []).append((level, value))
            for seq, canonical, stored_leaf, prev, *columns in rows:
                if seq == expected and not _columns_match(canonical, columns):
                    columns_differ.append(seq)
                leaf = sha256(b"\x00" + canonical.encode()).digest()
                if problem is None:
                    if seq != expected:
                        problem = (expected, f"expected event {expected}, found {seq}")
                    elif leaf.hex() != stored_leaf:
                        problem = (seq, "the leaf hash does not match the event text")
                    elif prev != last_hex:
                        problem = (seq, "the previous-hash link is broken")
                    elif not _names_position(canonical, seq, prev):
                        problem = (seq, "the event text names another position in the log")
                # Extend the chunk's tree: each set low bit of the old size completes a subtree.
                index, level, current, completed = expected - 1, 0, leaf, []
                while level < CHUNK_LEVEL and (index >> level) & 1:
                    current = node_hash(stack.pop(), current)
                    level += 1
                    completed.append((level, current.hex()))
                stack.append(current)
                if problem is None and completed != stored_nodes.get(seq, []):
                    problem = (seq, "the stored Merkle subtrees ending here do not match the events")
                if seq in snapshot_at:
                    snapshots[seq] = list(stack)
                last_hex = stored_leaf
                expected += 1
            after = rows[-1][0]
    if problem is None and expected - 1 != end:
        problem = (expected, f"expected event {expected}, found none")
    return problem, stack, snapshots, expected - 1 - start, columns_differ


def _chunk_job(args):
    start, end, snapshot_at, floor = args
    try:
        return verify_chunk(start, end, snapshot_at, floor)
    finally:
        connection.close()


def _workers(bound):
    configured = os.environ.get("AUDIT_VERIFY_WORKERS")
    count = int(configured) if configured else (os.cpu_count() or 1)
    if bound < PARALLEL_MIN or count < 2 or connection.in_atomic_block:
        return 1
    return count


def verify_log(workers=None):
    """Recompute everything from the rows; returns a Result (ok, size, root, first_bad_seq, …)."""
    result = Result()
    checkpoints = _signed_checkpoints(result)
    anchored = any(size > 0 for size in checkpoints)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(seq), 0) FROM audit_auditevent")
        bound = cursor.fetchone()[0]
        cursor.execute("SELECT COALESCE(MAX(upto), 0) FROM audit_auditnode")
        max_node = cursor.fetchone()[0]
        cursor.execute(
            "SELECT upto, level, hash FROM audit_auditnode WHERE level > %s ORDER BY upto, level", [CHUNK_LEVEL]
        )
        upper_nodes = {}
        for upto, level, value in cursor.fetchall():
            upper_nodes.setdefault(upto, []).append((level, value))

    jobs = []
    for start in range(0, bound, CHUNK):
        end = min(start + CHUNK, bound)
        jobs.append((start, end, {s for s in checkpoints if start < s <= end}, start == 0))
    if not jobs:
        jobs = [(0, 0, set(), True)]
    workers = workers or _workers(bound)
    if workers > 1:
        connections.close_all()  # children must open their own connections
        with multiprocessing.get_context("fork").Pool(min(workers, len(jobs))) as pool:
            outcomes = pool.map(_chunk_job, jobs, chunksize=1)
    else:
        outcomes = [verify_chunk(*job) for job in jobs]

    chunk_stack = []  # compact range over the chunks (complete chunks sit at levels >= CHUNK_LEVEL)
    good_checkpoint_size, broken, size = 0, False, 0
    for (start, end, _, _), (problem, stack, snapshots, rows, columns_differ) in zip(jobs, outcomes):
        size += rows
        for seq in columns_differ:
            result.columns_differ.append(seq)
            result.fail(seq, "the stored filter columns (actor, action, object, department, time) differ from the event text")
        if problem and not broken:
            result.fail(*problem)
            broken = True
        for checkpoint_size in sorted(snapshots) if not broken else ():
            tree_root = _fold(chunk_stack + snapshots[checkpoint_size])
            for checkpoint_id, signed_root in checkpoints.pop(checkpoint_size):
                if signed_root == tree_root:
                    result.checkpoints_verified += checkpoint_id != KEPT
                    good_checkpoint_size = checkpoint_size
                elif not broken:
                    result.fail(good_checkpoint_size + 1, f"checkpoint {checkpoint_id} signed another root for size {checkpoint_size}")
                    broken = True
        if end - start == CHUNK and len(stack) == 1:
            # Combine the chunk into the upper tree and compare the nodes it completes.
            index, level, current, completed = (end >> CHUNK_LEVEL) - 1, CHUNK_LEVEL, stack[0], []
            while (index >> (level - CHUNK_LEVEL)) & 1 and chunk_stack:
                current = merkle.node_hash(chunk_stack.pop(), current)
                level += 1
                completed.append((level, current.hex()))
            chunk_stack.append(current)
            if completed != upper_nodes.pop(end, []) and not broken:
                result.fail(end, "the stored upper Merkle subtrees do not match the events")
                broken = True
        else:
            chunk_stack = chunk_stack + stack
    result.size = size
    result.root = _fold(chunk_stack).hex()
    for checkpoint_size in sorted(checkpoints):
        if checkpoint_size > size:
            result.fail(size + 1, f"a signed checkpoint covers {checkpoint_size} events but the log has {size}")
        elif checkpoint_size == 0:
            for checkpoint_id, signed_root in checkpoints[0]:
                if signed_root == merkle.EMPTY_ROOT:
                    result.checkpoints_verified += checkpoint_id != KEPT
                else:
                    result.fail(1, f"checkpoint {checkpoint_id} signed another root for the empty log")
    if not broken and (upper_nodes or max_node > size):
        result.fail(size + 1, "Merkle subtrees exist for events that are missing")
    if size and not anchored:
        # Nothing signed covers the log: a rewrite with the checkpoints deleted looks like this.
        result.unanchored = True
        result.problems.append("unanchored: no signed checkpoint covers any of the log's events")
    return result
