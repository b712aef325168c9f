"""The reconciler: overdue work is found, finished once, audited, backed off and alarmed."""

import io
import json

import pytest
from django.core import mail
from django.core.management import call_command

from audit.models import AuditEvent
from operations.models import Alarm, Repair
from operations.reconcile import reconcile
from records.models import Record
from tests.workflow.helpers import draft, to_state
from workflow import services
from workflow.models import Notification


@pytest.fixture(autouse=True)
def no_grace(monkeypatch, records_dir):
    """Work is overdue at once (the default grace is two minutes)."""
    monkeypatch.setenv("RECONCILE_GRACE_SECONDS", "0")


@pytest.fixture
def records_dir(settings, tmp_path, monkeypatch):
    settings.RECORDS_DIR = tmp_path / "records"
    monkeypatch.setenv("RECORDS_DIR", str(settings.RECORDS_DIR))
    return settings.RECORDS_DIR


def run(*args):
    """manage.py reconcile as an operator runs it: (exit status, JSON)."""
    out = io.StringIO()
    try:
        call_command("reconcile", "--json", *args, stdout=out, stderr=io.StringIO())
        status = 0
    except SystemExit as exit:
        status = exit.code
    return status, json.loads(out.getvalue())


@pytest.fixture
def published_without_record(user):
    """Published, but the record job never ran (its on-commit hook is never executed here)."""
    item = draft(user, title="2025年收支预算总表")
    to_state(user, item, "published")
    assert not Record.objects.filter(item=item).exists()
    return item


def test_a_published_item_without_its_record_is_repaired_once(published_without_record):
    item = published_without_record
    status, result = run("--dry-run")
    assert status == 1 and result["found"]["record:publication"] == 1 and result["repaired"] == {}
    assert not Record.objects.filter(item=item).exists()

    status, result = run()
    assert status == 0, result
    assert result["repaired"]["record:publication"] == 1 and result["failed"] == []
    record = Record.objects.get(item=item, kind="publication")
    assert AuditEvent.objects.filter(action="record.issue", object_id=str(record.pk)).count() == 1
    repair_events = AuditEvent.objects.filter(action="operations.repair", object_id=str(item.pk),
                                              canonical__contains='"kind":"record:publication"')
    assert repair_events.count() == 1
    # The "published" notice to its author, whose job never ran either, was delivered once too.
    assert result["repaired"]["notice"] == 1
    assert Notification.objects.filter(item=item, user=item.created_by, kind="published").count() == 1

    assert run() == (0, {"found": {"publication": 0, "record:publication": 0, "record:withdrawal": 0,
                                   "record:refusal": 0, "notice": 0, "mail": 0, "export": 0, "import": 0}, "repaired": {"publication": 0,
                                   "record:publication": 0, "record:withdrawal": 0, "record:refusal": 0, "notice": 0,
                                   "mail": 0, "export": 0, "import": 0}, "failed": []})
    assert Record.objects.filter(item=item).count() == 1


def test_the_public_sees_the_record_pending_until_the_reconciler_issues_it(published_without_record, client):
    item = published_without_record
    page = client.get(f"/items/{item.pk}/").content.decode()
    assert "签章记录生成中" in page and 'class="record"' not in page
    assert run()[0] == 0
    record = Record.objects.get(item=item)
    page = client.get(f"/items/{item.pk}/").content.decode()
    assert "签章记录生成中" not in page and record.sha256 in page


def test_work_still_within_its_grace_is_left_to_the_fast_path(published_without_record, monkeypatch):
    monkeypatch.setenv("RECONCILE_GRACE_SECONDS", "3600")
    assert run() == (0, {"found": {"publication": 0, "record:publication": 0, "record:withdrawal": 0,
                                   "record:refusal": 0, "notice": 0, "mail": 0, "export": 0, "import": 0}, "repaired": {"publication": 0,
                                   "record:publication": 0, "record:withdrawal": 0, "record:refusal": 0, "notice": 0,
                                   "mail": 0, "export": 0, "import": 0}, "failed": []})


def test_a_publication_stuck_in_publishing_is_completed(user, django_capture_on_commit_callbacks):
    item = draft(user, title="招生章程")
    to_state(user, item, "office_review")
    services.publish(item, actor=user("office"), channels=["wechat"])  # its job is never sent
    item.refresh_from_db()
    assert item.state == "publishing"
    with django_capture_on_commit_callbacks(execute=True):
        status, result = run()
    assert result["repaired"]["publication"] == 1
    item.refresh_from_db()
    assert item.state == "published"
    assert Record.objects.filter(item=item, kind="publication").count() == 1  # its record followed
    assert AuditEvent.objects.filter(action="disclosure.published", object_id=str(item.pk)).count() == 1


def test_a_scheduled_publication_is_not_overdue_before_its_time(user):
    import datetime

    from django.utils import timezone

    item = draft(user, title="收费标准")
    to_state(user, item, "office_review")
    services.publish(item, actor=user("office"), channels=["wechat"],
                     publish_at=timezone.now() + datetime.timedelta(days=1))
    assert run()[1]["found"]["publication"] == 0


def test_withdrawal_and_refusal_records_are_repaired(user):
    withdrawn = draft(user, title="撤回的事项")
    to_state(user, withdrawn, "published")
    services.withdraw(withdrawn, actor=user("office"), comment="数据有误")
    refused = draft(user, title="不予公开的事项")
    to_state(user, refused, "office_review")
    services.refuse(refused, actor=user("office"), ground="privacy", comment="涉及个人隐私")
    status, result = run()
    assert status == 0, result
    assert result["repaired"] == {"publication": 0, "record:publication": 1, "record:withdrawal": 1, "record:refusal": 1,
                                  "notice": 2, "mail": 0, "export": 0, "import": 0}  # the author of each hears of the decision (their jobs never ran)
    assert Record.objects.filter(item=withdrawn).count() == 2
    assert Record.objects.filter(item=refused, kind="refusal").count() == 1


def test_a_correction_published_without_its_record_is_repaired(user):
    """A correction supersedes its original when published: the correction's own record is owed
    and issued; the superseded original keeps its one record."""
    original = draft(user, title="更正前的收费标准")
    to_state(user, original, "published")
    assert run()[1]["repaired"]["record:publication"] == 1
    correction = services.correct(original, actor=user("cwc_liaison"), title="更正后的收费标准", comment="数字有误")
    to_state(user, correction, "published")
    original.refresh_from_db()
    assert original.state == "superseded" and not Record.objects.filter(item=correction).exists()

    status, result = run()
    assert status == 0 and result["repaired"]["record:publication"] == 1, result
    assert Record.objects.filter(item=correction, kind="publication").count() == 1
    assert Record.objects.filter(item=original).count() == 1
    assert run()[1]["found"]["record:publication"] == 0


def test_a_lost_notice_is_delivered_once_to_each_holder(user):
    """A submission whose notification job never ran: the reconciler tells each head of the
    department once; the job arriving late afterwards, or another run, adds nothing."""
    from workflow.notify import assignees
    from workflow.tasks import deliver_notice

    item = draft(user, title="通知丢失的事项")
    services.submit(item, actor=user("cwc_liaison"))  # its on-commit job is never executed here
    item.refresh_from_db()
    heads = assignees(item)
    assert heads and not Notification.objects.filter(item=item).exists()

    status, result = run()
    assert status == 0 and result["repaired"]["notice"] == 1, result
    tasks = Notification.objects.filter(item=item, kind="task")
    assert sorted(tasks.values_list("user_id", flat=True)) == sorted(u.pk for u in heads)
    assert deliver_notice(item.pk) == 0
    assert run()[1]["found"]["notice"] == 0
    assert tasks.count() == len(heads)
    assert AuditEvent.objects.filter(action="operations.repair", object_id=str(item.pk),
                                     canonical__contains='"kind":"notice"').count() == 1


def test_a_repair_that_keeps_failing_backs_off_then_alarms_the_office(
    published_without_record, settings, monkeypatch, tmp_path, user, django_capture_on_commit_callbacks
):
    item = published_without_record
    monkeypatch.setenv("RECONCILE_ALARM_AFTER", "2")
    settings.ADMINS = [("运维", "ops@school.invalid")]
    office = user("office")
    office.email = "office@school.invalid"
    office.save()
    settings.RECORDS_PKCS12_PATH = str(tmp_path / "missing-certificate.p12")  # the signer is gone

    status, result = run()
    assert status == 1 and result["failed"][0]["kind"] == "record:publication"
    assert result["failed"][0]["object"] == item.pk
    repair = Repair.objects.get(kind="record:publication", object_id=item.pk)
    assert repair.attempts == 1 and repair.next_attempt_at > repair.first_seen_at

    assert run()[1]["failed"] == []  # backing off: not tried again yet…
    assert Repair.objects.get(pk=repair.pk).attempts == 1
    with django_capture_on_commit_callbacks(execute=True):
        outcome = reconcile(force=True)  # …unless the office says "finish now"
    assert len(outcome.failed) == 1
    alarm = Alarm.objects.get(key=f"repair:record:publication:{item.pk}")
    assert alarm.resolved_at is None and "2025年收支预算总表" in alarm.title
    assert Notification.objects.filter(user=office, key=f"alarm:{alarm.pk}").exists()
    assert [m.to for m in mail.outbox if "2025年收支预算总表" in m.subject] == [["office@school.invalid"], ["ops@school.invalid"]]

    settings.RECORDS_PKCS12_PATH = ""  # the certificate is back
    assert reconcile(force=True).repaired["record:publication"] == 1
    assert Alarm.objects.get(pk=alarm.pk).resolved_at is not None
    assert Record.objects.filter(item=item).count() == 1
