"""./bin/serve has no beat process: the web process runs the periodic schedule itself."""

from datetime import timedelta

from django.utils import timezone

from gongkai.inprocess import run_due

SCHEDULE = {"ping-every-minute": {"task": "gongkai.tasks.ping", "schedule": timedelta(seconds=60), "args": ("beat",)}}


def test_a_job_runs_once_its_interval_has_passed(db):
    last_run = {}
    assert run_due(SCHEDULE, last_run) == {}  # just started: first run comes one interval later
    last_run["ping-every-minute"] = timezone.now() - timedelta(seconds=61)
    assert run_due(SCHEDULE, last_run) == {"ping-every-minute": True}
    assert timezone.now() - last_run["ping-every-minute"] < timedelta(seconds=5)
    assert run_due(SCHEDULE, last_run) == {}  # not again until the next interval


def test_a_failing_job_does_not_stop_the_others(db):
    schedule = {
        "broken": {"task": "gongkai.tasks.ping", "schedule": timedelta(seconds=1), "args": ()},  # missing arg
        "fine": {"task": "gongkai.tasks.ping", "schedule": timedelta(seconds=1), "args": ("ok",)},
    }
    long_ago = timezone.now() - timedelta(minutes=5)
    last_run = {"broken": long_ago, "fine": long_ago}
    assert run_due(schedule, last_run) == {"broken": False, "fine": True}
