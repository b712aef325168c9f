"""The periodic schedule (CELERY_BEAT_SCHEDULE) run by a thread in the web process.

Used only when no broker is configured (./bin/serve on its defaults), where tasks are eager and no
beat or worker process exists. With a broker, `celery beat` and workers do this instead."""

import logging
import threading
import time
from datetime import datetime, timezone as dt_timezone

from celery.schedules import maybe_schedule
from django.conf import settings
from django.utils import timezone

log = logging.getLogger(__name__)
_started = threading.Event()


# Jobs run as soon as the process starts, not one interval later: the public pages' cache is this
# process's memory and starts empty, and the column's menu pages should be made before the first
# visitors open them (portal.cache.keep_warm).
AT_START = {"portal-keep-warm"}
NEVER = datetime(1970, 1, 1, tzinfo=dt_timezone.utc)


def run_due(entries, last_run):
    """Run every entry whose schedule is due; returns {name: succeeded} for those that ran."""
    from gongkai.celery import app

    app.loader.import_default_modules()  # registers the apps' tasks (autodiscovery is lazy)
    ran = {}
    for name, entry in entries.items():
        schedule = maybe_schedule(entry["schedule"], app=app)
        # First run one interval after start; AT_START's count as never run.
        previous = last_run.setdefault(name, NEVER if name in AT_START else timezone.now())
        due, _next = schedule.is_due(previous)
        if due:
            last_run[name] = timezone.now()
            try:
                app.tasks[entry["task"]].apply(args=entry.get("args", ()), kwargs=entry.get("kwargs", {})).get()
                ran[name] = True
            except Exception:  # one failing job must not stop the others
                log.exception("periodic job %s failed", name)
                ran[name] = False
    return ran


def _loop():
    last_run = {}
    while True:
        run_due(settings.CELERY_BEAT_SCHEDULE, last_run)
        time.sleep(5)


def start_beat_if_no_broker():
    if settings.CELERY_BROKER_URL or _started.is_set():
        return
    _started.set()
    threading.Thread(target=_loop, name="gongkai-inprocess-beat", daemon=True).start()
    log.info("running %d periodic jobs in-process (no broker configured)", len(settings.CELERY_BEAT_SCHEDULE))
