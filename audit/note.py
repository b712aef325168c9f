"""C2SP signed notes (https://c2sp.org/signed-note) carrying tlog-checkpoints
(https://c2sp.org/tlog-checkpoint), signed with Ed25519.

A checkpoint note is::

    <origin>\\n<tree size>\\n<base64 root hash>\\n
    \\n
    — <key name> <base64(4-byte key id ‖ 64-byte signature)>\\n

The key id is the first 4 bytes of SHA-256(name ‖ "\\n" ‖ 0x01 ‖ public key); the verifier key is
written `<name>+<hex key id>+<base64(0x01 ‖ public key)>`. Pure functions over `cryptography`.
"""

import base64
import binascii
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519 = b"\x01"
DASH = "\u2014"  # the em dash that starts a signature line


class NoteError(ValueError):
    """A note or checkpoint that does not parse or whose signature does not verify."""


def _check_name(name):
    if not name or any(c.isspace() for c in name) or "+" in name:
        raise NoteError(f"key name {name!r} must be non-empty without spaces or '+'")


def key_id(name, public_key: Ed25519PublicKey) -> bytes:
    raw = public_key.public_bytes_raw()
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + raw).digest()[:4]


def verifier_key(name, public_key: Ed25519PublicKey) -> str:
    _check_name(name)
    raw = public_key.public_bytes_raw()
    return f"{name}+{key_id(name, public_key).hex()}+{base64.b64encode(ED25519 + raw).decode()}"


def parse_verifier_key(text):
    """`name+hexid+base64` -> (name, key id bytes, Ed25519PublicKey)."""
    try:
        name, hex_id, data = text.strip().split("+", 2)
        raw = base64.b64decode(data, validate=True)
        given_id = bytes.fromhex(hex_id)
    except (ValueError, binascii.Error):
        raise NoteError("the verifier key is not NAME+KEYID+BASE64") from None
    if len(raw) != 33 or raw[:1] != ED25519 or len(given_id) != 4:
        raise NoteError("the verifier key is not an Ed25519 signed-note key")
    public_key = Ed25519PublicKey.from_public_bytes(raw[1:])
    if key_id(name, public_key) != given_id:
        raise NoteError("the verifier key's id does not match its name and key")
    return name, given_id, public_key


def checkpoint_body(origin, size, root: bytes) -> str:
    if not origin or "\n" in origin:
        raise NoteError("a checkpoint origin is one non-empty line")
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n"


def sign(body: str, name, private_key: Ed25519PrivateKey) -> str:
    _check_name(name)
    if not body.endswith("\n"):
        raise NoteError("a note body ends with a newline")
    signature = private_key.sign(body.encode())
    stamp = base64.b64encode(key_id(name, private_key.public_key()) + signature).decode()
    return f"{body}\n{DASH} {name} {stamp}\n"


def sign_by_all(body: str, name, private_keys) -> str:
    """A note carrying one signature line per key (in order)."""
    lines = [sign(body, name, key).rpartition("\n\n")[2] for key in private_keys]
    return f"{body}\n{''.join(lines)}"


ROTATION = "key rotation"


def rotation_body(name, old: str, new: str) -> str:
    """The statement a key rotation signs with both keys: `old` hands over to `new`."""
    return f"{name} {ROTATION}\nold {old}\nnew {new}\n"


def open_rotation(text: str) -> tuple[str, str]:
    """(old, new) of a rotation statement signed by both its keys; NoteError otherwise."""
    body, separator, _ = text.rpartition("\n\n")
    lines = body.split("\n") if separator else []
    if len(lines) != 3 or not lines[0].endswith(" " + ROTATION) or not lines[1].startswith("old ") \
            or not lines[2].startswith("new "):
        raise NoteError("not a key rotation statement")
    old, new = lines[1][4:], lines[2][4:]
    open_note(text, old)
    open_note(text, new)
    return old, new


def successors(statements, trusted: str):
    """Every key a chain of valid rotation statements hands `trusted` over to, in order of the
    hand-overs (forward: the old key vouches for the new one, which proves it holds its key)."""
    links = []
    for text in statements:
        try:
            links.append(open_rotation(text))
        except NoteError:
            continue
    reached, changed = [trusted], True
    while changed:
        changed = False
        for old, new in links:
            if old in reached and new not in reached:
                reached.append(new)
                changed = True
    return reached[1:]


def open_note(note: str, verifier: str) -> str:
    """Return the body of `note` if it carries a valid signature by `verifier`; raise NoteError."""
    name, given_id, public_key = parse_verifier_key(verifier)
    body, separator, signatures = note.rpartition("\n\n")
    if not separator:
        raise NoteError("not a signed note (no blank line before the signatures)")
    body += "\n"
    if not signatures.endswith("\n"):
        raise NoteError("a signed note ends with a newline")
    for line in signatures[:-1].split("\n"):
        if not line.startswith(DASH + " "):
            raise NoteError("malformed signature line")
        try:
            line_name, stamp = line[2:].split(" ")
            raw = base64.b64decode(stamp, validate=True)
        except (ValueError, binascii.Error):
            raise NoteError("malformed signature line") from None
        if line_name != name or raw[:4] != given_id or len(raw) != 68:
            continue  # another key's signature
        try:
            public_key.verify(raw[4:], body.encode())
        except InvalidSignature:
            raise NoteError("the checkpoint signature is invalid") from None
        return body
    raise NoteError(f"the note is not signed by {name}")


def parse_checkpoint(body: str):
    """(origin, size, root bytes) from a checkpoint body; extension lines are allowed."""
    lines = body.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise NoteError("a checkpoint has an origin, a size and a root hash line")
    origin, size_text, root_text = lines[0], lines[1], lines[2]
    if not size_text.isdigit() or (size_text.startswith("0") and size_text != "0"):
        raise NoteError("the checkpoint's tree size is not a decimal number")
    try:
        root = base64.b64decode(root_text, validate=True)
    except binascii.Error:
        raise NoteError("the checkpoint's root hash is not base64") from None
    if len(root) != 32 or not origin:
        raise NoteError("the checkpoint's origin or root hash is malformed")
    return origin, int(size_text), root
