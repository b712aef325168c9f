"""E-mail is owed, not fired and forgotten: a mail the server refused, or that a process dying
after the commit never sent, is sent by the reconciler exactly once; a server that stays down
raises one alarm the office sees, and the doctor reports the mail owed past its deadline."""

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from audit.models import AuditEvent
from operations.alarms import raise_alarm
from operations.models import Alarm, Repair
from operations.reconcile import reconcile
from tests.smtp_server import SmtpServer
from tests.workflow.helpers import draft
from workflow import services
from workflow.models import Notification, OutgoingMail


@pytest.fixture
def smtp(settings, monkeypatch):
    monkeypatch.setenv("RECONCILE_GRACE_SECONDS", "0")
    server = SmtpServer().use(settings)
    yield server
    server.close()


@pytest.fixture
def heads(user):
    """The finance office's head, alone with an address: a submission owes them a task mail."""
    get_user_model().objects.update(email="")
    head = user("cwc_head")
    head.email = "head0@school.invalid"
    head.save()
    return [head]


def doctor():
    out = io.StringIO()
    try:
        call_command("doctor", "--json", stdout=out, stderr=io.StringIO())
    except SystemExit:
        pass
    return {check["name"]: check for check in json.loads(out.getvalue())["checks"]}


def test_a_mail_lost_with_the_process_after_commit_is_sent_once_by_the_reconciler(user, heads, smtp,
                                                                                  django_capture_on_commit_callbacks):
    item = draft(user, title="2025年收支预算总表")
    services.submit(item, actor=user("cwc_liaison"))
    with django_capture_on_commit_callbacks(execute=False):  # the job's process dies right after its commit
        from workflow.notify import deliver

        deliver(item.pk)
    assert Notification.objects.filter(item=item, user=heads[0]).exists() and smtp.received == []
    owed = OutgoingMail.objects.get(to="head0@school.invalid")
    assert owed.sent_at is None and "2025年收支预算总表" in owed.subject

    assert doctor()["owed mail"]["ok"] is False
    outcome = reconcile()
    assert outcome.repaired["mail"] == 1 and outcome.failed == []
    assert [(to, "2025年收支预算总表" in subject) for to, subject, _ in smtp.received] == [(["head0@school.invalid"], True)]
    assert AuditEvent.objects.filter(action="operations.repair", object_type="workflow.outgoingmail",
                                     object_id=str(owed.pk)).count() == 1
    assert reconcile().found["mail"] == 0 and len(smtp.received) == 1
    assert doctor()["owed mail"]["ok"] is True


def test_no_mail_is_sent_twice_when_the_fast_path_succeeded(user, heads, smtp, django_capture_on_commit_callbacks):
    item = draft(user, title="2025年收支预算总表")
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(item, actor=user("cwc_liaison"))
    assert [to for to, _, _ in smtp.received] == [["head0@school.invalid"]]
    assert reconcile(force=True).found["mail"] == 0
    assert len(smtp.received) == 1


def test_a_mail_server_that_stays_down_raises_one_alarm_and_everything_goes_out_when_it_is_back(
    user, heads, smtp, settings, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setenv("RECONCILE_ALARM_AFTER", "2")
    settings.ADMINS = [("运维", "ops@school.invalid")]
    office = user("office")
    office.email = "office@school.invalid"
    office.save()
    smtp.refusing = True
    with django_capture_on_commit_callbacks(execute=True):
        for title in ("预算表", "决算表", "收费标准"):
            services.submit(draft(user, title=title), actor=user("cwc_liaison"))
    assert OutgoingMail.objects.filter(sent_at__isnull=True).count() == 3

    # Every mail goes through one server: after the first refusal the rest wait for the next run.
    first = reconcile(force=True)
    assert len(first.failed) == 1 and first.left == 3
    with django_capture_on_commit_callbacks(execute=True):
        reconcile(force=True)
    alarm = Alarm.objects.get(key="repair:mail", resolved_at__isnull=True)
    assert "请检查邮件服务器" in alarm.title and "421" in alarm.detail
    assert Notification.objects.filter(user=office, key=f"alarm:{alarm.pk}").exists()  # seen in the app now
    assert Repair.objects.filter(kind="mail").count() == 1
    health = doctor()
    assert health["owed mail"]["ok"] is False and "421" in health["owed mail"]["detail"]
    assert health["alarms"]["ok"] is False

    smtp.refusing = False
    outcome = reconcile(force=True)
    assert outcome.failed == [] and outcome.repaired["mail"] == OutgoingMail.objects.count()
    received = sorted(to[0] for to, _, _ in smtp.received)
    # The three task mails, and the alarm's own mails to the office and the administrators.
    assert received == sorted(["head0@school.invalid"] * 3 + ["office@school.invalid", "ops@school.invalid"])
    assert Alarm.objects.get(pk=alarm.pk).resolved_at is not None
    assert doctor()["owed mail"]["ok"] is True
    assert reconcile(force=True).found["mail"] == 0 and len(smtp.received) == 5


def test_an_alarm_mails_the_administrators_through_the_outbox(db, smtp, settings, django_capture_on_commit_callbacks):
    settings.ADMINS = [("运维", "ops@school.invalid")]
    smtp.refusing = True
    with django_capture_on_commit_callbacks(execute=True):
        raise_alarm("test:disk", "磁盘将满", "var: 0.2 GiB free")
    assert OutgoingMail.objects.get(to="ops@school.invalid").sent_at is None
    smtp.refusing = False
    reconcile()
    assert [(to, subject, text.strip()) for to, subject, text in smtp.received] == [
        (["ops@school.invalid"], f"{settings.EMAIL_SUBJECT_PREFIX}磁盘将满", "var: 0.2 GiB free")]
