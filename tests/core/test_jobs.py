"""core.jobs and `manage.py run_job`: how ./bin/serve runs a long job without a broker.
(The export and the import started this way: tests/audit/test_export_jobs.py, tests/imports.)"""

import logging
import time

import pytest
from django.core.management import CommandError, call_command

from audit.tasks import build_export
from core import jobs


@pytest.mark.parametrize("name, arguments, message", [
    ("audit.no_such_job", "[]", "No job named 'audit.no_such_job'. Known jobs: audit.build_export"),
    ("celery.accumulate", "[1]", "No job named 'celery.accumulate'"),
    ("audit.build_export", "[42", "The arguments must be a JSON list, e.g. '[42]': "),
    ("audit.build_export", '{"pk": 42}', "The arguments must be a JSON list, e.g. '[42]'"),
])
def test_run_job_refuses_an_unknown_job_or_arguments_with_a_clear_message(name, arguments, message):
    with pytest.raises(CommandError) as raised:
        call_command("run_job", name, arguments)
    assert str(raised.value).startswith(message)


def test_a_failing_job_in_its_child_process_is_reported_in_the_log(jobs_in_child_process, caplog):
    with caplog.at_level(logging.INFO, logger="core.jobs"):
        child = jobs.start(build_export, 987654)  # no such export: the job fails
        assert child.wait(timeout=120) == 1
        deadline = time.monotonic() + 10
        while "failed" not in caplog.text and time.monotonic() < deadline:  # the reaper thread writes it
            time.sleep(0.05)
    assert f"background job audit.build_export(987654,) started in process {child.pid}" in caplog.text
    assert f"background job audit.build_export (process {child.pid}) failed with exit status 1" in caplog.text


def test_with_the_setting_off_a_job_runs_in_the_caller(db, settings):
    settings.JOBS_IN_CHILD_PROCESS = False
    with pytest.raises(Exception, match="does not exist"):
        jobs.start(build_export, 987654)  # eager, here: its failure is the caller's
