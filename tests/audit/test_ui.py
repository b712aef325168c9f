"""The auditor's pages (Chinese by default), the export bundle checked by its standalone verifier,
and admin changes recorded as events."""

import io
import json
import re
import subprocess
import sys
import zipfile

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.test import TestCase

from audit import services
from audit.models import AuditEvent
from policies.models import Department


@pytest.fixture
def auditor(client, user):
    client.force_login(user("auditor"))
    return client


def test_auditors_and_the_office_find_the_trail_from_home_and_others_are_refused(client, user):
    for username in ("auditor", "office"):
        client.force_login(user(username))
        home = client.get("/home/").content.decode()
        assert "/audit/" in home and "审计" in home
        assert client.get("/audit/").status_code == 200
    for username in ("cwc_head", "cwc_liaison", "leader"):
        client.force_login(user(username))
        assert "/audit/" not in client.get("/home/").content.decode()
        assert client.get("/audit/").status_code == 403
        assert client.get("/audit/events/1/").status_code == 403
        assert client.post("/audit/export/").status_code == 403


def test_the_event_list_filters_by_actor_action_department_object_and_time(auditor, user):
    head = user("cwc_head")
    services.record("test.approve", actor=head, object_type="workflow.item", object_id=77, department="cwc")
    services.record("test.other", actor=user("jwc_head"), object_type="workflow.item", object_id=78, department="jwc")
    page = auditor.get("/audit/", {"actor": "cwc_head", "action": "test.approve", "department": "cwc",
                                  "object_type": "workflow.item", "object_id": "77", "since": "2000-01-01"})
    body = page.content.decode()
    assert "审计记录" in body and "test.approve" in body and "test.other" not in body
    assert "test.approve" not in auditor.get("/audit/", {"until": "2000-01-01"}).content.decode()


def test_the_event_list_pages_by_sequence_number_without_counting_the_log(auditor, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from audit import views

    monkeypatch.setattr(views, "EVENTS_PER_PAGE", 3)
    made = [services.record("test.paged", actor=None, object_type="test.page", object_id=n).seq for n in range(5)]
    with CaptureQueriesContext(connection) as queries:
        first = auditor.get("/audit/", {"action": "test.paged"}).content.decode()
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    shown = [int(seq) for seq in re.findall(r'/audit/events/(\d+)/">', first)]
    assert shown == made[:-4:-1]  # the newest three, newest first
    assert f"before={made[2]}" in first
    older = auditor.get("/audit/", {"action": "test.paged", "before": made[2]}).content.decode()
    assert [int(seq) for seq in re.findall(r'/audit/events/(\d+)/">', older)] == made[1::-1]
    assert "最新" in older and "before=" not in older.split('class="pages"')[1]


def test_an_objects_complete_trail_and_an_events_proof(auditor, user):
    first = services.record("test.create", actor=user("cwc_liaison"), object_type="workflow.item", object_id=5, version=1)
    services.record("test.approve", actor=user("cwc_head"), object_type="workflow.item", object_id=5, version=1)
    services.record("test.elsewhere", actor=None, object_type="workflow.item", object_id=6)
    trail = auditor.get("/audit/trail/workflow.item/5/").content.decode()
    assert trail.index("test.create") < trail.index("test.approve") and "test.elsewhere" not in trail
    detail = auditor.get(f"/audit/events/{first.seq}/").content.decode()
    assert "已验证" in detail and first.leaf_hash in detail and "\u2014 " in detail
    assert auditor.get("/audit/trail/workflow.item/404404/").status_code == 404


def _export(client):
    """Ask for a bundle (the job runs on commit, in-process as without a broker) and download it
    from the exports page."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/audit/export/")
    assert response.status_code == 302 and response["Location"] == "/audit/exports/"
    page = client.get("/audit/exports/").content.decode()
    assert "正在准备导出包" in page and "可以下载" in page
    link = re.search(r'<a href="(/audit/exports/\d+/)" download>下载</a>', page).group(1)
    response = client.get(link)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="gongkai-audit-')
    return b"".join(response.streaming_content)


def _run_verifier(tmp_path, data, *extra):
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(data)
    with zipfile.ZipFile(bundle) as archive:
        archive.extract("verify_bundle.py", tmp_path / "script")
    # A clean interpreter that sees no Django and no project code: only Python and cryptography.
    return subprocess.run(
        [sys.executable, "-I", str(tmp_path / "script" / "verify_bundle.py"), str(bundle), *extra],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )


def test_the_export_bundle_verifies_offline_and_its_export_is_audited(auditor, tmp_path):
    data = _export(auditor)
    export = AuditEvent.objects.order_by("-seq").first()
    assert (export.action, export.actor_username) == ("audit.export", "auditor")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {"events.jsonl", "checkpoints.jsonl", "key.txt", "verify_bundle.py", "README.txt"} <= set(archive.namelist())
        key = archive.read("key.txt").decode().strip()
        lines = [json.loads(line) for line in archive.read("events.jsonl").decode().splitlines()]
    # Each event exactly as the API serves it: the hashed text byte for byte, with its hashes.
    assert len(lines) < 1000
    assert lines == auditor.get("/api/audit/events/?after=0&limit=1000").json()
    assert key == services.keys.verifier_key()
    result = _run_verifier(tmp_path, data, "--key", key)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"OK: {export.seq} events, {export.seq} covered by a signed checkpoint")


def _tampered(data, change):
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "events.jsonl":
                lines = content.decode().splitlines()
                change(lines)
                content = ("\n".join(lines) + "\n").encode()
            target.writestr(name, content)
    return out.getvalue()


def _edit_event(lines, number=3):
    item = json.loads(lines[number - 1])
    item["event"] = item["event"].replace('"action":"', '"action":"x', 1)
    lines[number - 1] = json.dumps(item, ensure_ascii=False)


def _drop_event(lines, number=4):
    del lines[number - 1]


def _swap_events(lines, number=5):
    lines[number - 1], lines[number] = lines[number], lines[number - 1]


@pytest.mark.parametrize(
    "change, first_bad", [(_edit_event, 3), (_drop_event, 4), (_swap_events, 5), (lambda lines: lines.pop(), None)],
    ids=["edit", "delete", "reorder", "cut-tail"],
)
def test_a_tampered_bundle_fails_offline_verification_at_the_first_bad_event(auditor, tmp_path, change, first_bad):
    data = _export(auditor)
    result = _run_verifier(tmp_path, _tampered(data, change))
    assert result.returncode == 1 and result.stderr.startswith("FAILED: first bad sequence number")
    if first_bad:
        assert f"first bad sequence number {first_bad}:" in result.stderr


def test_a_bundle_with_another_key_is_refused(auditor, tmp_path):
    result = _run_verifier(tmp_path, _export(auditor), "--key", "other.example/audit+01020304+AQ" + "A" * 42 + "=")
    assert result.returncode == 1 and "not the key you gave" in result.stderr


def _with_member(data, member, content):
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            target.writestr(name, content if name == member else source.read(name))
    return out.getvalue()


def test_a_bundle_exported_after_key_rotations_verifies_offline_with_the_old_keys(
    auditor, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    """Checkpoints signed before two rotations verify offline through the rotation statements in
    the bundle; without those statements, or with an event changed, the bundle fails."""
    from django.core.management import call_command

    monkeypatch.delenv("AUDIT_SIGNING_KEY", raising=False)
    for name, file in [("SIGNING_KEY_FILE", "audit.pem"), ("KEY_HISTORY_FILE", "history.txt"),
                       ("KEY_ROTATIONS_FILE", "rotations.jsonl")]:
        monkeypatch.setenv(f"AUDIT_{name}", str(tmp_path / "keys" / file))
    first_key = services.keys.verifier_key()
    services.record("test.event", actor=None, object_type="test.thing", object_id=1, data={"n": 1})
    with django_capture_on_commit_callbacks(execute=True):
        services.checkpoint(reason="test")
        call_command("audit_rotate_key", stdout=io.StringIO())
        call_command("audit_rotate_key", stdout=io.StringIO())
    data = _export(auditor)
    export = AuditEvent.objects.order_by("-seq").first()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        key = archive.read("key.txt").decode().strip()
        notes = [json.loads(line)["note"] for line in archive.read("checkpoints.jsonl").decode().splitlines()]
    assert key != first_key and any(f"\u2014 {first_key.split('+')[0]} " in n for n in notes)

    result = _run_verifier(tmp_path, data, "--key", key)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"OK: {export.seq} events, {export.seq} covered by a signed checkpoint")

    # The statements are what vouch for the old keys: without them the first checkpoint fails…
    result = _run_verifier(tmp_path, _with_member(data, "key_rotations.jsonl", b""), "--key", key)
    assert result.returncode == 1 and "checkpoint on line 1" in result.stderr
    # …unless the auditor gives the old keys themselves (obtained by another channel).
    history = services.keys.history()
    result = _run_verifier(tmp_path, _with_member(data, "key_rotations.jsonl", b""), "--key", key,
                           *[arg for old in history for arg in ("--key", old)])
    assert result.returncode == 0, result.stderr
    # A changed event still fails at its sequence number.
    result = _run_verifier(tmp_path, _tampered(data, _edit_event), "--key", key)
    assert result.returncode == 1 and "first bad sequence number 3:" in result.stderr


def test_an_admin_change_is_recorded_with_its_actor_in_the_same_request(client, user):
    office = user("office")
    client.force_login(office)
    department = Department.objects.get(code="kyc")
    response = client.post(
        f"/admin/policies/department/{department.pk}/change/",
        {"code": "kyc", "name": "产业技术研究院（改）", "kind": department.kind, "active": "on"},
    )
    assert response.status_code == 302
    entry = LogEntry.objects.get(object_id=str(department.pk), action_flag=CHANGE)
    admin_event = AuditEvent.objects.get(action="admin.change", object_id=str(department.pk))
    assert admin_event.actor_username == "office" and admin_event.object_type == "policies.department"
    assert json.loads(admin_event.canonical)["data"]["change"] == entry.change_message


def test_bulk_admin_log_entries_are_recorded_one_event_each(user):
    office = user("office")
    departments = list(Department.objects.filter(code__in=["cwc", "jwc"]))
    before = services.tree_size()
    LogEntry.objects.log_actions(office.pk, departments, CHANGE, "bulk")
    events = AuditEvent.objects.filter(seq__gt=before, action="admin.change")
    assert sorted(e.object_id for e in events) == sorted(str(d.pk) for d in departments)
