"""The applicant's receipt (number and 查询码) survives a mail server outage: the submission
stands, the mail stays owed, and the reconciler delivers it once when the server is back. The
code never reaches a log or an audit event, and leaves the database once the mail is sent."""

import logging
import re

import pytest

from audit.models import AuditEvent
from operations.models import Repair
from operations.reconcile import reconcile
from tests.foi.conftest import application
from tests.smtp_server import SmtpServer
from workflow.models import OutgoingMail


@pytest.fixture
def smtp(settings, monkeypatch):
    monkeypatch.setenv("RECONCILE_GRACE_SECONDS", "0")
    server = SmtpServer(refusing=True).use(settings)
    yield server
    server.close()


def test_the_receipt_with_the_code_is_sent_once_when_the_mail_server_is_back(
    client, demo, smtp, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/apply/", application(email="liming@example.com"), follow=True)
    assert response.status_code == 200  # the outage does not undo the application
    page = response.content.decode()
    number = re.search(r'id="number">([^<]+)<', page).group(1)
    code = re.search(r'id="code">([^<]+)<', page).group(1)

    owed = OutgoingMail.objects.get(to="liming@example.com")
    assert owed.sent_at is None and "421" in owed.last_error and smtp.received == []
    # The code waits beside the body, not in it.
    assert owed.secret == code and code not in owed.body and number in owed.subject

    outcome = reconcile()  # still down: counted, backed off, still owed
    assert outcome.failed and outcome.failed[0]["kind"] == "mail" and code not in str(outcome.failed)
    assert Repair.objects.get(kind="mail", object_id=owed.pk).attempts == 1
    assert OutgoingMail.objects.get(pk=owed.pk).sent_at is None

    smtp.refusing = False
    assert reconcile().repaired["mail"] == 0  # backing off…
    assert reconcile(force=True).repaired["mail"] == 1  # …or sent when the office says "finish now"
    [(recipients, subject, text)] = smtp.received
    assert recipients == ["liming@example.com"] and number in subject and f"查询码：{code}" in text
    owed.refresh_from_db()
    assert owed.sent_at is not None and owed.secret == ""

    assert reconcile(force=True).found["mail"] == 0
    assert len(smtp.received) == 1
    event = AuditEvent.objects.get(action="operations.repair", object_type="workflow.outgoingmail")
    assert event.object_id == str(owed.pk) and '"sent":1' in event.canonical
    assert code not in event.canonical and "liming@example.com" not in event.canonical
    assert not [r for r in caplog.records if code in r.getMessage() or code in (r.exc_text or "")]


def test_mail_about_a_change_is_owed_in_the_change_and_not_sent_twice(client, demo, smtp, user,
                                                                     django_capture_on_commit_callbacks):
    """The fast path sent it: the reconciler finds nothing owed and sends nothing again."""
    from foi import services
    from foi.models import InformationRequest

    smtp.refusing = False
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/apply/", application(email="liming@example.com"))
        req = InformationRequest.objects.get(email="liming@example.com")
        services.confirm(req, actor=user("office"))
    subjects = [subject for _, subject, _ in smtp.received]
    assert len(subjects) == 2 and "已提交" in subjects[0] and "已受理" in subjects[1]
    assert all(req.number in subject for subject in subjects)
    assert reconcile(force=True).found["mail"] == 0 and len(smtp.received) == 2
    assert not OutgoingMail.objects.filter(sent_at__isnull=True).exists()
