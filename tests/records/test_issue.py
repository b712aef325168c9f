"""Records of real disclosure items, issued through the workflow's own services."""

import json

from django.utils import timezone

from audit.models import AuditEvent
from records.models import Record, record_number
from records.tasks import issue_record
from tests.records.conftest import one_byte_changed, pdf_text as _text, run_record_verify as _verify, with_appended_revision
from tests.workflow.helpers import draft, to_state


def test_publishing_an_item_issues_one_signed_record(published, user, tmp_path):
    record = Record.objects.get(item=published)
    assert record.kind == "publication" and record.version == published.version
    path = record.file_path
    assert path.is_file() and path.stat().st_size == record.size
    text = _text(path)
    assert "2025年收支预算总表" in text and "信息公开记录" in text
    # The public record shows the chain by step, role and department, not the reviewers' names.
    assert "信息公开联络员" in text and "部门负责人" in text and "保密审查员" in text and "财务资产处" in text
    for username in ("cwc_liaison", "cwc_head", "cwc_reviewer"):  # the office's account is named after the office
        assert user(username).get_full_name() not in text
    # The issue is an audit event carrying the file's hash.
    event = AuditEvent.objects.get(action="record.issue")
    assert json.loads(event.canonical)["data"]["sha256"] == record.sha256
    assert record.audit_seq == event.seq
    # The record cites a signed checkpoint covering every event of the item.
    item_seqs = set(AuditEvent.objects.filter(object_type="workflow.disclosureitem", object_id=str(published.pk))
                    .values_list("seq", flat=True))
    assert set(record.event_seqs) == item_seqs
    assert record.checkpoint_size >= max(item_seqs)


def test_record_verify_accepts_the_record(published):
    record = Record.objects.get(item=published)
    status, out, _err = _verify(record.file_path)
    assert status == 0, out
    assert "VALID" in out and "NOT VALID" not in out and record.number in out
    status, out, _err = _verify(record.file_path, "--json")
    verdict = json.loads(out)
    assert status == 0 and verdict["ok"] is True
    assert verdict["record"]["item"] == published.pk and verdict["events_included"] is True
    assert verdict["checkpoint"]["size"] == record.checkpoint_size


def test_one_changed_byte_is_detected(published, tmp_path):
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(one_byte_changed(Record.objects.get(item=published).file_path.read_bytes()))
    status, out, err = _verify(tampered, "--json")
    verdict = json.loads(out)
    assert status != 0 and verdict["ok"] is False
    assert not verdict["signature_valid"] or not verdict["known"]
    assert "unknown_hash" in verdict["problems"]
    assert "NOT VALID" in err


def test_an_appended_revision_is_detected(published, tmp_path):
    original = Record.objects.get(item=published).file_path.read_bytes()
    appended = tmp_path / "appended.pdf"
    appended.write_bytes(with_appended_revision(original))
    assert appended.read_bytes().startswith(original)
    status, stdout, _err = _verify(appended, "--json")
    verdict = json.loads(stdout)
    assert status != 0
    assert verdict["signature_valid"] is True  # the signed revision itself is intact …
    assert verdict["whole_document"] is False  # … but it is no longer the whole file
    assert "not_whole_file" in verdict["problems"]


def test_issuing_twice_yields_one_record(published):
    first = Record.objects.get(item=published)
    result = issue_record.delay(published.pk, "publication").get()
    assert result == {"id": first.pk, "sha256": first.sha256, "created": False}
    assert Record.objects.filter(item=published).count() == 1
    assert AuditEvent.objects.filter(action="record.issue").count() == 1


def test_refusal_and_withdrawal_records(user, django_capture_on_commit_callbacks):
    from workflow import services

    refused = draft(user, title="涉及个人隐私的名单")
    to_state(user, refused, "office_review")
    with django_capture_on_commit_callbacks(execute=True):
        services.refuse(refused, actor=user("office"), ground="privacy", comment="含学生身份证号")
    record = Record.objects.get(item=refused, kind="refusal")
    text = _text(record.file_path)
    assert "不予公开" in text and "个人隐私" in text and "含学生身份证号" in text

    item = draft(user, title="已撤回的通知")
    with django_capture_on_commit_callbacks(execute=True):
        to_state(user, item, "published")
        services.withdraw(item, actor=user("office"), comment="信息有误，撤回更正")
    kinds = sorted(Record.objects.filter(item=item).values_list("kind", flat=True))
    assert kinds == ["publication", "withdrawal"]
    assert "信息有误，撤回更正" in _text(Record.objects.get(item=item, kind="withdrawal").file_path)


def test_a_file_left_by_an_interrupted_attempt_is_removed(user, records_dir, django_capture_on_commit_callbacks):
    """A worker killed after writing its file but before committing its row leaves an orphan file;
    the attempt that succeeds removes it."""
    item = draft(user, title="中断后重试的事项")
    to_state(user, item, "office_review")
    number = record_number(item.pk, 1, "publication")
    orphan = records_dir / f"{timezone.now():%Y}" / f"{number}-0123456789abcdef.pdf"
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"%PDF-1.7 half-written")
    with django_capture_on_commit_callbacks(execute=True):
        to_state(user, item, "published")
    record = Record.objects.get(item=item)
    assert not orphan.exists()
    assert sorted(records_dir.rglob("*.pdf*")) == [record.file_path]


def test_the_office_may_show_reviewers_names_and_comments_on_records(user, settings, django_capture_on_commit_callbacks):
    settings.RECORDS_SHOW_PROCESS_DETAILS = True
    item = draft(user, title="2025年收支预算总表", body="<p>学校2025年收支预算总表如下。</p>")
    with django_capture_on_commit_callbacks(execute=True):
        to_state(user, item, "published")
    text = _text(Record.objects.get(item=item).file_path)
    for username in ("cwc_liaison", "cwc_head", "cwc_reviewer", "office"):
        assert user(username).get_full_name() in text
