"""The periodic verification of the whole audit log: the health page's check stays current without
anyone running audit_verify, and a log changed behind the application tells auditors and the office."""

import datetime
import re
import time

import pytest
import time_machine
from django.utils import timezone

from gongkai.inprocess import run_due
from operations.heartbeats import last
from operations.tasks import verify_audit_log
from workflow.models import Notification


def verification_row(client):
    """The health page's row for the audit log's verification: (its badge, its detail)."""
    page = client.get("/office/health/").content.decode()
    row = re.search(r"<tr><td>审计日志校验</td><td>(.*?)</td><td>(.*?)</td></tr>", page)
    return ("正常" if "text-bg-success" in row[1] else "异常"), row[2]


@pytest.fixture
def signed(demo):
    """The log as the periodic checkpoint leaves it: covered by a signed checkpoint."""
    from audit import services

    services.checkpoint(reason="test")


def test_the_job_verifies_the_log_twice_a_day_and_the_health_page_shows_it(signed, client, user):
    client.force_login(user("office"))
    assert verification_row(client) == ("异常", "尚未校验：系统将在一小时内自动校验审计日志")

    assert verify_audit_log.apply().get() is True
    badge, detail = verification_row(client)
    assert badge == "正常" and "校验通过" in detail
    verified_at = last("audit_verify").at

    assert verify_audit_log.apply().get() is None  # just verified: not again
    assert last("audit_verify").at == verified_at
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=12, minutes=1)):
        assert verify_audit_log.apply().get() is True
        assert last("audit_verify").at > verified_at


def rewrite_event(seq, canonical):
    """What someone with the database's superuser does: the triggers off, one event's text changed."""
    from django.db import connection

    from audit.triggers import suspended

    with suspended(connection), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET canonical = %s WHERE seq = %s", [canonical, seq])


def test_a_log_changed_behind_the_application_raises_an_alarm_until_it_verifies_again(signed, client, user):
    from audit.models import AuditEvent

    assert verify_audit_log.apply().get() is True
    event = AuditEvent.objects.order_by("seq")[2]
    rewrite_event(event.seq, event.canonical.replace('"data":{', '"data":{"forged":"yes",', 1))

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=13)):
        assert verify_audit_log.apply().get() is False
    told = Notification.objects.filter(message="⚠ 审计日志校验未通过")
    assert {n.user.username for n in told} >= {"auditor", "office"}
    assert not told.filter(user__username="cwc_liaison").exists()
    client.force_login(user("office"))
    assert verification_row(client)[0] == "异常"
    page = client.get("/office/health/").content.decode()
    assert f"自第 {event.seq} 条事件起，日志与当初记录并签名的内容不一致。" in page

    rewrite_event(event.seq, event.canonical)  # the log as it was signed
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=26)):
        assert verify_audit_log.apply().get() is True
    assert "审计日志校验未通过" not in client.get("/office/health/").content.decode()


def test_under_bin_serve_the_scheduler_has_it_verified_in_a_process_of_its_own(jobs_in_child_process, signed, user, client):
    """./bin/serve: the hourly check runs in the web process's scheduler thread; the verification
    itself in a child process, beside the visitors' requests."""
    from django.conf import settings

    schedule = {"operations-verify-audit-log": settings.CELERY_BEAT_SCHEDULE["operations-verify-audit-log"]}
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1, seconds=1)
    assert run_due(schedule, {"operations-verify-audit-log": an_hour_ago}) == {"operations-verify-audit-log": True}
    assert last("audit_verify") is None  # not in this thread: handed to a child process

    deadline = time.monotonic() + 120
    while last("audit_verify") is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert last("audit_verify") is not None and last("audit_verify").detail["ok"] is True
    client.force_login(user("office"))
    assert verification_row(client)[0] == "正常"
