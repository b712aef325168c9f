"""The one way to write the audit log. Call `record` inside the transaction of the change it
describes: if the change rolls back, so does its event, and if recording fails, the change fails."""

import datetime

from django.db import connection, transaction
from django.utils import timezone

from audit import context
from audit.canonical import ZERO_HASH, canonical_bytes, leaf_hash, state_digest
from audit.models import AuditEvent

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
    with transaction.atomic():
        _lock_chain_head()
        last = AuditEvent.objects.order_by("-seq").values_list("seq", "leaf_hash").first()
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
        return AuditEvent.objects.create(
            seq=seq,
            recorded_at=now,
            action=action,
            actor_id=actor.pk if actor else None,
            actor_username=document["actor"]["username"],
            object_type=document["object"]["type"],
            object_id=document["object"]["id"],
            department=document["department"],
            canonical=data_bytes.decode("utf-8"),
            leaf_hash=leaf_hash(data_bytes).hex(),
            prev_hash=prev_hash,
        )
