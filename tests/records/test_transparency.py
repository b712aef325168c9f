"""The records verifier's own RFC 9162 and signed-note code, checked against the published test
vectors and against the audit log's signer (a record must verify with code independent of it)."""

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from audit import note
from records.transparency import open_signed_note, parse_checkpoint, verify_inclusion

VECTORS = Path(__file__).resolve().parents[1] / "data" / "rfc9162" / "inclusion"  # Apache-2.0, see its LICENSE
CASES = sorted(VECTORS.rglob("*.json"))


def test_the_inclusion_vectors_are_in_the_test_tree():
    assert len(CASES) > 50, f"no inclusion vectors under {VECTORS}"


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_inclusion_vectors(path):
    case = json.loads(path.read_text())
    decode = lambda value: base64.b64decode(value) if value else b""  # noqa: E731
    ok = verify_inclusion(
        case["leafIdx"], case["treeSize"], decode(case["leafHash"]),
        [decode(p) for p in case["proof"] or []], decode(case["root"]),
    )
    assert ok is not case["wantErr"]


def test_a_checkpoint_signed_by_the_audit_code_opens_here_and_forgeries_do_not():
    key = Ed25519PrivateKey.generate()
    body = note.checkpoint_body("gongkai.example/audit", 42, bytes(range(32)))
    signed = note.sign(body, "gongkai.example/audit", key)
    vkey = note.verifier_key("gongkai.example/audit", key.public_key())
    opened = open_signed_note(signed, vkey)
    assert parse_checkpoint(opened) == ("gongkai.example/audit", 42, bytes(range(32)))
    with pytest.raises(ValueError):
        open_signed_note(signed.replace("\n42\n", "\n43\n"), vkey)
    other = note.verifier_key("gongkai.example/audit", Ed25519PrivateKey.generate().public_key())
    with pytest.raises(ValueError):
        open_signed_note(signed, other)
