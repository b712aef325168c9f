"""The log as services write it: chain, stored tree, roots and proofs, checkpoints."""

import pytest

from audit import merkle, note, services
from audit.models import AuditCheckpoint, AuditEvent, AuditNode


def _append(count, actor=None):
    return [services.record("test.event", actor=actor, object_type="test.thing", object_id=i, data={"n": i}) for i in range(count)]


def _leaves():
    return [bytes.fromhex(h) for h in AuditEvent.objects.order_by("seq").values_list("leaf_hash", flat=True)]


def test_each_event_chains_to_the_previous_one_and_hashes_its_canonical_text(db):
    events = _append(5)
    assert [e.seq for e in events] == list(range(events[0].seq, events[0].seq + 5))
    for previous, event in zip(events, events[1:]):
        assert event.prev_hash == previous.leaf_hash
        assert merkle.leaf_hash(event.canonical.encode()).hex() == event.leaf_hash
        assert f'"prev":"{previous.leaf_hash}","seq":{event.seq},' in event.canonical


def test_stored_subtrees_give_the_same_roots_and_proofs_as_the_leaves(db):
    _append(37)
    leaves = _leaves()
    size = len(leaves)
    compact = merkle.CompactRange()
    for leaf in leaves:
        compact.append(leaf)
    assert services.root() == compact.root()
    # every complete perfect subtree is stored once
    assert AuditNode.objects.count() == sum(size >> level for level in range(1, size.bit_length()))
    for seq in (1, size // 2, size):
        index, tree_size, proof = services.inclusion_proof(seq, size)
        merkle.verify_inclusion(index, tree_size, leaves[seq - 1], proof, compact.root())
    first = size - 7
    first_root = services.root(first)
    merkle.verify_consistency(first, size, first_root, services.root(size), services.consistency_proof(first, size))


def test_proofs_for_sizes_the_log_does_not_have_are_refused(db):
    size = services.tree_size()
    with pytest.raises(services.TreeError):
        services.inclusion_proof(size + 1, size + 1)
    with pytest.raises(services.TreeError):
        services.consistency_proof(0, size)


def test_a_checkpoint_is_a_signed_note_over_the_current_root_and_is_reused_until_new_events(db):
    _append(3)
    checkpoint = services.checkpoint(reason="test")
    body = note.open_note(checkpoint.note, services.keys.verifier_key())
    origin, size, tree_root = note.parse_checkpoint(body)
    assert (size, tree_root) == (services.tree_size(), services.root())
    assert checkpoint.note.splitlines()[-1].startswith("\u2014 " + origin + " ")
    assert services.checkpoint(reason="again") == checkpoint
    _append(1)
    assert services.checkpoint(reason="later").tree_size == size + 1
    assert AuditCheckpoint.objects.count() >= 2


def test_a_failure_to_record_rolls_back_the_change_it_describes(db, django_user_model):
    from django.db import transaction

    before = services.tree_size()
    with pytest.raises(TypeError), transaction.atomic():
        django_user_model.objects.create(username="rolled-back")
        services.record("test.float", actor=None, data={"amount": 1.5})
    assert not django_user_model.objects.filter(username="rolled-back").exists()
    assert services.tree_size() == before
