"""The Merkle code against the RFC 9162 vectors (tests/data/rfc9162) and, by property, against a reference tree."""

import base64
import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from audit import merkle

VECTORS = Path(__file__).resolve().parents[1] / "data" / "rfc9162"  # Apache-2.0, see its LICENSE


def _b64(value):
    return base64.b64decode(value or "")


def _vector_files(kind):
    files = sorted((VECTORS / kind).rglob("*.json"))
    assert files, f"no {kind} vectors under {VECTORS}"
    return files


def _outcome(check):
    try:
        check()
    except merkle.ProofError:
        return True
    return False


@pytest.mark.parametrize("path", _vector_files("inclusion"), ids=lambda p: str(p.relative_to(VECTORS)))
def test_inclusion_vectors_verify_exactly_as_each_file_says(path):
    v = json.loads(path.read_text())
    proof = [_b64(item) for item in (v["proof"] or [])]
    failed = _outcome(
        lambda: merkle.verify_inclusion(v["leafIdx"], v["treeSize"], _b64(v["leafHash"]), proof, _b64(v["root"]))
    )
    assert failed == v["wantErr"], v["desc"]


@pytest.mark.parametrize("path", _vector_files("consistency"), ids=lambda p: str(p.relative_to(VECTORS)))
def test_consistency_vectors_verify_exactly_as_each_file_says(path):
    v = json.loads(path.read_text())
    proof = [_b64(item) for item in (v["proof"] or [])]
    failed = _outcome(
        lambda: merkle.verify_consistency(v["size1"], v["size2"], _b64(v["root1"]), _b64(v["root2"]), proof)
    )
    assert failed == v["wantErr"], v["desc"]


def test_all_196_vector_files_are_read():
    assert len(_vector_files("inclusion")) + len(_vector_files("consistency")) == 196


# --- a reference tree straight from the RFC's definition -------------------------------------


def _reference_root(leaves):
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return merkle.node_hash(_reference_root(leaves[:k]), _reference_root(leaves[k:]))


ALL_LEAVES = [merkle.leaf_hash(f"event {i}".encode()) for i in range(1024)]


def _root_of_size(size, original_size, original_root):
    """The root a checkpoint of `size` would carry: the real tree's (leaves are deterministic), or,
    for sizes beyond what we generate, the original root (the strongest lie an attacker can tell)."""
    if 0 < size <= len(ALL_LEAVES):
        return _reference_root(ALL_LEAVES[:size])
    return original_root


def _tree(size):
    leaves = list(ALL_LEAVES[:size])
    nodes = {(0, i): h for i, h in enumerate(leaves)}
    compact = merkle.CompactRange()
    for leaf in leaves:
        for level, index, value in compact.append(leaf):
            nodes[(level, index)] = value
    return leaves, nodes, compact


def _flip(value, bit):
    data = bytearray(value)
    data[(bit // 8) % len(data)] ^= 1 << (bit % 8)
    return bytes(data)


def test_the_empty_tree_root_is_the_hash_of_nothing():
    assert merkle.root(0, None).hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@hsettings(max_examples=60, deadline=None)
@given(size=st.integers(1, 300), data=st.data())
def test_stored_subtrees_give_the_rfc_root_and_proofs_that_verify(size, data):
    leaves, nodes, compact = _tree(size)
    get = lambda level, index: nodes[(level, index)]  # noqa: E731
    tree_root = _reference_root(leaves)
    assert merkle.root(size, get) == tree_root == compact.root()
    assert merkle.plan_root(size) == {key for key in merkle.CompactRange.frontier(size)}

    index = data.draw(st.integers(0, size - 1))
    proof = merkle.inclusion_proof(index, size, get)
    assert merkle.plan_inclusion(index, size) <= set(nodes)
    merkle.verify_inclusion(index, size, leaves[index], proof, tree_root)

    first = data.draw(st.integers(1, size))
    first_root = _reference_root(leaves[:first])
    consistency = merkle.consistency_proof(first, size, get)
    merkle.verify_consistency(first, size, first_root, tree_root, consistency)


@hsettings(max_examples=150, deadline=None)
@given(size=st.integers(2, 200), data=st.data())
def test_any_single_bit_change_to_an_inclusion_proof_is_rejected(size, data):
    leaves, nodes, _ = _tree(size)
    get = lambda level, index: nodes[(level, index)]  # noqa: E731
    tree_root = _reference_root(leaves)
    index = data.draw(st.integers(0, size - 1))
    proof = merkle.inclusion_proof(index, size, get)
    target = data.draw(st.sampled_from(["proof", "root", "leaf", "index", "size"]))
    if target == "proof":
        position = data.draw(st.integers(0, len(proof) - 1))
        bit = data.draw(st.integers(0, 255))
        proof = proof[:position] + [_flip(proof[position], bit)] + proof[position + 1 :]
    elif target == "root":
        tree_root = _flip(tree_root, data.draw(st.integers(0, 255)))
    elif target == "leaf":
        leaves[index] = _flip(leaves[index], data.draw(st.integers(0, 255)))
    elif target == "index":
        index ^= 1 << data.draw(st.integers(0, 63))
    else:
        # A size always travels with its root (the signed checkpoint): the changed size is checked
        # against the root of the tree of that size.
        new_size = size ^ (1 << data.draw(st.integers(0, 63)))
        tree_root, size = _root_of_size(new_size, size, tree_root), new_size
    with pytest.raises(merkle.ProofError):
        merkle.verify_inclusion(index, size, leaves[index % len(leaves)], proof, tree_root)


@hsettings(max_examples=150, deadline=None)
@given(size=st.integers(2, 200), data=st.data())
def test_any_single_bit_change_to_a_consistency_proof_is_rejected(size, data):
    leaves, nodes, _ = _tree(size)
    get = lambda level, index: nodes[(level, index)]  # noqa: E731
    first = data.draw(st.integers(1, size - 1))
    first_root, second_root = _reference_root(leaves[:first]), _reference_root(leaves)
    proof = merkle.consistency_proof(first, size, get)
    second = size
    target = data.draw(st.sampled_from(["proof", "first_root", "second_root", "first", "second"]))
    if target == "proof":
        position = data.draw(st.integers(0, len(proof) - 1))
        proof[position] = _flip(proof[position], data.draw(st.integers(0, 255)))
    elif target == "first_root":
        first_root = _flip(first_root, data.draw(st.integers(0, 255)))
    elif target == "second_root":
        second_root = _flip(second_root, data.draw(st.integers(0, 255)))
    elif target == "first":
        new_first = first ^ (1 << data.draw(st.integers(0, 63)))
        first_root, first = _root_of_size(new_first, first, first_root), new_first
    else:
        new_second = second ^ (1 << data.draw(st.integers(0, 63)))
        second_root, second = _root_of_size(new_second, second, second_root), new_second
    with pytest.raises(merkle.ProofError):
        merkle.verify_consistency(first, second, first_root, second_root, proof)
