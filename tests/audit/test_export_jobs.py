"""The export bundle as a background job: queued, built, downloaded by its owner only, rebuilt by
the reconciler when its job is lost, a failure shown plainly, and old bundles removed after a week.
Built by a real Celery worker on Redis in the last test."""

import datetime
import io
import json
import re
import time
import zipfile

import pytest
from django.test import TestCase
from django.utils import timezone

from audit import export
from audit.models import AuditEvent, AuditExport
from operations.health import overdue_work
from operations.reconcile import reconcile


@pytest.fixture
def auditor(client, user):
    client.force_login(user("auditor"))
    return client


def _ask(client, run=True):
    """Press the export button; `run=False` loses the job (as with a broker that is down)."""
    with TestCase.captureOnCommitCallbacks(execute=run):
        response = client.post("/audit/export/")
    assert response.status_code == 302
    return AuditExport.objects.latest("id")


def _links(client):
    return re.findall(r'<a href="(/audit/exports/\d+/)" download>', client.get("/audit/exports/").content.decode())


def test_a_lost_job_is_shown_as_in_preparation_and_the_reconciler_builds_it(auditor, monkeypatch, export_dir):
    job = _ask(auditor, run=False)
    page = auditor.get("/audit/exports/").content.decode()
    assert "正在准备" in page and 'http-equiv="refresh"' in page and _links(auditor) == []
    assert auditor.get(f"/audit/exports/{job.pk}/").status_code == 404
    assert reconcile().found["export"] == 0  # not yet overdue: the job has two minutes
    monkeypatch.setenv("RECONCILE_GRACE_SECONDS", "0")
    doctor = overdue_work()[0]  # the doctor tells the administrator that the worker is not working
    assert (doctor.name, doctor.ok, doctor.detail) == ("overdue jobs", False, "审计日志导出包 1")
    outcome = reconcile()
    assert (outcome.found["export"], outcome.repaired["export"]) == (1, 1)
    assert overdue_work()[0].ok
    assert _links(auditor) == [f"/audit/exports/{job.pk}/"]
    assert 'http-equiv="refresh"' not in auditor.get("/audit/exports/").content.decode()
    bundle = b"".join(auditor.get(f"/audit/exports/{job.pk}/").streaming_content)
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        assert archive.read("events.jsonl").count(b"\n") == AuditExport.objects.get().tree_size
    assert [p.name for p in export_dir.iterdir()] == [f"{job.pk}.zip"]  # no partial file left
    repair = AuditEvent.objects.get(action="operations.repair", object_type="audit.auditexport")
    assert repair.object_id == str(job.pk) and json.loads(repair.canonical)["data"]["state"] == "ready"
    trail = auditor.get("/audit/", {"action": "operations.repair"}).content.decode()
    shown = re.sub(r"<details.*?</details>", "", trail, flags=re.S)  # technical details aside
    assert "审计日志导出包" in shown and ">audit.auditexport" not in shown and "</span>export<" not in shown  # named, not coded
    assert reconcile().found["export"] == 0


def test_a_bundle_is_its_owners_alone(auditor, client, user):
    job = _ask(auditor)
    assert job.requested_by.username == "auditor" and _links(auditor) == [f"/audit/exports/{AuditExport.objects.get().pk}/"]
    client.force_login(user("office"))  # the office may export too, but gets its own bundles
    assert _links(client) == [] and "还没有导出过" in client.get("/audit/exports/").content.decode()
    assert client.get(f"/audit/exports/{job.pk}/").status_code == 404
    client.force_login(user("cwc_head"))
    assert client.get("/audit/exports/").status_code == 403 and client.post("/audit/export/").status_code == 403
    assert AuditExport.objects.count() == 1


def test_a_failed_build_says_so_leaves_no_file_and_a_new_request_works(auditor, export_dir):
    export_dir.parent.mkdir(exist_ok=True)
    export_dir.write_text("a file where the folder should be")  # the bundle cannot be written
    job = _ask(auditor)
    job.refresh_from_db()
    assert job.state == "failed" and "FileExistsError" in job.error
    page = auditor.get("/audit/exports/").content.decode()
    assert "失败" in page and "请重试" in page and 'http-equiv="refresh"' not in page and _links(auditor) == []
    assert reconcile().found["export"] == 0  # failed is final: the auditor asks again
    export_dir.unlink()
    _ask(auditor)
    assert len(_links(auditor)) == 1


def test_a_job_run_twice_builds_once_and_a_job_killed_while_building_is_rebuilt(auditor, monkeypatch, settings):
    job = _ask(auditor)
    exports_recorded = AuditEvent.objects.filter(action="audit.export").count()
    assert export.run_export(job.pk).state == "ready"  # a duplicate delivery of the same job
    assert AuditEvent.objects.filter(action="audit.export").count() == exports_recorded == 1
    running = _ask(auditor, run=False)
    AuditExport.objects.filter(pk=running.pk).update(state="running", started_at=timezone.now())
    monkeypatch.setenv("RECONCILE_GRACE_SECONDS", "0")
    assert reconcile().found["export"] == 0  # being built by a live job: left alone
    assert export.run_export(running.pk).state == "running"
    AuditExport.objects.filter(pk=running.pk).update(
        started_at=timezone.now() - datetime.timedelta(seconds=settings.AUDIT_EXPORT_TIME_LIMIT + 1))
    assert reconcile().repaired["export"] == 1  # its worker died long ago
    assert len(_links(auditor)) == 2


def test_bundles_are_removed_after_a_week(auditor, export_dir):
    old = _ask(auditor)
    AuditExport.objects.filter(pk=old.pk).update(finished_at=timezone.now() - datetime.timedelta(days=8))
    assert (export_dir / f"{old.pk}.zip").exists()
    new = _ask(auditor)  # each finished export removes the expired ones
    old.refresh_from_db()
    assert old.state == "expired" and not (export_dir / f"{old.pk}.zip").exists()
    assert "已删除" in auditor.get("/audit/exports/").content.decode()
    assert _links(auditor) == [f"/audit/exports/{new.pk}/"] and auditor.get(f"/audit/exports/{old.pk}/").status_code == 404


@pytest.mark.redis
def test_a_real_worker_builds_the_bundle_outside_the_web_process(client, user, celery_worker, export_dir):
    client.force_login(user("auditor"))
    assert client.post("/audit/export/").status_code == 302
    job = AuditExport.objects.get()
    deadline = time.monotonic() + 120
    while not _links(client) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _links(client) == [f"/audit/exports/{job.pk}/"], celery_worker.log_path.read_text()
    assert "Task audit.build_export[" in celery_worker.log_path.read_text()
    bundle = b"".join(client.get(f"/audit/exports/{job.pk}/").streaming_content)
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        events = [json.loads(json.loads(line)["event"]) for line in archive.read("events.jsonl").splitlines()]
    assert events[-1]["action"] == "audit.export"
    assert AuditEvent.objects.get(action="audit.export").actor_username == "auditor"


def test_without_a_broker_a_child_process_builds_the_bundle_while_the_page_answers(client, user, jobs_in_child_process, export_dir):
    """./bin/serve's defaults: the auditor's request does not wait for the export."""
    client.force_login(user("auditor"))
    assert client.post("/audit/export/").status_code == 302
    job = AuditExport.objects.get()
    assert job.state in ("queued", "running")  # the answer came before the bundle
    page = client.get("/audit/exports/").content.decode()
    assert "正在准备" in page and 'http-equiv="refresh"' in page
    deadline = time.monotonic() + 120
    while not _links(client) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _links(client) == [f"/audit/exports/{job.pk}/"]
    bundle = b"".join(client.get(f"/audit/exports/{job.pk}/").streaming_content)
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        assert archive.read("events.jsonl").count(b"\n") == AuditExport.objects.get().tree_size
