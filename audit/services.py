"""The one way to write the audit log. Call `record` inside the transaction of the change it
describes: if the change rolls back, so does its event, and if recording fails, the change fails.

Appends are serialised (pg_advisory_xact_lock on PostgreSQL; SQLite transactions are BEGIN
IMMEDIATE, see settings) so the chain never forks. Each append also stores the Merkle subtrees it
completes (AuditNode), so roots and proofs read O(log n) rows."""

import datetime

from django.db import connection, transaction
from django.utils import timezone

from audit import context, keys, merkle, note, signer_state
from audit.canonical import ZERO_HASH, canonical_bytes, leaf_hash, state_digest
from audit.models import AuditCheckpoint, AuditEvent, AuditNode

# Key for pg_advisory_xact_lock: serialises appends so the chain never forks.
_APPEND_LOCK_KEY = 0x6F6E676B6169  # "ongkai"


def _lock_chain_head():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_APPEND_LOCK_KEY])
    # SQLite: every transaction is BEGIN IMMEDIATE (settings), which already holds the write lock.


def _actor_doc(actor):
    if actor is None:
        return {"id": None, "username": "system"}
    return {"id": actor.pk, "username": actor.get_username()}


def _completed_nodes(seq, new_leaf: bytes, prev_leaf_hex):
    """The subtrees completed by leaf number `seq` (leaf index seq-1), as AuditNode rows."""
    index = seq - 1
    levels = 0
    while (index >> levels) & 1:
        levels += 1
    if not levels:
        return []
    # Left siblings: the previous leaf, then stored nodes ending where each sibling ends.
    siblings = {0: bytes.fromhex(prev_leaf_hex)}
    if levels > 1:
        wanted = [((index >> level) << level, level) for level in range(1, levels)]
        for upto, level, value in AuditNode.objects.filter(pk__in=wanted).values_list("upto", "level", "hash"):
            siblings[level] = bytes.fromhex(value)
    rows, current = [], new_leaf
    for level in range(levels):
        if level not in siblings:
            raise RuntimeError(f"the Merkle tree is missing a node at level {level} before event {seq}")
        current = merkle.node_hash(siblings[level], current)
        rows.append(AuditNode(upto=seq, level=level + 1, hash=current.hex()))
    return rows


def record(
    action,
    *,
    actor,
    obj=None,
    object_type=None,
    object_id=None,
    version=None,
    department="",
    before=None,
    after=None,
    data=None,
):
    """Append one event. `actor` is a user or None for the system; `before`/`after` are the
    object's state as dicts (only their digests are logged); `data` holds small details such as a
    comment, with strings and integers only."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk
    # No savepoint: a failure to record must fail the caller's whole transaction anyway, and the
    # savepoint would cost two more round trips while the append lock is held.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        _lock_chain_head()
        cursor.execute("SELECT seq, leaf_hash FROM audit_auditevent ORDER BY seq DESC LIMIT 1")
        last = cursor.fetchone()
        seq, prev_hash = (last[0] + 1, last[1]) if last else (1, ZERO_HASH)
        now = timezone.now()
        document = {
            "seq": seq,
            "time": now.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "actor": _actor_doc(actor),
            "action": action,
            "object": {"type": object_type or "", "id": "" if object_id is None else str(object_id), "version": version},
            "department": department or "",
            "before": state_digest(before),
            "after": state_digest(after),
            "data": data or {},
            "context": context.current(),
            "prev": prev_hash,
        }
        data_bytes = canonical_bytes(document)
        digest = leaf_hash(data_bytes)
        event = AuditEvent(
            seq=seq,
            recorded_at=now,
            action=action,
            actor_id=actor.pk if actor else None,
            actor_username=document["actor"]["username"],
            object_type=document["object"]["type"],
            object_id=document["object"]["id"],
            department=document["department"],
            canonical=data_bytes.decode("utf-8"),
            leaf_hash=digest.hex(),
            prev_hash=prev_hash,
        )
        nodes = _completed_nodes(seq, digest, prev_hash)
        _insert(cursor, event, nodes)
        event._state.adding, event._state.db = False, connection.alias
        return event


_EVENT_INSERT = (
    "INSERT INTO audit_auditevent (seq, recorded_at, action, actor_id, actor_username, object_type, object_id, "
    "department, canonical, leaf_hash, prev_hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


def _insert(cursor, event, nodes):
    """The event and the subtrees it completes, in one statement on PostgreSQL."""
    params = [
        event.seq, connection.ops.adapt_datetimefield_value(event.recorded_at), event.action, event.actor_id, event.actor_username, event.object_type,
        event.object_id, event.department, event.canonical, event.leaf_hash, event.prev_hash,
    ]
    node_params = [value for node in nodes for value in (node.upto, node.level, node.hash)]
    node_values = ", ".join(["(%s, %s, %s)"] * len(nodes))
    if connection.vendor == "postgresql" and nodes:
        cursor.execute(
            f"WITH new_event AS ({_EVENT_INSERT}) INSERT INTO audit_auditnode (upto, level, hash) VALUES {node_values}",
            params + node_params,
        )
        return
    cursor.execute(_EVENT_INSERT, params)
    if nodes:
        cursor.execute(f"INSERT INTO audit_auditnode (upto, level, hash) VALUES {node_values}", node_params)


# --- reading the tree ----------------------------------------------------------------------------


def tree_size():
    """The number of events in the log (sequence numbers run 1..size)."""
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    return last or 0


class TreeError(ValueError):
    """A root or proof was asked for sizes or positions the log does not have."""


def _fetch(needed, size=None):
    """Hashes (bytes) of the perfect subtrees `needed`, {(level, index): hash}, in one query.
    With `size`, also checks that the log has at least that many events (TreeError if not)."""
    parts, params = [], []
    leaves = [index + 1 for level, index in needed if level == 0]
    if leaves:
        parts.append(
            f"SELECT 0, seq, leaf_hash FROM audit_auditevent WHERE seq IN ({', '.join(['%s'] * len(leaves))})"
        )
        params += leaves
    inner = [((index + 1) << level, level) for level, index in needed if level > 0]
    if inner:
        parts.append(
            "SELECT level, upto, hash FROM audit_auditnode WHERE "
            + " OR ".join(["(upto = %s AND level = %s)"] * len(inner))
        )
        params += [value for pair in inner for value in pair]
    if size is not None:
        parts.append("SELECT -1, COALESCE(MAX(seq), 0), '' FROM audit_auditevent")
    found, current = {}, None
    if parts:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for level, upto, value in cursor.fetchall():
                if level == -1:
                    current = upto
                elif level == 0:
                    found[(0, upto - 1)] = bytes.fromhex(value)
                else:
                    found[(level, (upto >> level) - 1)] = bytes.fromhex(value)
    if size is not None and size > current:
        raise TreeError(f"the log has {current} events; size {size} does not exist")
    missing = set(needed) - set(found)
    if missing:
        raise TreeError(f"the stored tree lacks subtrees {sorted(missing)[:3]}")
    return found


def _run(plan, build, *args, size=None):
    found = _fetch(plan(*args), size=size)
    return build(*args, lambda level, index: found[(level, index)])


def root(size=None):
    """The RFC 9162 root of the first `size` events (default: all), as bytes."""
    size = tree_size() if size is None else size
    if size < 0:
        raise TreeError(f"size {size} does not exist")
    if size == 0:
        return merkle.EMPTY_ROOT
    return _run(merkle.plan_root, merkle.root, size, size=size)


def inclusion_proof(seq, size=None):
    """Audit path for event `seq` in the tree of the first `size` events: (leaf_index, size, [bytes])."""
    size = tree_size() if size is None else size
    if not 1 <= seq <= size:
        raise TreeError(f"event {seq} is not in a tree of size {size}")
    # One query: the subtrees and the check that the log is that big.
    return seq - 1, size, _run(merkle.plan_inclusion, merkle.inclusion_proof, seq - 1, size, size=size)


def consistency_proof(first, second):
    """RFC 9162 consistency proof between tree sizes 0 < first <= second, as [bytes]."""
    if not 0 < first <= second:
        raise TreeError(f"no consistency proof from size {first} to size {second}")
    return _run(merkle.plan_consistency, merkle.consistency_proof, first, second, size=second)


# --- checkpoints ---------------------------------------------------------------------------------


def latest_checkpoint():
    return AuditCheckpoint.objects.order_by("-tree_size", "-id").first()


class CheckpointRefused(Exception):
    """The log does not extend a checkpoint this installation signed before: history was rewritten
    (or the log rolled back). Nothing is signed; an alarm is raised."""


def _kept_size(text):
    try:
        return note.parse_checkpoint(keys.open_checkpoint_note(text))[1]
    except note.NoteError:
        return None


def _anchors():
    """Checkpoints a new root must extend, as [(what, size, root bytes)]: the one kept outside the
    database, and the latest stored one that carries our signature."""
    anchors = []
    kept = signer_state.read()
    if kept:
        try:
            _origin, size, kept_root = note.parse_checkpoint(keys.open_checkpoint_note(kept))
        except note.NoteError as error:
            raise CheckpointRefused(f"the checkpoint kept outside the database does not verify: {error}") from None
        anchors.append(("the checkpoint kept outside the database", size, kept_root))
    latest = latest_checkpoint()
    if latest is not None:
        try:
            _origin, size, stored_root = note.parse_checkpoint(keys.open_checkpoint_note(latest.note))
        except note.NoteError:
            pass  # not ours: audit_verify reports it; it anchors nothing
        else:
            anchors.append((f"stored checkpoint {latest.pk}", size, stored_root))
    return anchors


def _check_extends(anchors, size, tree_root):
    for what, anchor_size, anchor_root in anchors:
        if anchor_size > size:
            raise CheckpointRefused(f"the log has {size} events but {what} covers {anchor_size}")
        if anchor_size == size:
            if anchor_root != tree_root:
                raise CheckpointRefused(f"{what} signed another root for the same {size} events")
            continue
        if anchor_size == 0:
            continue
        try:
            merkle.verify_consistency(anchor_size, size, anchor_root, tree_root, consistency_proof(anchor_size, size))
        except (merkle.ProofError, TreeError) as error:
            raise CheckpointRefused(
                f"the log at {size} events does not extend {what} at {anchor_size} events: {error}"
            ) from None


def _keep_outside(checkpoint_row):
    if _kept_size(checkpoint_row.note) == checkpoint_row.tree_size:  # only a note we signed
        signer_state.keep(checkpoint_row.note, checkpoint_row.tree_size, _kept_size)


def checkpoint(*, reason):
    """Sign a checkpoint for the log as it is now (in this transaction) and store it; returns the
    AuditCheckpoint. If the latest checkpoint already covers every event, that one is returned.
    Call it at publication (reason="publication") so the record can cite a checkpoint that covers
    its events.

    A new root is signed only if the log extends (RFC 9162 consistency proof) both the checkpoint
    kept outside the database and the latest stored one; otherwise CheckpointRefused is raised and
    the `checkpoint_refused` signal tells whoever raises the alarm (the operations app)."""
    try:
        with transaction.atomic():
            _lock_chain_head()  # no append can slip in between the size and the root
            size = tree_size()
            latest = latest_checkpoint()
            if latest is not None and latest.tree_size == size and _kept_size(latest.note) == size:
                if not signer_state.read():
                    # Nothing kept yet (an installation from before the file existed): keep it now.
                    transaction.on_commit(lambda: _keep_outside(latest))
                return latest
            tree_root = root(size)
            _check_extends(_anchors(), size, tree_root)
            origin = keys.key_name()
            body = note.checkpoint_body(origin, size, tree_root)
            signed = note.sign(body, origin, keys.signing_key())
            row = AuditCheckpoint.objects.create(
                tree_size=size, root_hash=tree_root.hex(), note=signed, reason=reason[:64], created_at=timezone.now()
            )
            # Only once it has committed: a rolled-back checkpoint must never become the anchor.
            transaction.on_commit(lambda: _keep_outside(row))
            return row
    except CheckpointRefused as error:
        from audit.signals import checkpoint_refused

        checkpoint_refused.send(sender=CheckpointRefused, reason=reason, message=str(error))
        raise


def signer_problem():
    """Why the signer would refuse to sign the log as it is now, or None (read-only; for the
    health checks)."""
    size = tree_size()
    try:
        _check_extends(_anchors(), size, root(size))
    except (CheckpointRefused, TreeError) as error:
        return str(error)
    return None


def checkpoint_covering(seq):
    """The first stored checkpoint whose tree includes event `seq`, or None."""
    return AuditCheckpoint.objects.filter(tree_size__gte=seq).order_by("tree_size", "id").first()


def has_unsigned_events():
    latest = latest_checkpoint()
    return tree_size() > (latest.tree_size if latest else 0)
