"""Everything records need from the audit trail, in one place: the item's events, a signed
checkpoint covering them with RFC 9162 inclusion proofs, and the checkpoint verifier key."""

from audit.models import AuditEvent


class AuditNotReady(RuntimeError):
    """The audit app does not (yet) provide signed checkpoints and proofs."""


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


def _audit_services():
    from audit import services

    if not hasattr(services, "checkpoint"):
        raise AuditNotReady("audit.services.checkpoint is not available yet")
    return services


def checkpoint_with_proofs(seqs, *, reason):
    """Sign a checkpoint now (covering every event so far) and prove each event's inclusion in it.
    Returns {"origin", "size", "root" (hex), "checkpoint" (signed note text), "events": [{"seq",
    "leaf_hash", "proof": [hex…]}]}."""
    _audit_services()
    raise AuditNotReady("wire audit checkpoints here")


def verifier_key():
    _audit_services()
    raise AuditNotReady("wire the audit verifier key here")
