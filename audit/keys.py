"""The checkpoint signing key: from AUDIT_SIGNING_KEY, or a PEM file outside the repository
(generated into var/keys/ for development), and the history of retired keys: checkpoints signed
before a rotation keep verifying with the verifier key that signed them. Each rotation also leaves
a statement "old key → new key" signed by both keys (published at /api/audit/key/rotations/ and put
in export bundles): what lets a witness or an offline verifier move its trust to the new key."""

import base64
import binascii
import functools
import json
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured

from audit import conf, note
from core.files import atomic_write


def _from_text(text):
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
    else:
        try:
            seed = base64.b64decode(text, validate=True)
        except binascii.Error:
            raise ImproperlyConfigured("AUDIT_SIGNING_KEY must be a PEM key or base64 of a 32-byte seed") from None
        if len(seed) != 32:
            raise ImproperlyConfigured("AUDIT_SIGNING_KEY must be a PEM key or base64 of a 32-byte seed")
        key = Ed25519PrivateKey.from_private_bytes(seed)
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured("the audit signing key must be an Ed25519 key")
    return key


def _from_file(path: Path):
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        # Created with 0600 and never overwritten: a second process racing here keeps the first key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
    return _from_text(path.read_text())


@functools.lru_cache(maxsize=8)
def _load(text, path, _mtime):
    return _from_text(text) if text else _from_file(Path(path))


def _mtime(path):
    try:
        return Path(path).stat().st_mtime_ns
    except OSError:
        return None


def signing_key() -> Ed25519PrivateKey:
    # Keyed by the file's mtime too: after `audit_rotate_key` every process picks up the new key.
    text, path = conf.signing_key_text(), conf.signing_key_file()
    return _load(text, path, None if text else _mtime(path))


def key_name():
    return conf.origin()


def verifier_key():
    """The public verifier key in signed-note form: NAME+KEYID+BASE64."""
    return note.verifier_key(key_name(), signing_key().public_key())


def history():
    """Verifier keys of retired signing keys, oldest first (AUDIT_KEY_HISTORY_FILE, then
    AUDIT_KEY_HISTORY)."""
    path = conf.key_history_file()
    lines = path.read_text().splitlines() if path.exists() else []
    keys_seen = []
    for line in [*lines, *conf.key_history_extra()]:
        line = line.strip()
        if line and not line.startswith("#") and line not in keys_seen:
            keys_seen.append(line)
    return keys_seen


def known_verifier_keys():
    """Every key that ever signed this log's checkpoints: the history, then the current key."""
    current = verifier_key()
    return [key for key in history() if key != current] + [current]


def open_checkpoint_note(text):
    """The body of a checkpoint note signed by the current or a retired key; NoteError if none."""
    error = None
    for verifier in reversed(known_verifier_keys()):
        try:
            return note.open_note(text, verifier)
        except note.NoteError as problem:
            error = problem
    raise error


def rotations():
    """The signed rotation statements (signed-note text), oldest first."""
    path = conf.key_rotations_file()
    if not path.exists():
        return []
    return [json.loads(line)["note"] for line in path.read_text().splitlines() if line.strip()]


class RotationError(Exception):
    """The key cannot be rotated here (one line for the operator)."""


def rotate(new_private=None):
    """Retire the current key into the history and put `new_private` (default: a new key) in its
    place. Returns (old verifier key, new verifier key). For a key kept in a file: the file is
    replaced and every process picks the new key up. For a key given by AUDIT_SIGNING_KEY the
    new key is required and only handed over to here (statement and history); the operator then
    puts it in the environment and restarts (audit_rotate_key says how)."""
    from_environment = bool(conf.signing_key_text())
    if from_environment and new_private is None:
        raise RotationError(
            "the signing key comes from AUDIT_SIGNING_KEY: give the new key with --new-key-file "
            "(created if it does not exist), then put it in AUDIT_SIGNING_KEY"
        )
    old_private = signing_key()
    old = verifier_key()
    new_private = new_private or Ed25519PrivateKey.generate()
    new = note.verifier_key(key_name(), new_private.public_key())
    if new == old:
        raise RotationError("the new key is the key in use")
    # Written before the new key takes over: a crash in between (or an operator who never
    # restarts with the new key) leaves a statement for a key that never signed anything, never a
    # new key without its statement.
    if new not in note.successors(rotations(), old):  # run twice for the same key: one statement
        statement = note.sign_by_all(note.rotation_body(key_name(), old, new), key_name(), [old_private, new_private])
        _append_line(conf.key_rotations_file(), json.dumps({"old": old, "new": new, "note": statement}))
    if old not in history():
        _append_line(conf.key_history_file(), old)
    if not from_environment:
        pem = new_private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        atomic_write(Path(conf.signing_key_file()), pem, mode=0o600)
    return old, new


def key_from_file(path: Path):
    """The Ed25519 key in the PEM file `path`, created (mode 0600) if it does not exist."""
    return _from_file(Path(path))


def _append_line(path, line):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())
