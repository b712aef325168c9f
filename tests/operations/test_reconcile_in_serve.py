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
def serve(jobs_in_child_process, settings, tmp_path, monkeypatch):
    """./bin/serve's defaults, with work overdue at once; the child processes see the same."""
    monkeypatch.setenv("RECONCILE_GRACE_SECONDS", "0")
    settings.RECORDS_DIR = tmp_path / "records"
    monkeypatch.setenv("RECORDS_DIR", str(settings.RECORDS_DIR))


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
    deadline = time.monotonic() + 300
    while Record.objects.filter(kind="publication").count() < MANY_RECORDS + 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert Record.objects.filter(kind="publication").count() == MANY_RECORDS + 2
    settled = reconcile.apply().get()  # nothing owed is left: the thread's own run finds nothing
    assert settled["found"]["record:publication"] == 0 and settled["failed"] == []


def test_a_few_records_owed_are_issued_in_the_thread(serve, user, tmp_path):
    imported(user, tmp_path, 2)
    answer = reconcile.apply().get()
    assert answer["repaired"]["record:publication"] == 2 and "process" not in answer
    assert Record.objects.filter(kind="publication").count() == 2
