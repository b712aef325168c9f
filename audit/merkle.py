"""RFC 9162 (Certificate Transparency 2.0) Merkle trees: proofs and their verification.

Pure Python, no Django. Proofs are built from *perfect subtree* hashes, addressed as
(level, index): the subtree of 2**level leaves starting at leaf index * 2**level. Level 0 is the
leaves. A log stores every perfect subtree once it is complete (audit.models.AuditNode), so any
root or proof needs O(log n) stored hashes and no rescan.

Building a proof takes a `get(level, index) -> bytes` callable. `plan_*` runs the same algorithm
with placeholder hashes to list the subtrees it needs (the control flow never depends on hash
values), so a caller fetches them in one query and then builds the proof.
"""

import hashlib

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """A proof did not verify (or its inputs were malformed)."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _largest_power_of_two_below(n):
    """Largest k = 2**i with k < n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def perfect_subtrees(lo, hi):
    """The perfect subtrees (level, index) covering leaves [lo, hi), left to right, where lo is
    aligned as it is in every range RFC 9162's recursion produces (right edges of the tree)."""
    parts = []
    while lo < hi:
        size = hi - lo
        level = size.bit_length() - 1
        # lo must be aligned to the subtree we take; shrink until it is.
        while lo % (1 << level):
            level -= 1
        parts.append((level, lo >> level))
        lo += 1 << level
    return parts


def range_hash(lo, hi, get):
    """MTH(D[lo:hi]) from perfect subtree hashes: fold the covering subtrees from the right."""
    if hi <= lo:
        raise ValueError("empty range")
    parts = perfect_subtrees(lo, hi)
    result = get(*parts[-1])
    for level, index in reversed(parts[:-1]):
        result = node_hash(get(level, index), result)
    return result


def root(size, get):
    if size == 0:
        return EMPTY_ROOT
    return range_hash(0, size, get)


def inclusion_proof(index, size, get):
    """RFC 9162 2.1.3.1 PATH(m, D[n]) for leaf `index` in a tree of `size` leaves."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    path = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _largest_power_of_two_below(hi - lo)
        if index - lo < k:
            path.append(range_hash(lo + k, hi, get))
            hi = lo + k
        else:
            path.append(range_hash(lo, lo + k, get))
            lo = lo + k
    path.reverse()  # PATH lists siblings from the leaf up
    return path


def consistency_proof(first, second, get):
    """RFC 9162 2.1.4.1 PROOF(m, D[n]) between tree sizes 0 < first <= second."""
    if not 0 < first <= second:
        raise ValueError(f"no consistency proof from size {first} to size {second}")
    proof = []
    lo, hi, m, complete = 0, second, first, True
    while True:
        n = hi - lo
        if m == n:
            if not complete:
                proof.append(range_hash(lo, hi, get))
            break
        k = _largest_power_of_two_below(n)
        if m <= k:
            proof.append(range_hash(lo + k, hi, get))
            hi = lo + k
        else:
            proof.append(range_hash(lo, lo + k, get))
            lo, m, complete = lo + k, m - k, False
    proof.reverse()
    return proof


def _plan(build, *args):
    needed = set()

    def collect(level, index):
        needed.add((level, index))
        return b"\x00" * HASH_SIZE

    build(*args, collect)
    return needed


def plan_root(size):
    return _plan(root, size)


def plan_inclusion(index, size):
    return _plan(inclusion_proof, index, size)


def plan_consistency(first, second):
    return _plan(consistency_proof, first, second)


# --- verification (RFC 9162 2.1.3.2 and 2.1.4.2) ---------------------------------------------


def _check_hash(value, what):
    if not isinstance(value, (bytes, bytearray)) or len(value) != HASH_SIZE:
        raise ProofError(f"{what} is not a {HASH_SIZE}-byte hash")


def root_from_inclusion_proof(index, size, leaf, proof):
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    _check_hash(leaf, "leaf hash")
    for position, item in enumerate(proof):
        _check_hash(item, f"proof[{position}]")
    fn, sn, result = index, size - 1, bytes(leaf)
    for item in proof:
        if sn == 0:
            raise ProofError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            result = node_hash(item, result)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            result = node_hash(result, item)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is too short")
    return result


def verify_inclusion(index, size, leaf, proof, expected_root):
    """Raise ProofError unless `proof` shows leaf hash `leaf` at `index` in the tree `expected_root`."""
    proof = list(proof or [])
    _check_hash(expected_root, "root")
    if root_from_inclusion_proof(index, size, leaf, proof) != bytes(expected_root):
        raise ProofError("inclusion proof does not lead to the root")


def verify_consistency(first, second, first_root, second_root, proof):
    """Raise ProofError unless `proof` shows the tree (first, first_root) is a prefix of
    (second, second_root)."""
    proof = list(proof or [])
    if first < 0 or second < 0:
        raise ProofError("tree sizes cannot be negative")
    if first > second:
        raise ProofError(f"size {first} is larger than size {second}")
    if first == 0:
        # Every tree extends the empty tree: such a proof proves nothing, so it is refused.
        raise ProofError("a consistency proof from the empty tree proves nothing")
    if first == second:
        if proof:
            raise ProofError("equal sizes need an empty proof")
        if bytes(first_root) != bytes(second_root):
            raise ProofError("equal sizes but different roots")
        return
    if not proof:
        raise ProofError("empty consistency proof")
    _check_hash(first_root, "first root")
    _check_hash(second_root, "second root")
    for position, item in enumerate(proof):
        _check_hash(item, f"proof[{position}]")
    if first & (first - 1) == 0:  # an exact power of two: the first tree is a subtree
        proof = [bytes(first_root)] + proof
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for item in proof[1:]:
        if sn == 0:
            raise ProofError("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(item, fr)
            sr = node_hash(item, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, item)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is too short")
    if fr != bytes(first_root):
        raise ProofError("consistency proof does not lead to the first root")
    if sr != bytes(second_root):
        raise ProofError("consistency proof does not lead to the second root")


class CompactRange:
    """The right edge of a growing tree: the perfect subtrees of the first `size` leaves.
    `append` returns the perfect subtrees it completes, as (level, index, hash), bottom up."""

    __slots__ = ("size", "hashes")

    def __init__(self, size=0, hashes=()):
        self.size = size
        self.hashes = list(hashes)  # one per set bit of size, largest subtree first

    @classmethod
    def frontier(cls, size):
        """The (level, index) of the perfect subtrees a CompactRange of `size` holds."""
        return perfect_subtrees(0, size) if size else []

    def append(self, leaf):
        index = self.size
        completed = []
        current = leaf
        level = 0
        while (index >> level) & 1:
            current = node_hash(self.hashes.pop(), current)
            level += 1
            completed.append((level, index >> level, current))
        self.hashes.append(current)
        self.size += 1
        return completed

    def root(self):
        if not self.hashes:
            return EMPTY_ROOT
        result = self.hashes[-1]
        for item in reversed(self.hashes[:-1]):
            result = node_hash(item, result)
        return result
