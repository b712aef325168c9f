"""The checkpoint signing key: from AUDIT_SIGNING_KEY, or a PEM file outside the repository
(generated into var/keys/ for development)."""

import base64
import binascii
import functools
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured

from audit import conf, note


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


@functools.cache
def _load(text, path):
    return _from_text(text) if text else _from_file(Path(path))


def signing_key() -> Ed25519PrivateKey:
    return _load(conf.signing_key_text(), conf.signing_key_file())


def key_name():
    return conf.origin()


def verifier_key():
    """The public verifier key in signed-note form: NAME+KEYID+BASE64."""
    return note.verifier_key(key_name(), signing_key().public_key())
