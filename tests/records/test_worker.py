"""Idempotence with a real Celery worker on Redis: duplicate jobs and a worker killed mid-task."""

import os
import signal
import time
from pathlib import Path

import pytest

from audit.models import AuditEvent
from records.models import Record
from records.tasks import issue_record
from tests.workflow.helpers import draft, to_state

pytestmark = pytest.mark.redis


def _wait_for(condition, worker, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    print(worker.log_path.read_text())
    raise AssertionError("timed out")


def _pool_children(pid):
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


def test_a_duplicated_job_yields_one_record(records_dir, user, celery_worker):
    item = draft(user, title="重复任务的事项")
    to_state(user, item, "published")  # the publication hook queues the record job on commit
    _wait_for(lambda: Record.objects.filter(item=item).exists(), celery_worker)
    record = Record.objects.get(item=item)
    again = issue_record.delay(item.pk, "publication").get(timeout=120)
    assert again == {"id": record.pk, "sha256": record.sha256, "created": False}
    assert Record.objects.filter(item=item).count() == 1
    assert AuditEvent.objects.filter(action="record.issue", object_id=str(record.pk)).count() == 1
    assert list(records_dir.rglob("*.pdf")) == [record.file_path]


def test_a_worker_killed_mid_task_is_retried_into_one_record(records_dir, user, celery_worker):
    item = draft(user, title="任务中断的事项")
    to_state(user, item, "published")
    log = celery_worker.log_path
    _wait_for(lambda: "Task records.tasks.issue_record[" in log.read_text(), celery_worker, timeout=60)
    # Kill the pool process that is rendering the record, as the OOM killer would.
    for child in _pool_children(celery_worker.pid):
        os.kill(child, signal.SIGKILL)
    _wait_for(lambda: "succeeded" in log.read_text().split("Task records.tasks.issue_record[")[-1]
              or Record.objects.filter(item=item).exists(), celery_worker)
    _wait_for(lambda: Record.objects.filter(item=item).exists(), celery_worker)
    text = log.read_text()
    assert "WorkerLostError" in text or "signal 9" in text or "SIGKILL" in text, text
    time.sleep(1)  # give a stray duplicate the chance to show up
    assert Record.objects.filter(item=item).count() == 1
    record = Record.objects.get(item=item)
    assert AuditEvent.objects.filter(action="record.issue", object_id=str(record.pk)).count() == 1
    assert list(records_dir.rglob("*.pdf*")) == [record.file_path]  # no file left by the killed attempt
