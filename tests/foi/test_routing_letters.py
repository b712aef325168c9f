"""Routing to the department that holds the information, and the signed letters to the applicant."""

import datetime
import re
import subprocess

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from audit.models import AuditEvent
from foi import services
from foi.models import InformationRequest
from policies.models import Department
from records.verification import verify_pdf
from tests.foi.conftest import APPLICANT, ID_NUMBER
from core.exceptions import StateConflict

CURRENT_TIME = datetime.datetime(2026, 2, 5, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def _online(**overrides):
    fields = dict(
        address="127.0.0.1", applicant_kind="person", applicant_name=APPLICANT, id_type="resident_id", id_number=ID_NUMBER,
        email="", phone="13800138000", description="2025年学校各类收费项目的收费依据和标准", form_wanted="paper", delivery="post",
        postal_address="郑州市金水区文化路1号",
    )
    fields.update(overrides)
    return services.submit_online(**fields)


def _pdf_text(path):
    """The letter's text as poppler reads it, without line breaks (Chinese wraps anywhere)."""
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return re.sub(r"\s+", "", text)


@time_machine.travel(CURRENT_TIME)
def test_the_department_drafts_its_head_approves_and_the_office_signs_off(user, client, django_capture_on_commit_callbacks):
    office, liaison, head = user("office"), user("cwc_liaison"), user("cwc_head")
    req, _code = _online()
    # Confirmed Thursday 5 February 2026: Spring Festival (15–23 February, make-up days 14 and 28
    # February) moves the 15th working day to 4 March.
    req = services.confirm(req, actor=office)
    assert req.due_on == datetime.date(2026, 3, 4)
    req = services.assign(req, actor=office, department=Department.objects.get(code="cwc"))
    # Another department's liaison cannot see it at all.
    client.force_login(user("jwc_liaison"))
    assert client.get(f"/foi/{req.pk}/").status_code == 404
    assert client.post(f"/foi/{req.pk}/draft/", {"draft-outcome": "disclosed", "draft-answer": "x"}).status_code == 404
    client.force_login(liaison)
    page = client.get(f"/foi/{req.pk}/").content.decode()
    assert APPLICANT in page  # the assigned department sees the applicant to answer them
    assert req.number in client.get("/foi/").content.decode()
    response = client.post(f"/foi/{req.pk}/draft/", {"draft-outcome": "partial", "draft-refusal_ground": "privacy",
                                                     "draft-answer": "提供收费标准，隐去个人信息。"})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.draft_state == "drafted"
    with pytest.raises(StateConflict):
        services.answer(req, actor=office, outcome="disclosed", answer="x")
    with pytest.raises(PermissionDenied):
        services.approve_draft(req, actor=liaison)
    req = services.approve_draft(req, actor=head, comment="同意")
    with django_capture_on_commit_callbacks(execute=True):
        req = services.answer(req, actor=office, **{k: req.draft[k] for k in ("outcome", "answer", "refusal_ground", "referred_to")})
    actions = list(AuditEvent.objects.filter(object_type="foi.informationrequest", object_id=str(req.pk)).order_by("seq")
                   .values_list("action", "actor_username"))
    assert actions == [("foi.request.submit", "system"), ("foi.request.confirm", "office"), ("foi.request.assign", "office"),
                       ("foi.request.draft", "cwc_liaison"), ("foi.request.approve", "cwc_head"), ("foi.request.answer", "office")]
    reply = req.letters.get(kind="reply")
    text = _pdf_text(reply.file_path)
    assert "部分公开" in text and "个人隐私" in text and "第十八条第（四）项" in text and "行政复议" in text


OUTCOMES = [
    ("disclosed", "", "", ["予以公开", "第十八条第（一）项", "获取该信息的方式和途径"]),
    ("partial", "trade_secret", "", ["部分公开", "商业秘密", "第十八条第（四）项"]),
    ("refused", "state_secret", "", ["不予公开", "国家秘密", "第十条"]),
    ("not_held", "", "河南省教育厅", ["不属于本校职责范围", "第十八条第（三）项", "河南省教育厅"]),
    ("duplicate", "", "", ["重复申请", "第十八条第（六）项"]),
]


@pytest.mark.parametrize("outcome,ground,referred,phrases", OUTCOMES)
@time_machine.travel(CURRENT_TIME)
def test_every_outcome_has_its_reply_letter(user, outcome, ground, referred, phrases, django_capture_on_commit_callbacks):
    office = user("office")
    req, _code = _online()
    req = services.confirm(req, actor=office)
    with django_capture_on_commit_callbacks(execute=True):
        services.answer(req, actor=office, outcome=outcome, refusal_ground=ground, referred_to=referred, answer="详见说明。")
    text = _pdf_text(req.letters.get(kind="reply").file_path)
    for phrase in phrases + ["投诉", "举报", "行政诉讼", APPLICANT, req.number]:
        assert phrase in text, (outcome, phrase)


@time_machine.travel(CURRENT_TIME)
def test_an_unclear_request_lapses_with_its_letter(user, django_capture_on_commit_callbacks):
    office = user("office")
    req, _code = _online()
    req = services.confirm(req, actor=office)
    with django_capture_on_commit_callbacks(execute=True):
        req = services.pause(req, actor=office, waiting_for="correction", note="请说明所需信息的年份")
        services.answer(req, actor=office, outcome="unclear", answer="逾期未补正。")
    assert "请说明所需信息的年份" in _pdf_text(req.letters.get(kind="correction").file_path)
    text = _pdf_text(req.letters.get(kind="reply").file_path)
    assert "视为放弃本次申请" in text and "第十八条第（五）项" in text


def test_letters_verify_like_records_and_a_changed_one_does_not(user, tmp_path, django_capture_on_commit_callbacks):
    office = user("office")
    with time_machine.travel(CURRENT_TIME):
        req, _code = _online()
        with django_capture_on_commit_callbacks(execute=True):
            req = services.confirm(req, actor=office)
            services.extend(req, actor=office, days=10, reason="需要调取档案")
    # Verified at the real time: the signing certificate may be younger than the travelled-to date.
    extension = req.letters.get(kind="extension")
    text = _pdf_text(extension.file_path)
    assert "需要调取档案" in text and "10个工作日" in text
    # How to check it, in steps the applicant can take (a server command is no such step).
    assert "扫描右上角二维码" in text and "/verify/，上传本文件" in text and "record_verify" not in text
    verdict = verify_pdf(extension.file_path.read_bytes())
    assert verdict.ok, verdict.problems
    assert verdict.record["number"] == extension.number
    call_command("record_verify", str(extension.file_path))  # exit 0
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(extension.file_path.read_bytes() + b"\n%changed")
    assert not verify_pdf(changed.read_bytes()).ok
    with pytest.raises(SystemExit):
        call_command("record_verify", str(changed))


@time_machine.travel(CURRENT_TIME)
def test_the_office_adjusts_a_template_and_the_wording_is_versioned(user, tmp_path, monkeypatch, django_capture_on_commit_callbacks):
    from foi.letters import template_dir_override
    from foi.models import LetterTemplate

    office = user("office")
    first, _ = _online()
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm(first, actor=office)
    override = template_dir_override()
    override.mkdir(parents=True, exist_ok=True)
    (override / "receipt.html").write_text("<p class=\"to\">{{ applicant }}：</p><p>来函收悉，特此回执（新版措辞）。</p>", encoding="utf-8")
    second, _ = _online()
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm(second, actor=office)
    assert "新版措辞" in _pdf_text(second.letters.get().file_path)
    assert "新版措辞" not in _pdf_text(first.letters.get().file_path)
    assert first.letters.get().template_digest != second.letters.get().template_digest
    assert LetterTemplate.objects.filter(name="receipt.html").count() == 2
    assert AuditEvent.objects.filter(action="foi.letter_template.version").count() == 3  # base + two receipts


def test_identity_data_is_erased_after_retention_and_the_audit_keeps_a_digest(user, monkeypatch):
    office = user("office")
    with time_machine.travel(CURRENT_TIME):
        req, _code = _online()
        req = services.confirm(req, actor=office)
        services.answer(req, actor=office, outcome="disclosed", answer="见附件。")
    monkeypatch.setattr(services, "RETENTION_DAYS", 30)
    assert services.erase_identity(today=datetime.date(2026, 3, 1)) == 0
    assert services.erase_identity(today=datetime.date(2026, 3, 20)) == 1
    req.refresh_from_db()
    assert (req.id_number, req.phone, req.postal_address) == ("", "", "") and APPLICANT not in req.applicant_name
    event = AuditEvent.objects.get(action="foi.request.erase_identity")
    assert APPLICANT not in event.canonical and ID_NUMBER not in event.canonical and "identity_digest" in event.canonical


@time_machine.travel(CURRENT_TIME)
def test_a_request_registered_by_the_office_gets_its_letters_too(user, client, django_capture_on_commit_callbacks):
    office = user("office")
    with django_capture_on_commit_callbacks(execute=True):
        req = services.receive(actor=office, received_on=CURRENT_TIME.date(), applicant_name=APPLICANT, applicant_kind="person",
                               contact="13800138000", description="学校章程", form_wanted="paper", delivery="in_person")
        services.answer(req, actor=office, outcome="disclosed", answer="当场提供。")
    assert [letter.kind for letter in req.letters.order_by("issued_at")] == ["receipt", "reply"]
    receipt = _pdf_text(req.letters.get(kind="receipt").file_path)
    assert "本校已于2026年2月5日收到" in receipt and "在线提交" not in receipt
    client.force_login(office)
    response = client.get(f"/foi/{req.pk}/letters/{req.letters.get(kind='reply').pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
