"""Everything records need from the audit trail, in one place: the item's events, a signed
checkpoint covering them with RFC 9162 inclusion proofs, and the checkpoint verifier key."""

from audit import keys, services
from audit.models import AuditEvent


def item_events(item_id):
    """The item's audit events, in order (the object type of workflow.DisclosureItem)."""
    return list(
        AuditEvent.objects.filter(object_type="workflow.disclosureitem", object_id=str(item_id))
        .order_by("seq")
        .values_list("seq", "leaf_hash")
    )


def events_match(leaf_hashes):
    """True if every {seq: leaf hash} is in our log with exactly that hash."""
    if not leaf_hashes:
        return False
    stored = dict(AuditEvent.objects.filter(seq__in=list(leaf_hashes)).values_list("seq", "leaf_hash"))
    return stored == {int(seq): value for seq, value in leaf_hashes.items()}


def checkpoint_with_proofs(seqs, *, reason):
    """Sign a checkpoint now (covering every event so far) and prove each event's inclusion in it.
    Returns {"origin", "size", "root" (hex), "checkpoint" (signed note text), "events": [{"seq",
    "leaf_hash", "proof": [hex…]}]}."""
    checkpoint = services.checkpoint(reason=reason[:64])
    size = checkpoint.tree_size
    leaves = dict(AuditEvent.objects.filter(seq__in=list(seqs)).values_list("seq", "leaf_hash"))
    events = []
    for seq in sorted(seqs):
        _index, _size, path = services.inclusion_proof(seq, size)
        events.append({"seq": seq, "leaf_hash": leaves[seq], "proof": [node.hex() for node in path]})
    return {
        "origin": checkpoint.note.split("\n", 1)[0],
        "size": size,
        "root": checkpoint.root_hash,
        "checkpoint": checkpoint.note,
        "events": events,
    }


def verifier_key():
    """The audit log's checkpoint verifier key (signed-note form NAME+KEYID+BASE64)."""
    return keys.verifier_key()


def open_checkpoint_note(text):
    """The body of a checkpoint note signed by the log's current or a retired key (NoteError)."""
    return keys.open_checkpoint_note(text)
