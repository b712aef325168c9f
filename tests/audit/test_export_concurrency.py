"""An audit export reads a snapshot outside the append lock: audited writes go on while it runs."""

import io
import json
import threading
import zipfile

import pytest
from django.db import connection, connections, transaction

from audit import export, services

GUARD_SECONDS = 60  # only so that a regression fails instead of hanging the suite


class PausingFile(io.BytesIO):
    """A bundle file that stops the export mid-way, once every event has been read and while its
    snapshot transaction is still open, until the test lets it go on."""

    def __init__(self):
        super().__init__()
        self.paused, self.resume, self.in_transaction = threading.Event(), threading.Event(), None

    def write(self, data):
        if b"checkpoints.jsonl" in bytes(data) and not self.paused.is_set():
            self.in_transaction = connection.in_atomic_block
            self.paused.set()
            self.resume.wait(GUARD_SECONDS)
        return super().write(data)


@pytest.mark.postgres
def test_an_audited_write_completes_while_an_export_is_still_open(transactional_db):
    for n in range(50):
        services.record("test.before_export", actor=None, object_type="test.thing", object_id=n)
    bundle, outcome = PausingFile(), {}

    def run_export():
        try:
            outcome["name"] = export.write_bundle(bundle, actor=None)
        except Exception as error:  # reported below
            outcome["error"] = error
        finally:
            connections.close_all()

    exporter = threading.Thread(target=run_export)
    exporter.start()
    try:
        assert bundle.paused.wait(GUARD_SECONDS), outcome
        assert bundle.in_transaction  # the export's snapshot is open right now

        def write():
            try:
                with transaction.atomic():
                    outcome["written"] = services.record("test.during_export", actor=None, object_type="test.thing", object_id="x").seq
            finally:
                connections.close_all()

        writer = threading.Thread(target=write)
        writer.start()
        writer.join(GUARD_SECONDS)
        finished_while_open = not writer.is_alive() and exporter.is_alive()
    finally:
        bundle.resume.set()
        exporter.join(GUARD_SECONDS)
    assert finished_while_open and "written" in outcome
    assert "error" not in outcome and not exporter.is_alive()

    with zipfile.ZipFile(io.BytesIO(bundle.getvalue())) as archive:
        lines = [json.loads(line) for line in archive.read("events.jsonl").decode().splitlines()]
        checkpoints = [json.loads(line) for line in archive.read("checkpoints.jsonl").decode().splitlines()]
    # The bundle ends with the export's own event, covered by its checkpoint; the write made during
    # the export comes after it and is not in this bundle.
    assert [line["seq"] for line in lines] == list(range(1, len(lines) + 1))
    assert json.loads(lines[-1]["event"])["action"] == "audit.export"
    assert checkpoints[-1]["tree_size"] == len(lines) == outcome["written"] - 1
    assert services.tree_size() == outcome["written"]
