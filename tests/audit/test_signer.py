"""The signer as its own witness, what audit_verify reports beyond hashes, and key rotation.

The rewrite tests run on whichever database the suite uses (SQLite, and PostgreSQL in CI, where
the attacker is the database superuser turning the triggers off with session_replication_role)."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from rest_framework.test import APIClient

from audit import keys, services, signer_state
from audit.signals import checkpoint_refused
from audit.triggers import suspended
from tests.audit.tampering import rewrite_history, sign_as_key_holder, sql, verify


@pytest.fixture(autouse=True)
def own_keys(tmp_path, monkeypatch, settings):
    """A signing key and key history of this test's own (rotation replaces the key file)."""
    monkeypatch.delenv("AUDIT_SIGNING_KEY", raising=False)
    monkeypatch.setenv("AUDIT_SIGNING_KEY_FILE", str(tmp_path / "keys" / "audit.pem"))
    monkeypatch.setenv("AUDIT_KEY_HISTORY_FILE", str(tmp_path / "keys" / "history.txt"))


def _append(count):
    for n in range(count):
        services.record("test.event", actor=None, object_type="test.thing", object_id=n, data={"n": n})


@pytest.fixture
def auditor_api(user):
    client = APIClient()
    client.force_authenticate(user("auditor"))
    return client


@pytest.fixture
def refusals():
    heard = []

    def listener(sender, **kwargs):
        heard.append(kwargs["message"])

    checkpoint_refused.connect(listener)
    yield heard
    checkpoint_refused.disconnect(listener)


def test_a_committed_checkpoint_is_kept_outside_the_database(demo, django_capture_on_commit_callbacks):
    _append(3)
    with django_capture_on_commit_callbacks(execute=True):
        signed = services.checkpoint(reason="test")
    assert signer_state.read() == signed.note


def test_a_rolled_back_checkpoint_is_not_kept(demo, django_capture_on_commit_callbacks):
    _append(3)
    with django_capture_on_commit_callbacks(execute=False):  # the transaction never commits
        services.checkpoint(reason="test")
    assert signer_state.read() == ""


def test_the_superuser_rewrite_with_the_checkpoints_deleted_is_not_signed(
    demo, user, auditor_api, refusals, django_capture_on_commit_callbacks
):
    """Rewrite consistently from some event on, delete the stored checkpoints (no key needed), then
    ask the application for a checkpoint: it refuses, and audit_verify is not ok."""
    _append(12)
    with django_capture_on_commit_callbacks(execute=True):
        assert auditor_api.get("/api/audit/checkpoint/").status_code == 200
    size = services.tree_size()
    rewrite_history(size - 5, {"n": "rewritten"})
    with suspended(connection):
        sql("DELETE FROM audit_auditcheckpoint")
    _append(1)  # life goes on

    response = auditor_api.get("/api/audit/checkpoint/")
    assert response.status_code == 503
    assert "does not extend the checkpoint kept outside the database" in response.content.decode()
    assert services.AuditCheckpoint.objects.count() == 0  # nothing was signed
    assert len(refusals) == 1
    # The alarm: on the health page and the doctor, and an in-app notice to the auditors.
    from operations.models import Alarm
    from workflow.models import Notification

    alarm = Alarm.objects.get(key="audit:checkpoint-refused", resolved_at__isnull=True)
    assert "kept outside the database" in alarm.detail
    assert Notification.objects.filter(user=user("auditor"), key=f"alarm:{alarm.pk}").exists()

    status, result = verify()
    assert status == 1 and result["ok"] is False
    assert result["unanchored"] is False  # the kept checkpoint still anchors the log
    assert any("kept outside the database signed another root" in p for p in result["problems"])


def test_the_same_rewrite_without_the_kept_checkpoint_is_reported_unanchored(demo):
    _append(6)
    services.checkpoint(reason="test")
    rewrite_history(3, {"n": "rewritten"})
    with suspended(connection):
        sql("DELETE FROM audit_auditcheckpoint")
    status, result = verify()
    assert result["unanchored"] is True
    assert "unanchored: no signed checkpoint covers any of the log's events" in result["problems"]


def test_a_rewritten_log_below_a_stored_checkpoint_is_refused(demo, refusals):
    _append(8)
    services.checkpoint(reason="test")
    rewrite_history(4, {"n": "rewritten"})
    _append(1)
    with pytest.raises(services.CheckpointRefused, match="does not extend stored checkpoint"):
        services.checkpoint(reason="test")
    assert refusals


def test_editing_only_a_filter_column_is_reported_at_its_sequence_number(demo):
    _append(5)
    services.checkpoint(reason="test")
    target = services.tree_size() - 2
    for column, value in [("actor_username", "office"), ("action", "test.other"), ("department", "cwc")]:
        with suspended(connection):
            original = services.AuditEvent.objects.filter(seq=target).values_list(column, flat=True).get()
            sql(f"UPDATE audit_auditevent SET {column} = %s WHERE seq = %s", [value, target])
        status, result = verify()
        assert (status, result["first_bad_seq"], result["columns_differ"]) == (1, target, [target]), column
        with suspended(connection):
            sql(f"UPDATE audit_auditevent SET {column} = %s WHERE seq = %s", [original, target])
    assert verify()[0] == 0


def test_checkpoint_sizes_going_backwards_are_reported(demo):
    _append(4)
    services.checkpoint(reason="test")
    _append(4)
    services.checkpoint(reason="test")
    later = sign_as_key_holder(reason="test")  # same size: fine
    assert verify()[0] == 0
    # A checkpoint for an older size, stored after a larger one, is not how the signer works.
    size = later.tree_size - 3
    from audit import note
    from django.utils import timezone

    body = note.checkpoint_body(keys.key_name(), size, services.root(size))
    services.AuditCheckpoint.objects.create(
        tree_size=size, root_hash=services.root(size).hex(), note=note.sign(body, keys.key_name(), keys.signing_key()),
        reason="test", created_at=timezone.now(),
    )
    status, result = verify()
    assert status == 1
    assert any("fewer than checkpoint" in p for p in result["problems"])


def test_rotating_the_key_keeps_old_checkpoints_verifying(demo, auditor_api, django_capture_on_commit_callbacks):
    _append(3)
    with django_capture_on_commit_callbacks(execute=True):
        services.checkpoint(reason="test")
    old_key = auditor_api.get("/api/audit/key/").content.decode().strip()
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("audit_rotate_key", stdout=out)
    new_key = auditor_api.get("/api/audit/key/").content.decode().strip()
    assert new_key != old_key and new_key in out.getvalue()
    history = auditor_api.get("/api/audit/key/history/").content.decode().split()
    assert history == [old_key, new_key]
    assert services.AuditEvent.objects.filter(action="audit.key_rotate").count() == 1
    _append(2)
    services.checkpoint(reason="test")
    status, result = verify()
    assert status == 0, result
    assert result["checkpoints_verified"] == services.AuditCheckpoint.objects.count() >= 3


def test_rotating_a_key_given_by_the_environment_needs_the_new_key(demo, monkeypatch):
    monkeypatch.setenv("AUDIT_SIGNING_KEY", "A" * 43 + "=")
    with pytest.raises(CommandError, match="AUDIT_SIGNING_KEY: give the new key with --new-key-file"):
        call_command("audit_rotate_key", stdout=io.StringIO())
