"""audit_witness against the real API (live server): it keeps checkpoints, accepts honest growth,
and catches what audit_verify alone cannot — a rewrite by someone holding the database and the
signing key, and a forked history shown to two auditors."""

import io
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from audit import keys, note, services
from tests.audit.tampering import rewrite_history, verify


@pytest.fixture
def run(live_server, transactional_db, user, tmp_path, capsys):
    token = Token.objects.get_or_create(user=user("auditor"))[0].key

    def _run(state, *extra, token=token):
        call_command("audit_witness", "--state", str(tmp_path / state), "--url", live_server.url, "--token", token, *extra)
        return capsys.readouterr().out.strip()

    return _run


def _append(count):
    for n in range(count):
        services.record("test.event", actor=None, object_type="test.thing", object_id=n, data={"n": n})


def test_the_witness_keeps_the_first_checkpoint_and_then_accepts_honest_growth(run, tmp_path):
    _append(3)
    first = run("auditor.json")
    assert first.startswith("OK: kept the first checkpoint") and (tmp_path / "auditor.json").exists()
    size = services.tree_size()
    _append(5)
    assert run("auditor.json") == f"OK: {size + 5} events (was {size}), consistent, root {services.root().hex()}"


def test_a_rewrite_by_someone_with_the_database_and_the_key_is_caught_by_the_kept_checkpoint_and_the_witness(run):
    _append(10)
    run("auditor.json")
    rewrite_history(services.tree_size() - 4, {"n": "rewritten"}, resign=True)
    _append(2)
    # Every row, node and stored checkpoint agrees with the rewrite; only the checkpoint the signer
    # kept outside the database (and the auditor's witness) still remembers the real history.
    status, result = verify()
    assert status == 1
    assert any("kept outside the database signed another root" in problem for problem in result["problems"])
    # The application will not sign the events added to the rewritten log: the witness gets no
    # checkpoint it could be fooled by.
    with pytest.raises(CommandError, match="HTTP 503"):
        run("auditor.json")


def test_a_forked_history_shown_to_two_auditors_is_detected(run, tmp_path):
    _append(6)
    run("alice.json")  # Alice sees history A
    rewrite_history(services.tree_size() - 2, {"n": "fork"}, resign=True)
    assert run("bob.json").startswith("OK: kept the first checkpoint")  # Bob, new, sees only fork B
    with pytest.raises(CommandError, match="forked"):
        run("bob.json", "--peer", str(tmp_path / "alice.json"))  # comparing notes exposes it
    with pytest.raises(CommandError, match="forked"):
        run("alice.json")


def test_the_witness_refuses_a_key_it_was_not_told_to_trust_and_needs_an_auditor(run, user):
    _append(1)
    with pytest.raises(CommandError, match="pinned key"):
        run("auditor.json", "--key", "other.example/audit+01020304+AQ" + "A" * 42 + "=")
    cwc_token = Token.objects.get_or_create(user=user("cwc_head"))[0].key
    with pytest.raises(CommandError, match="HTTP 403"):
        run("head.json", token=cwc_token)


@pytest.fixture
def own_keys(tmp_path, monkeypatch):
    """A signing key, key history and rotation statements of this test's own."""
    monkeypatch.delenv("AUDIT_SIGNING_KEY", raising=False)
    for name, file in [("SIGNING_KEY_FILE", "audit.pem"), ("KEY_HISTORY_FILE", "history.txt"),
                       ("KEY_ROTATIONS_FILE", "rotations.jsonl")]:
        monkeypatch.setenv(f"AUDIT_{name}", str(tmp_path / "keys" / file))
    return tmp_path / "keys"


def _pinned(tmp_path, state="auditor.json"):
    return json.loads((tmp_path / state).read_text())["key"]


def test_after_a_rotation_the_witness_moves_to_the_new_key_only_through_the_signed_statement(run, own_keys, tmp_path):
    _append(3)
    run("auditor.json")
    first = keys.verifier_key()
    assert _pinned(tmp_path) == first
    call_command("audit_rotate_key", stdout=io.StringIO())
    _append(2)
    # The checkpoint kept under the old key, the new one under the new key, consistent: re-pinned.
    assert run("auditor.json").startswith(f"OK: {services.tree_size()} events (was ")
    second = keys.verifier_key()
    assert second != first and _pinned(tmp_path) == second

    # Someone replaces the key on the server (no hand-over signed by the pinned key): refused, and
    # the witness keeps its pin and checkpoint.
    stolen = Ed25519PrivateKey.generate()
    (own_keys / "audit.pem").write_bytes(stolen.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    kept = (tmp_path / "auditor.json").read_text()
    with pytest.raises(CommandError, match="no rotation signed by the pinned key"):
        run("auditor.json")
    # A statement naming the pinned key as the old one, but signed only by the new key, is no better.
    forged = note.sign(note.rotation_body(keys.key_name(), second, keys.verifier_key()), keys.key_name(), stolen)
    with open(own_keys / "rotations.jsonl", "a") as handle:
        handle.write(json.dumps({"note": forged}) + "\n")
    with pytest.raises(CommandError, match="no rotation signed by the pinned key"):
        run("auditor.json")
    assert (tmp_path / "auditor.json").read_text() == kept


def test_a_witness_two_rotations_behind_follows_the_chain(run, own_keys, tmp_path):
    _append(2)
    run("auditor.json")
    call_command("audit_rotate_key", stdout=io.StringIO())
    call_command("audit_rotate_key", stdout=io.StringIO())
    _append(1)
    assert run("auditor.json").startswith("OK:") and _pinned(tmp_path) == keys.verifier_key()
    assert len(keys.history()) == 2


def test_a_key_given_by_the_environment_is_rotated_by_the_operator_and_the_witness_follows(
    run, own_keys, tmp_path, monkeypatch
):
    """The whole path for a key in AUDIT_SIGNING_KEY: the command signs the hand-over with both
    keys while the old key is in the environment, says what to change; after the "restart" with
    the new key, old checkpoints verify and the witness moves its pin without --key."""
    old_private = Ed25519PrivateKey.generate()
    monkeypatch.setenv("AUDIT_SIGNING_KEY", old_private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode())
    _append(3)
    run("auditor.json")
    old = keys.verifier_key()
    assert _pinned(tmp_path) == old

    with pytest.raises(CommandError, match="--new-key-file"):
        call_command("audit_rotate_key", stdout=io.StringIO())
    new_file = tmp_path / "new.pem"
    out = io.StringIO()
    call_command("audit_rotate_key", "--new-key-file", str(new_file), stdout=out)
    told = out.getvalue()
    assert new_file.stat().st_mode & 0o777 == 0o600
    new = note.verifier_key(keys.key_name(), keys.key_from_file(new_file).public_key())
    assert f"new verifier key: {new}" in told and f"AUDIT_SIGNING_KEY: the contents of {new_file}" in told
    assert keys.verifier_key() == old  # the old key signs until the restart
    assert note.successors(keys.rotations(), old) == [new]
    # Run again (the operator was unsure): still one statement.
    call_command("audit_rotate_key", "--new-key-file", str(new_file), stdout=io.StringIO())
    assert len(keys.rotations()) == 1
    _append(2)
    run("auditor.json")  # still the old key

    # The restart, with the environment exactly as told (the history file of var/ is not needed).
    [history_line] = [line.strip() for line in told.splitlines() if line.strip().startswith("AUDIT_KEY_HISTORY=")]
    monkeypatch.setenv("AUDIT_KEY_HISTORY", history_line.split("=", 1)[1])
    monkeypatch.setenv("AUDIT_SIGNING_KEY", new_file.read_text())
    (own_keys / "history.txt").unlink()
    assert keys.verifier_key() == new and keys.history() == [old]
    _append(2)
    services.checkpoint(reason="test")
    status, result = verify()
    assert status == 0, result
    assert result["checkpoints_verified"] == services.AuditCheckpoint.objects.count() >= 4
    assert run("auditor.json").startswith(f"OK: {services.tree_size()} events (was ")
    assert _pinned(tmp_path) == new
