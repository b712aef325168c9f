#!/usr/bin/env python3
"""Verify a Gongkai audit export bundle offline — no database, no Gongkai code.

Needs Python 3.9+ and the `cryptography` package (pip install cryptography). Usage:

    python3 verify_bundle.py BUNDLE.zip            (or the unpacked directory)
    python3 verify_bundle.py BUNDLE.zip --key 'NAME+KEYID+BASE64'   (the key you obtained separately)

It recomputes every event's RFC 6962 leaf hash from its exact text, the previous-hash chain, the
RFC 9162 Merkle root at every checkpoint, and each checkpoint's Ed25519 signature (C2SP signed
note / tlog-checkpoint). Exit 0 if everything verifies; otherwise it names the first bad sequence
number and exits 1. Compare the key it prints with one you got from the school by another channel.

Checkpoints signed before a key rotation verify with the older key when key_rotations.jsonl holds
the rotation's statement ("<name> key rotation / old KEY / new KEY") signed by both keys, back from
the key you trust; an older key without such a statement counts only if you give it with --key too.
"""

import argparse
import base64
import hashlib
import json
import sys
import zipfile
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

DASH = "\u2014"


class Bad(Exception):
    def __init__(self, seq, message):
        super().__init__(message)
        self.seq = seq


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def fold(stack):
    if not stack:
        return hashlib.sha256(b"").digest()
    result = stack[-1]
    for item in reversed(stack[:-1]):
        result = node(item, result)
    return result


def parse_key(text):
    name, key_hash, data = text.strip().split("+", 2)
    raw = base64.b64decode(data, validate=True)
    if len(raw) != 33 or raw[0] != 1:
        raise ValueError("not an Ed25519 signed-note verifier key")
    if hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4].hex() != key_hash:
        raise ValueError("the key id does not match the key")
    return name, bytes.fromhex(key_hash), Ed25519PublicKey.from_public_bytes(raw[1:])


def open_signed(note, name, key_id, public_key):
    """The body of a signed note if it carries a valid signature by the key; ValueError if not."""
    body, _, signatures = note.rpartition("\n\n")
    body += "\n"
    for line in signatures.rstrip("\n").split("\n"):
        if not line.startswith(DASH + " "):
            raise ValueError("malformed signature line")
        signer, stamp = line[2:].split(" ")
        raw = base64.b64decode(stamp, validate=True)
        if signer == name and raw[:4] == key_id:
            try:
                public_key.verify(raw[4:], body.encode())
            except InvalidSignature:
                raise ValueError("invalid signature") from None
            return body
    raise ValueError(f"not signed by {name}+{key_id.hex()}")


def open_checkpoint(note, name, key_id, public_key):
    """(size, root) of a signed checkpoint note; raises ValueError if its signature is not valid."""
    lines = open_signed(note, name, key_id, public_key).split("\n")
    if lines[0] != name:
        raise ValueError(f"origin {lines[0]!r} is not the key's name")
    root = base64.b64decode(lines[2], validate=True)
    if len(root) != 32:
        raise ValueError("malformed root hash")
    return int(lines[1]), root


def open_checkpoint_by_any(note, parsed_keys):
    """(size, root) of a checkpoint signed by any of the keys (name, key id, public key)."""
    error = ValueError("no key to check it with")
    for name, key_id, public_key in parsed_keys:
        try:
            return open_checkpoint(note, name, key_id, public_key)
        except ValueError as problem:
            error = problem
    raise error


def rotation(note):
    """(old key, new key) of a key rotation statement signed by both keys; ValueError if not."""
    body = note.rpartition("\n\n")[0]
    lines = body.split("\n")
    if len(lines) != 3 or not lines[0].endswith(" key rotation") or not lines[1].startswith("old ") \
            or not lines[2].startswith("new "):
        raise ValueError("not a key rotation statement")
    old, new = lines[1][4:], lines[2][4:]
    open_signed(note, *parse_key(old))
    open_signed(note, *parse_key(new))
    return old, new


def trusted_keys(bundle, given):
    """The keys given, then every older key a valid rotation statement hands over from (back from
    a trusted key to the one it replaced)."""
    links = []
    try:
        lines = bundle.read("key_rotations.jsonl").splitlines()
    except (FileNotFoundError, KeyError):
        lines = []  # a bundle from before rotations were exported
    for line in lines:
        if line.strip():
            try:
                links.append(rotation(json.loads(line)["note"]))
            except (ValueError, KeyError, TypeError):
                continue  # an unsigned or forged statement vouches for nothing
    trusted, changed = list(given), True
    while changed:
        changed = False
        for old, new in links:
            if new in trusted and old not in trusted:
                trusted.append(old)
                changed = True
    return trusted


class Bundle:
    def __init__(self, path):
        self.path = Path(path)
        self.zip = zipfile.ZipFile(self.path) if self.path.is_file() else None

    def read(self, name):
        if self.zip:
            members = [m for m in self.zip.namelist() if m == name or m.endswith("/" + name)]
            if not members:
                raise FileNotFoundError(name)
            return self.zip.read(members[0]).decode("utf-8")
        return (self.path / name).read_text(encoding="utf-8")


def verify(bundle, expected_keys=()):
    key_text = bundle.read("key.txt").strip()
    given = [key.strip() for key in expected_keys or () if key.strip()]
    if given and key_text not in given:
        raise Bad(None, "the bundle's key is not the key you gave")
    parsed_keys = [parse_key(key) for key in trusted_keys(bundle, given or [key_text])]

    checkpoints = {}
    for number, line in enumerate(bundle.read("checkpoints.jsonl").splitlines(), 1):
        if not line.strip():
            continue
        item = json.loads(line)
        try:
            size, root = open_checkpoint_by_any(item["note"], parsed_keys)
        except ValueError as error:
            raise Bad(None, f"checkpoint on line {number}: {error}") from None
        checkpoints.setdefault(size, set()).add(root)
    if not checkpoints:
        raise Bad(None, "the bundle has no checkpoint")

    stack, expected, prev, good_size = [], 1, "0" * 64, 0
    for line in bundle.read("events.jsonl").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        seq, text = item["seq"], item["event"]
        if seq != expected:
            raise Bad(expected, f"expected event {expected}, found {seq}")
        leaf = hashlib.sha256(b"\x00" + text.encode("utf-8")).digest()
        if leaf.hex() != item["hash"]:
            raise Bad(seq, "the hash does not match the event text")
        if item["prev_hash"] != prev:
            raise Bad(seq, "the previous-hash link is broken")
        document = json.loads(text)
        if document.get("seq") != seq or document.get("prev") != prev:
            raise Bad(seq, "the event text names another position in the log")
        index, level, current = seq - 1, 0, leaf
        while (index >> level) & 1:
            current = node(stack.pop(), current)
            level += 1
        stack.append(current)
        if seq in checkpoints:
            if checkpoints.pop(seq) != {fold(stack)}:
                raise Bad(good_size + 1, f"the signed checkpoint for size {seq} has another root")
            good_size = seq
        prev, expected = item["hash"], expected + 1
    size = expected - 1
    for checkpoint_size in sorted(checkpoints):
        if checkpoint_size > size:
            raise Bad(size + 1, f"a signed checkpoint covers {checkpoint_size} events; the bundle has {size}")
        if checkpoint_size == 0 and checkpoints[checkpoint_size] != {fold([])}:
            raise Bad(1, "the signed checkpoint for the empty log has another root")
    return size, good_size, fold(stack), key_text


def main(argv=None):
    parser = argparse.ArgumentParser(description="Verify a Gongkai audit export bundle offline.")
    parser.add_argument("bundle", help="the .zip bundle or its unpacked directory")
    parser.add_argument("--key", action="append", help="the verifier key NAME+KEYID+BASE64 you obtained separately "
                        "(repeat it for an older key that no rotation statement in the bundle vouches for)")
    args = parser.parse_args(argv)
    try:
        size, signed, root, key = verify(Bundle(args.bundle), args.key)
    except Bad as bad:
        where = f"first bad sequence number {bad.seq}: " if bad.seq is not None else ""
        print(f"FAILED: {where}{bad}", file=sys.stderr)
        return 1
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
        print(f"FAILED: the bundle cannot be read: {error}", file=sys.stderr)
        return 1
    print(f"OK: {size} events, {signed} covered by a signed checkpoint, root {root.hex()}")
    print(f"key: {key}")
    if signed < size:
        print(f"note: events {signed + 1}..{size} are not covered by a checkpoint in this bundle")
    return 0


if __name__ == "__main__":
    sys.exit(main())
