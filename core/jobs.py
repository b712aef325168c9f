"""Starting a long background job: an auditor's export, the office's import.

With a broker a worker takes it. Without one (./bin/serve on its defaults, where tasks run eagerly
in the web process) it runs in a child process of its own (`manage.py run_job`): the request that
asked for it answers at once and its page shows the progress, and the job's work runs beside the
web process's requests instead of taking turns with them for one interpreter. Short jobs (a record,
a notice) still run after the request's commit, in the request."""

import json
import logging
import subprocess
import sys
import threading

from django.conf import settings

log = logging.getLogger(__name__)


def in_child_processes():
    """Whether start() runs a job in a child process (no broker, the setting on: ./bin/serve)."""
    from celery import current_app

    return current_app.conf.task_always_eager and settings.JOBS_IN_CHILD_PROCESS


def start(task, *args):
    """Start `task(*args)` in the background; call it after the commit that it needs."""
    if not in_child_processes():
        return task.delay(*args)
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "run_job", task.name, json.dumps(list(args))]
    # A session of its own: stopping the server (Ctrl-C) does not stop a job halfway; it finishes.
    child = subprocess.Popen(command, cwd=settings.BASE_DIR, stdin=subprocess.DEVNULL, start_new_session=True)
    log.info("background job %s%r started in process %d", task.name, args, child.pid)
    threading.Thread(target=_reap, args=(child, task.name), name=f"job-{child.pid}", daemon=True).start()
    return child


def _reap(child, name):
    """Wait for the child (no zombie is left behind) and say how it ended."""
    status = child.wait()
    if status:
        log.error("background job %s (process %d) failed with exit status %d", name, child.pid, status)
