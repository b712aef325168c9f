"""Faults with real parts: a whole Celery worker SIGKILLed mid-render (Redis), the broker
unreachable when the office publishes, and the in-process web worker (gunicorn, no broker)
SIGKILLed mid-render. Each time the reconciler leaves exactly one record and one `record.issue`
event, and nothing doubled."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from audit.models import AuditEvent
from operations.reconcile import reconcile
from records.models import Record
from tests.workflow.helpers import draft, to_state
from workflow.models import DisclosureItem

ROOT = Path(__file__).resolve().parents[2]
PARAGRAPH = "<p>" + "学校严格按照评审程序，经班级评议、学院审核、学校复核，确定资助名单，并在全校范围内公示五个工作日。" * 30 + "</p>"
LONG_BODY = PARAGRAPH * 40  # some thirty pages: rendering takes seconds, long enough to be interrupted


@pytest.fixture(autouse=True)
def overdue_at_once(monkeypatch, settings, tmp_path):
    monkeypatch.setenv("RECONCILE_GRACE_SECONDS", "0")
    settings.RECORDS_DIR = tmp_path / "records"
    monkeypatch.setenv("RECORDS_DIR", str(settings.RECORDS_DIR))


def _wait_for(condition, timeout=120, what="condition", log=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    if log is not None:
        print(Path(log).read_text())
    raise AssertionError(f"timed out waiting for {what}")


def _process_env(**extra):
    """The environment of a process that uses this test's database (as the worker fixture does)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1", **extra)
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        env["DATABASE_URL"] = f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    else:
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(db["NAME"])
    return env


def _children(pid):
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def _state(item):
    return DisclosureItem.objects.filter(pk=item.pk).values_list("state", flat=True).get()


def _exactly_one_record(item):
    assert Record.objects.filter(item=item).count() == 1
    record = Record.objects.get(item=item, kind="publication")
    assert AuditEvent.objects.filter(action="record.issue", object_id=str(record.pk)).count() == 1
    assert AuditEvent.objects.filter(action="disclosure.published", object_id=str(item.pk)).count() == 1
    assert record.file_path.exists()
    assert list(record.file_path.parent.glob(f"{record.number}-*")) == [record.file_path]  # no leftover attempt
    return record


@pytest.mark.redis
def test_the_whole_worker_killed_mid_render_is_repaired_by_one_reconcile(user, celery_worker):
    item = draft(user, title="整个任务进程被杀的事项", body=LONG_BODY)
    to_state(user, item, "published")  # the record job goes to the real worker on commit
    log = celery_worker.log_path
    _wait_for(lambda: "Task records.tasks.issue_record[" in log.read_text(), what="the record job", log=log)
    time.sleep(0.5)  # rendering has begun
    # SIGKILL the whole worker, main process and pool child together (an OOM kill, a host crash):
    # the job stays unacknowledged in Redis until the visibility timeout, no other worker sees it.
    for pid in [celery_worker.pid, *_children(celery_worker.pid)]:
        os.kill(pid, signal.SIGKILL)
    celery_worker.wait()
    text = log.read_text()
    assert "succeeded" not in text.split("Task records.tasks.issue_record[")[-1], text
    assert not Record.objects.filter(item=item).exists()
    assert _state(item) == "published"

    outcome = reconcile()
    assert outcome.repaired["record:publication"] == 1 and outcome.failed == []
    _exactly_one_record(item)
    assert reconcile().found["record:publication"] == 0


def _with_broker_down(action, item, username, arguments=""):
    """Run workflow.services.<action> on `item` as `username` in another process whose broker is
    unreachable (nothing listens on port 9); return the state the service left the item in."""
    script = (
        "import django; django.setup();"
        "from django.contrib.auth import get_user_model;"
        "from workflow import services; from workflow.models import DisclosureItem;"
        f"item = services.{action}(DisclosureItem.objects.get(pk={item.pk}), "
        f"actor=get_user_model().objects.get(username='{username}'), {arguments});"
        "print(item.state)"
    )
    env = _process_env(CELERY_BROKER_URL="redis://127.0.0.1:9/0", DJANGO_SETTINGS_MODULE="gongkai.settings")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_a_broker_unreachable_at_publication_then_back(user, transactional_db, demo):
    """The office publishes while the broker is down: the answer comes at once (the job cannot be
    sent), the item waits in `publishing`; once the broker is back the reconciler publishes it and
    its record follows."""
    item = draft(user, title="消息队列中断时发布的事项")
    to_state(user, item, "office_review")
    assert _with_broker_down("publish", item, "office", "channels=['wechat']") == "publishing"
    assert _state(item) == "publishing"
    assert not Record.objects.filter(item=item).exists()

    # The broker is back (this process runs jobs in-process): one reconcile finishes everything.
    outcome = reconcile()
    assert outcome.repaired["publication"] == 1 and outcome.failed == []
    assert _state(item) == "published"
    _exactly_one_record(item)
    assert sum(reconcile().found.values()) == 0


def test_notifications_lost_with_the_broker_are_delivered_once(user, transactional_db, demo):
    """The liaison submits while the broker is down: the submission commits, the job that tells
    the department's heads cannot be sent. The reconciler tells each head once; the job redelivered
    late once the broker is back adds nothing."""
    from workflow.models import Notification
    from workflow.notify import assignees
    from workflow.tasks import deliver_notice

    item = draft(user, title="消息队列中断时提交的事项")
    assert _with_broker_down("submit", item, "cwc_liaison") == "head_review"
    item.refresh_from_db()
    heads = assignees(item)
    assert heads and not Notification.objects.filter(item=item).exists()  # nobody has been told

    outcome = reconcile()
    assert outcome.repaired["notice"] == 1 and outcome.failed == []
    told = Notification.objects.filter(item=item, kind="task")
    assert sorted(told.values_list("user_id", flat=True)) == sorted(u.pk for u in heads)
    assert deliver_notice.apply(args=(item.pk,)).get() == 0  # the lost job, redelivered late
    assert reconcile().found["notice"] == 0
    assert told.count() == len(heads) and Notification.objects.filter(item=item).count() == len(heads)


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_in_process_web_worker_killed_mid_render_is_repaired(user, transactional_db, demo, tmp_path):
    """./bin/serve's mode: no broker, gunicorn renders the record in the request after the
    publication commits. SIGKILL that worker while it renders; the reconciler issues the record."""
    item = draft(user, title="网页进程被杀时发布的事项", body=LONG_BODY)
    to_state(user, item, "office_review")
    token = Token.objects.create(user=user("office")).key
    port = _free_port()
    env = _process_env(WEB_CONCURRENCY="1", WEB_THREADS="2")
    env.pop("CELERY_BROKER_URL", None)
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "gongkai.wsgi", "-c", "gongkai/gunicorn_conf.py",
             "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        _wait_for(lambda: _children(server.pid) and "Booting worker" in log_path.read_text(), what="gunicorn", log=log_path)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/disclosures/{item.pk}/publish/",
            data=json.dumps({"channels": ["wechat"]}).encode(), method="POST",
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        )
        answers = []

        def publish():
            try:
                with urllib.request.urlopen(request, timeout=120) as response:
                    answers.append(response.status)
            except Exception as error:  # the worker dies under it
                answers.append(error)

        thread = threading.Thread(target=publish)
        thread.start()
        _wait_for(lambda: _state(item) == "published", what="the publication to commit", log=log_path)
        time.sleep(0.5)  # the record is rendering inside the request
        workers = _children(server.pid)
        assert workers and not Record.objects.filter(item=item).exists()
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        thread.join(timeout=60)
        assert answers and answers[0] != 200, answers  # the office saw the request fail
        assert not Record.objects.filter(item=item).exists()
    finally:
        server.terminate()
        server.wait(timeout=30)

    outcome = reconcile()
    assert outcome.repaired["record:publication"] == 1 and outcome.failed == []
    _exactly_one_record(item)


@pytest.mark.redis
def test_reconcile_renders_lost_records_in_several_processes(user, transactional_db, demo):
    """`manage.py reconcile --workers 2` (as the benchmark runs it): record jobs lost on a queue no
    worker reads; two forked processes issue every record once."""
    from gongkai.celery import app

    app.conf.task_always_eager = False
    app.conf.task_routes = {"*": {"queue": "gongkai-test-lost-jobs"}}
    app.amqp.flush_routes()
    app.amqp.__dict__.pop("router", None)
    try:
        items = []
        for n in range(4):
            item = draft(user, title=f"丢失任务的事项{n}")
            to_state(user, item, "published")
            items.append(item)
    finally:
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge("gongkai-test-lost-jobs")
        app.conf.task_always_eager = True
        app.conf.task_routes = None
        app.amqp.flush_routes()
        app.amqp.__dict__.pop("router", None)
    assert not Record.objects.filter(item__in=items).exists()
    result = subprocess.run([sys.executable, "manage.py", "reconcile", "--workers", "2", "--json"], cwd=ROOT,
                            env=_process_env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["repaired"]["record:publication"] == 4
    for item in items:
        _exactly_one_record(item)
    repairs = AuditEvent.objects.filter(action="operations.repair")
    assert repairs.filter(canonical__contains='"kind":"record:publication"').count() == 4
    # the "published" notices went to the same lost queue: each author told once
    assert repairs.filter(canonical__contains='"kind":"notice"').count() == 4
