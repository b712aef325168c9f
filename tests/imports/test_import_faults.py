"""An import whose job died is finished by the reconciler, never half-done nor done twice."""

import os
import signal
import subprocess
import time

from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from imports import runner
from imports.models import ImportBatch
from core import locks
from operations.reconcile import reconcile
from tests.imports.workbook import year_of_history, write
from workflow.models import DisclosureItem


def _upload(client, user, tmp_path, n_items, *, run):
    items, posts, _expected = year_of_history(n_items)
    path = write(tmp_path / "history.xlsx", items, posts)
    client.force_login(user("office"))
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=run):
        response = client.post("/office/import/", {"workbook": SimpleUploadedFile("history.xlsx", path.read_bytes())})
    assert response.status_code == 302
    return ImportBatch.objects.get(), response["Location"]


def _wait(predicate, seconds=180):
    deadline = time.monotonic() + seconds
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.05)
    return predicate()


def test_an_import_whose_process_was_killed_halfway_is_finished_by_the_reconciler(client, user, tmp_path, jobs_in_child_process):
    batch, page = _upload(client, user, tmp_path, 1000, run=True)  # two chunks of 500, in a child process
    writing = ImportBatch.objects.filter(status="importing", rows_done__gte=500)  # the first chunk is committed
    assert _wait(writing.exists), ImportBatch.objects.get().status
    found = subprocess.run(["pgrep", "-f", f"run_job imports.tasks.run_import \\[{batch.pk}\\]"], capture_output=True, text=True)
    for pid in found.stdout.split():
        os.kill(int(pid), signal.SIGKILL)
    assert found.stdout.split(), "the import's process was not found"
    # SIGKILL is delivered, not awaited: the lock is free once the process has exited.
    assert _wait(lambda: locks.is_free(runner.lock_name(batch.pk)), 30), "the killed process still holds its lock"
    batch.refresh_from_db()
    assert batch.status == "importing"  # killed halfway: the first chunk is in, the second is not
    halfway = DisclosureItem.objects.count()
    assert 500 <= halfway < 1000
    assert 'http-equiv="refresh"' in client.get(page).content.decode()

    outcome = reconcile()
    assert (outcome.found["import"], outcome.repaired["import"]) == (1, 1)
    batch.refresh_from_db()
    assert batch.status == "done" and batch.percent == 100
    assert DisclosureItem.objects.count() == 1000  # the first chunk was not written twice
    assert len(set(DisclosureItem.objects.values_list("external_ref", flat=True))) == 1000
    assert "导入完成" in client.get(page).content.decode()
    repair = AuditEvent.objects.get(action="operations.repair", object_type="imports.importbatch")
    assert repair.object_id == str(batch.pk)
    client.force_login(user("auditor"))
    assert "history.xlsx" in client.get("/audit/", {"action": "operations.repair"}).content.decode()
    assert reconcile().found["import"] == 0


def test_a_running_import_is_left_to_its_job_and_a_lost_one_is_run(client, user, tmp_path, db, monkeypatch):
    batch, _page = _upload(client, user, tmp_path, 3, run=False)  # the job was lost (a broker that is down)
    assert reconcile().found["import"] == 0  # still young: its job has the grace period
    monkeypatch.setenv("RECONCILE_GRACE_SECONDS", "0")
    ImportBatch.objects.filter(pk=batch.pk).update(status="importing")  # as if a job were writing it
    with locks.held(runner.lock_name(batch.pk)) as mine:  # ... and it is: its process holds the lock
        assert mine
        assert reconcile().found["import"] == 0
        assert runner.run_batch(batch.pk).status == "importing"  # a repeated job does not run it twice
    outcome = reconcile()
    assert (outcome.found["import"], outcome.repaired["import"]) == (1, 1)
    assert ImportBatch.objects.get().status == "done" and DisclosureItem.objects.count() == 3


def test_a_dead_import_whose_files_are_gone_asks_for_the_upload_again(client, user, tmp_path, db, monkeypatch):
    import shutil

    batch, page = _upload(client, user, tmp_path, 3, run=False)
    ImportBatch.objects.filter(pk=batch.pk).update(status="checking")
    shutil.rmtree(runner.batch_dir(batch.pk))
    assert reconcile().repaired["import"] == 1
    assert ImportBatch.objects.get().status == "failed" and not DisclosureItem.objects.exists()
    assert "导入中断，且上传的文件已不在：请重新上传。" in client.get(page).content.decode()
