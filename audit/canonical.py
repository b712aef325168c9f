"""Canonical event encoding and RFC 6962 hashing.

An event is JSON with sorted keys, UTF-8, no insignificant whitespace, and only strings, integers,
null, lists and objects (no floats, no booleans): the same document always gives the same bytes.
"""

import hashlib
import json

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
ZERO_HASH = "0" * 64


def _check(value, path="event"):
    if value is None or isinstance(value, str):
        return
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"{path}: {type(value).__name__} is not allowed in a canonical event")
    if isinstance(value, int):
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{path}: keys must be strings")
            _check(item, f"{path}.{key}")
        return
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _check(item, f"{path}[{index}]")
        return
    raise TypeError(f"{path}: {type(value).__name__} is not allowed in a canonical event")


def canonical_bytes(document):
    _check(document)
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def state_digest(state):
    """Digest of an object's state (a dict of strings/integers), or None when there is no state."""
    if state is None:
        return None
    return "sha256:" + hashlib.sha256(canonical_bytes(state)).hexdigest()
