"""`manage.py doctor`, the office's health page, /healthz and /readyz."""

import io
import json

import pytest
from django.core.management import call_command
from django.utils import translation

from operations.alarms import raise_alarm
from records.models import Record
from tests.workflow.helpers import draft, to_state


@pytest.fixture(autouse=True)
def records_dir(settings, tmp_path, monkeypatch):
    settings.RECORDS_DIR = tmp_path / "records"
    monkeypatch.setenv("RECONCILE_GRACE_SECONDS", "0")
    return settings.RECORDS_DIR


def doctor(language="en"):
    out = io.StringIO()
    try:
        with translation.override(language):
            call_command("doctor", "--json", stdout=out, stderr=io.StringIO())
        status = 0
    except SystemExit as exit:
        status = exit.code
    result = json.loads(out.getvalue())
    return status, result, {check["name"]: check for check in result["checks"]}


def test_healthz_answers_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"ok": True}


def test_readyz_checks_the_database_and_the_broker(client, settings, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert [c["name"] for c in response.json()["checks"]] == ["database", "broker"]
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # nothing listens there
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"][1]["ok"] is False


def test_doctor_reports_a_healthy_installation(demo, django_capture_on_commit_callbacks, user):
    item = draft(user)
    with django_capture_on_commit_callbacks(execute=True):
        to_state(user, item, "published")
    from audit import services

    services.checkpoint(reason="test")
    status, result, checks = doctor()
    expected = ["database", "broker", "worker", "beat", "overdue jobs", "items missing records", "owed mail", "record files",
                "audit verification", "audit checkpoint", "disk", "fonts", "alarms"]
    assert [c["name"] for c in result["checks"]] == expected
    bad = {name: c["detail"] for name, c in checks.items() if not c["ok"] and name not in ("worker", "beat")}
    assert bad == {}
    assert "1 records" in checks["record files"]["detail"]
    assert "共 1 份记录" in doctor("zh-hans")[2]["record files"]["detail"]  # the office reads Chinese


def test_doctor_names_missing_records_changed_files_and_open_alarms(demo, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        signed = draft(user, title="已签章的事项")
        to_state(user, signed, "published")
    unsigned = draft(user, title="缺少记录的事项")
    to_state(user, unsigned, "published")  # its record job never runs here
    record = Record.objects.get(item=signed)
    record.file_path.write_bytes(record.file_path.read_bytes() + b"\n% appended")
    raise_alarm("test:alarm", "测试告警", "detail")

    status, result, checks = doctor()
    assert status == 1 and result["ok"] is False
    assert checks["items missing records"] == {"name": "items missing records", "ok": False,
                                               "detail": "信息公开记录 1"}
    assert not checks["record files"]["ok"] and record.number in checks["record files"]["detail"]
    assert not checks["alarms"]["ok"] and "测试告警" in checks["alarms"]["detail"]


def test_doctor_names_overdue_jobs_stale_heartbeats_an_old_checkpoint_and_a_full_disk(
    demo, user, settings, monkeypatch, django_capture_on_commit_callbacks
):
    import datetime

    from django.utils import timezone

    from audit import services
    from operations.models import Heartbeat
    from workflow import services as workflow

    stuck = draft(user, title="卡在发布中的事项")
    to_state(user, stuck, "office_review")
    workflow.publish(stuck, actor=user("office"), channels=["wechat"])  # its job never runs here
    workflow.submit(draft(user, title="通知未送达的事项"), actor=user("cwc_liaison"))  # nor this notice's
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # a broker is configured: heartbeats are expected
    Heartbeat.objects.create(name="worker", at=timezone.now())
    Heartbeat.objects.create(name="beat", at=timezone.now() - datetime.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.checkpoint(reason="test")
    services.record("test.event", actor=None, object_type="test.thing", object_id=1, data={})  # not yet signed
    monkeypatch.setenv("AUDIT_CHECKPOINT_INTERVAL", "0")
    monkeypatch.setenv("DOCTOR_MIN_FREE_BYTES", str(1 << 60))

    status, result, checks = doctor("zh-hans")
    assert status == 1
    assert not checks["overdue jobs"]["ok"] and checks["overdue jobs"]["detail"] == "发布 1、待办与结果通知 1"
    assert not checks["broker"]["ok"]
    assert checks["worker"]["ok"] and not checks["beat"]["ok"]
    assert not checks["audit checkpoint"]["ok"]
    assert not checks["disk"]["ok"]


def test_the_first_event_after_a_quiet_hour_is_not_an_overdue_checkpoint(demo, client, user):
    """The check measures how long events have waited for a checkpoint, not how long ago the last
    one was signed (nothing needed signing in the quiet hour)."""
    import datetime

    import time_machine
    from django.utils import timezone

    from audit import services

    with time_machine.travel(timezone.now() - datetime.timedelta(hours=1)):
        services.checkpoint(reason="test")
    client.force_login(user("office"))  # the first event since: the office opens the health page
    _status, _result, checks = doctor("zh-hans")
    assert checks["audit checkpoint"]["ok"], checks["audit checkpoint"]
    page = client.get("/office/health/").content.decode()
    assert "最早一条未签名的事件已等待" in page and "最近一次签名在" not in page


def test_the_health_page_is_for_the_office_only(client, user):
    client.force_login(user("cwc_liaison"))
    assert client.get("/office/health/").status_code == 403
    client.force_login(user("office"))
    response = client.get("/office/health/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "系统运行状况" in page and "审计日志校验" in page and "缺少签章记录的事项" in page


def test_the_office_can_finish_overdue_work_from_the_page(client, user):
    item = draft(user, title="待补记录的事项")
    to_state(user, item, "published")
    client.force_login(user("office"))
    response = client.post("/office/health/retry/", follow=True)
    assert response.status_code == 200
    assert "已修复 2 项" in response.content.decode()  # its record, and the notice to its author
    assert Record.objects.filter(item=item).count() == 1
    assert item.notifications.filter(kind="published").count() == 1


def test_failing_repairs_are_named_by_what_they_are_about(client, user):
    """An item by its title, an import by its file: never the title of an item of the same number."""
    from imports.models import ImportBatch
    from operations.models import Repair

    item = draft(user, title="待补记录的事项")
    ImportBatch.objects.create(pk=item.pk, created_by=user("office"), file_name="2023学年历史信息.xlsx", status="importing")
    Repair.objects.create(kind="record:publication", object_id=item.pk, attempts=2, last_error="OSError: 证书丢失")
    Repair.objects.create(kind="import", object_id=item.pk, attempts=3, last_error="OperationalError: 磁盘已满")
    client.force_login(user("office"))
    page = client.get("/office/health/").content.decode()
    assert page.count("待补记录的事项") == 1 and "2023学年历史信息.xlsx" in page
    assert page.index("历史信息导入") < page.index("2023学年历史信息.xlsx") < page.index("磁盘已满")
