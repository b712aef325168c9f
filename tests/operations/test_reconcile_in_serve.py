"""./bin/serve has no worker: its scheduler runs the reconciler in a thread of the web process.
Long work (records owed by the dozen after an import, an export, an import) goes to a child process
of its own there, so that the site's visitors do not wait on it; a few records are issued at once."""

import time

import pytest

from imports import services as imports
from operations.reconcile import MANY_RECORDS
from operations.tasks import reconcile
from records.models import Record
from tests.imports.workbook import write, year_of_history
from workflow.models import DisclosureItem


@pytest.fixture
def overdue_at_once(settings, tmp_path, monkeypatch):
    """Work overdue at once, records in this test's folder; for the processes it starts too."""
    monkeypatch.setenv("RECONCILE_GRACE_SECONDS", "0")
    settings.RECORDS_DIR = tmp_path / "records"
    monkeypatch.setenv("RECORDS_DIR", str(settings.RECORDS_DIR))


@pytest.fixture
def serve(jobs_in_child_process, overdue_at_once):
    """./bin/serve's defaults: no broker, long jobs in child processes."""


def imported(user, tmp_path, n_items):
    """A past year imported: its items are published, their records left to the reconciler."""
    items, posts, _expected = year_of_history(n_items)
    path = write(tmp_path / "history.xlsx", items, posts)
    imports.write(imports.check(path), actor=user("office"))
    assert DisclosureItem.objects.count() == n_items and not Record.objects.exists()


def test_records_owed_by_the_dozen_are_issued_in_a_process_of_their_own(serve, user, tmp_path):
    imported(user, tmp_path, MANY_RECORDS + 2)
    answer = reconcile.apply().get()  # as the scheduler thread runs it
    assert answer["found"]["record:publication"] == MANY_RECORDS + 2
    assert answer["process"] and "repaired" not in answer  # handed over, not rendered in this thread
    assert wait_for_records(MANY_RECORDS + 2) == MANY_RECORDS + 2
    settled = reconcile.apply().get()  # nothing owed is left: the thread's own run finds nothing
    assert settled["found"]["record:publication"] == 0 and settled["failed"] == []


def test_a_few_records_owed_are_issued_in_the_thread(serve, user, tmp_path):
    imported(user, tmp_path, 2)
    answer = reconcile.apply().get()
    assert answer["repaired"]["record:publication"] == 2 and "process" not in answer
    assert Record.objects.filter(kind="publication").count() == 2


def wait_for_records(n):
    deadline = time.monotonic() + 300
    while Record.objects.filter(kind="publication").count() < n and time.monotonic() < deadline:
        time.sleep(0.2)
    return Record.objects.filter(kind="publication").count()


def test_the_offices_finish_now_hands_records_by_the_dozen_to_the_background(serve, user, tmp_path, client):
    """The health page's "finish overdue work now": rendering them in the request would outlast
    it (the server's 60 s timeout kills a request that renders a year's records)."""
    imported(user, tmp_path, MANY_RECORDS + 2)
    client.force_login(user("office"))
    response = client.post("/office/health/retry/", follow=True)
    assert response.status_code == 200
    assert f"{MANY_RECORDS + 2} 项逾期工作正在后台完成" in response.content.decode()
    assert wait_for_records(MANY_RECORDS + 2) == MANY_RECORDS + 2
    assert "已修复 0 项" in client.post("/office/health/retry/", follow=True).content.decode()  # nothing is left


@pytest.fixture
def year_left_to_the_reconciler(transactional_db, overdue_at_once, user, tmp_path):
    """Imported with no broker (before the worker of the test below starts): records owed."""
    imported(user, tmp_path, MANY_RECORDS + 2)


@pytest.mark.redis
def test_with_a_worker_the_offices_finish_now_hands_them_to_the_worker(year_left_to_the_reconciler, celery_worker, user, client):
    client.force_login(user("office"))
    response = client.post("/office/health/retry/", follow=True)
    assert f"{MANY_RECORDS + 2} 项逾期工作正在后台完成" in response.content.decode()
    assert wait_for_records(MANY_RECORDS + 2) == MANY_RECORDS + 2, celery_worker.log_path.read_text()
    assert "Task operations.reconcile[" in celery_worker.log_path.read_text()
