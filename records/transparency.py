"""Standalone checks of the audit block: RFC 9162 inclusion proofs and C2SP signed notes.

Written from the specifications (not shared with the audit app) so that a record can be checked
by code that trusts nothing but the published verifier key."""

import base64
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def _node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_inclusion_proof(leaf_index, tree_size, leaf_hash, proof):
    """RFC 9162 §2.1.3.2: the root implied by an inclusion proof, or None if the proof is malformed."""
    if leaf_index < 0 or leaf_index >= tree_size:
        return None
    fn, sn = leaf_index, tree_size - 1
    r = leaf_hash
    for p in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = _node(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = _node(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def verify_inclusion(leaf_index, tree_size, leaf_hash, proof, root):
    if len(leaf_hash) != 32 or len(root) != 32 or any(len(node) != 32 for node in proof):
        return False
    computed = root_from_inclusion_proof(leaf_index, tree_size, leaf_hash, proof)
    return computed is not None and computed == root


def parse_verifier_key(vkey):
    """"NAME+KEYID+BASE64(0x01 ‖ Ed25519 public key)" → (name, key id bytes, public key)."""
    name, key_id_hex, encoded = vkey.strip().split("+", 2)  # names never contain "+"; base64 may
    raw = base64.b64decode(encoded)
    if raw[:1] != b"\x01" or len(raw) != 33:
        raise ValueError("not an Ed25519 signed-note verifier key")
    key_id = bytes.fromhex(key_id_hex)
    expected = hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4]
    if key_id != expected:
        raise ValueError("verifier key id does not match its key")
    return name, key_id, Ed25519PublicKey.from_public_bytes(raw[1:])


def open_signed_note(note, vkey):
    """Verify a C2SP signed note with one verifier key; returns the note body text or raises ValueError."""
    name, key_id, public_key = parse_verifier_key(vkey)
    if "\n\n" not in note:
        raise ValueError("not a signed note")
    body, signatures = note.split("\n\n", 1)
    body += "\n"
    for line in signatures.splitlines():
        if not line.startswith("— "):
            continue
        try:
            signer, encoded = line[2:].rsplit(" ", 1)
            blob = base64.b64decode(encoded)
        except ValueError:
            continue
        if signer != name or blob[:4] != key_id:
            continue
        try:
            public_key.verify(blob[4:], body.encode("utf-8"))
        except InvalidSignature:
            raise ValueError("checkpoint signature is invalid") from None
        return body
    raise ValueError("checkpoint is not signed by the audit key")


def parse_checkpoint(body):
    """C2SP tlog-checkpoint body → (origin, tree size, root hash bytes)."""
    lines = body.split("\n")
    if len(lines) < 4:
        raise ValueError("checkpoint too short")
    origin, size, root = lines[0], int(lines[1]), base64.b64decode(lines[2])
    if not origin or size < 0 or len(root) != 32:
        raise ValueError("malformed checkpoint")
    return origin, size, root
