"""Applying online (no account): number and private code, the status page, the office's
confirmation starting the clock, 补正 answered online, abuse limits and hostile input."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from foi import services
from foi.models import InformationRequest, PublicSubmission
from tests.foi.conftest import APPLICANT, ID_NUMBER, application

# Thursday 25 September 2025, before National Day (1–8 October off; 28 Sep and 11 Oct worked).
CURRENT_TIME = datetime.datetime(2025, 9, 25, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def _apply(client, **overrides):
    response = client.post("/apply/", application(**overrides), follow=True)
    assert response.status_code == 200 and response.redirect_chain, response.content.decode()[:2000]
    page = response.content.decode()
    number = re.search(r'id="number">([^<]+)<', page).group(1)
    code = re.search(r'id="code">([^<]+)<', page).group(1)
    return number, code


@time_machine.travel(CURRENT_TIME)
def test_an_anonymous_applicant_gets_a_number_and_a_private_code(client, demo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        number, code = _apply(client)
    req = InformationRequest.objects.get(number=number)
    assert (req.source, req.status, req.applicant_name, req.id_number) == ("online", "submitted", APPLICANT, ID_NUMBER)
    assert code not in req.access_code_digest and len(req.access_code_digest) == 64
    # The e-mail tells the number and the code; the audit event names no one.
    assert len(mail.outbox) == 1 and number in mail.outbox[0].body and code in mail.outbox[0].body
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "foi.request.submit" and APPLICANT not in event.canonical and ID_NUMBER not in event.canonical
    # Nor the sender's address: only its keyed digest.
    assert "127.0.0.1" not in event.canonical and services.address_digest("127.0.0.1") in event.canonical


@time_machine.travel(CURRENT_TIME)
def test_the_page_with_the_code_reloads_without_filing_again(client, demo):
    """The number and code come from a page of their own: reloading it (or reading it in another
    language, or coming back after noting the code down) shows them again and files nothing; it
    shows the code to this browser only."""
    response = client.post("/apply/", application())
    assert response.status_code == 302 and response.url.startswith("/apply/submitted/")
    first = client.get(response.url).content.decode()
    number = re.search(r'id="number">([^<]+)<', first).group(1)
    code = re.search(r'id="code">([^<]+)<', first).group(1)
    again = client.get(response.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'id="number">{number}<' in again and f'id="code">{code}<' in again and "Access code" in again
    assert list(InformationRequest.objects.values_list("number", flat=True)) == [number]
    assert services.find_by_code(number, code) is not None
    # Another browser is sent to the status lookup, which asks for the code.
    other = client_class_fresh().get(response.url, follow=True)
    assert other.redirect_chain[-1][0] == "/apply/status/" and code not in other.content.decode()


@time_machine.travel(CURRENT_TIME)
def test_the_status_page_names_the_page_where_documents_are_verified(client, demo):
    """A sentence with a link named like the menu's 核验记录, not "/verify/." after Chinese."""
    number, _code = _apply(client)
    page = client.get(f"/apply/status/{number}/").content.decode()
    assert '可在<a href="/verify/">核验记录</a>页面核验。' in page and "/verify/</a>." not in page
    english = client.get(f"/apply/status/{number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'check it on the <a href="/verify/">Verify a record</a> page.' in english


@time_machine.travel(CURRENT_TIME)
def test_a_wrong_code_gets_the_same_answer_as_a_missing_number(client, demo):
    number, code = _apply(client)
    other = client_class_fresh()
    wrong = other.post("/apply/status/", {"number": number, "code": "AAAA-BBBB-CCCC", "website": ""})
    missing = other.post("/apply/status/", {"number": "2025-999", "code": code, "website": ""})
    assert wrong.status_code == missing.status_code == 400
    assert _main(wrong) == _main(missing)
    # Without having opened it, the status page of a real number is the same redirect as a missing one.
    assert other.get(f"/apply/status/{number}/").url == other.get("/apply/status/2025-999/").url == "/apply/status/"
    right = other.post("/apply/status/", {"number": number, "code": code.lower().replace("-", ""), "website": ""})
    assert right.status_code == 302
    page = other.get(right.url).content.decode()
    assert "等待学校确认" in page or "submitted" in page.lower()


def client_class_fresh():
    from django.test import Client

    return Client()


def _main(response):
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'value="[^"]*"', "", html)


@time_machine.travel(CURRENT_TIME)
def test_the_office_confirms_and_the_clock_starts_on_the_confirmation_day(client, user, demo, django_capture_on_commit_callbacks):
    number, code = _apply(client)
    req = InformationRequest.objects.get(number=number)
    office = user("office")
    with time_machine.travel(datetime.datetime(2025, 9, 29, 9, 0, tzinfo=CURRENT_TIME.tzinfo)):
        with django_capture_on_commit_callbacks(execute=True):
            req = services.confirm(req, actor=office)
    # Confirmed Monday 29 September: 15 working days skip National Day (1–8 October) and count the
    # make-up Saturday 11 October.
    assert req.received_on == datetime.date(2025, 9, 29) and req.status == "open"
    assert req.due_on == datetime.date(2025, 10, 27)
    assert [letter.kind for letter in req.letters.all()] == ["receipt"]
    page = client.get(f"/apply/status/{number}/").content.decode()
    assert "2025-10-27" in page and "受理回执" in page


@time_machine.travel(CURRENT_TIME)
def test_the_applicant_answers_a_correction_online_and_the_clock_resumes(client, user, demo, django_capture_on_commit_callbacks):
    number, _code = _apply(client)
    office = user("office")
    req = services.confirm(InformationRequest.objects.get(number=number), actor=office)
    with django_capture_on_commit_callbacks(execute=True):
        services.pause(req, actor=office, waiting_for="correction", note="请说明所需的学年", on=datetime.date(2025, 9, 26))
    page = client.get(f"/apply/status/{number}/").content.decode()
    assert "请说明所需的学年" in page and "补正通知书" in page
    # The reply date shown is not the one the school keeps to: the clock stands still meanwhile.
    assert "等待期间暂停计时" in page
    with time_machine.travel(datetime.datetime(2025, 9, 30, 9, 0, tzinfo=CURRENT_TIME.tzinfo)):
        response = client.post(f"/apply/status/{number}/correction/", {"correction": "2025-2026学年"})
    assert response.status_code == 302
    req.refresh_from_db()
    # Waiting from Friday 26 to Tuesday 30 September: 26, 28 (make-up Sunday), 29 and 30 are not counted.
    assert (req.status, req.correction_answer, req.paused_working_days) == ("open", "2025-2026学年", 3)
    assert AuditEvent.objects.filter(action="foi.request.correct", actor_username="system").count() == 1
    assert "等待期间暂停计时" not in client.get(f"/apply/status/{number}/").content.decode()


@time_machine.travel(CURRENT_TIME)
def test_missing_contact_and_a_bad_identity_number_are_refused_with_clear_errors(client, demo):
    count = InformationRequest.objects.count()
    response = client.post("/apply/", application(phone="", email="", id_number="110105199003071234", form_wanted="paper"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "有效的居民身份证号码" in page and "至少" in page
    assert InformationRequest.objects.count() == count


def _summary(page):
    """The lines of the error summary at the top of a form sent back."""
    summary = re.search(r'id="form-errors".*?</ul>', page, re.S).group(0)
    return re.findall(r"<li>(.*?)</li>", summary, re.S)


@time_machine.travel(CURRENT_TIME)
def test_one_try_names_every_problem_and_keeps_what_was_typed(client, demo):
    """The form's own checks (a field left empty) and the service's (the identity number, the way
    to reach the applicant, the number of files) are reported together, not one round after the
    other; everything typed is still there."""
    files = [SimpleUploadedFile(f"{n}.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf") for n in range(4)]
    response = client.post("/apply/", {**application(description="", phone="", email="", form_wanted="paper",
                                                      id_number="110105199003071234"), "attachments": files})
    page = response.content.decode()
    assert response.status_code == 400
    lines = _summary(page)
    named = {re.search(r'href="#id_(\w+)"', line).group(1): line for line in lines}
    assert "必填" in named["description"] and "有效的居民身份证号码" in named["id_number"], lines
    assert "至少填写一种联系方式" in named["phone"] and "最多 3 个文件" in named["attachments"], lines
    assert 'value="110105199003071234"' in page and f'value="{APPLICANT}"' in page
    assert InformationRequest.objects.count() == 0
    english = client.post("/apply/", application(description="", phone="", email="", form_wanted="paper"),
                          HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Give at least one way to reach you" in english and "This field is required." in english


@time_machine.travel(CURRENT_TIME)
def test_the_honeypot_refuses_a_bot(client, demo):
    response = client.post("/apply/", application(website="http://spam.example"))
    assert response.status_code == 400 and InformationRequest.objects.count() == 0


@time_machine.travel(CURRENT_TIME)
def test_submissions_are_rate_limited_per_address(client, demo, monkeypatch):
    monkeypatch.setattr(services, "PUBLIC_SUBMISSIONS_PER_HOUR", 2)
    _apply(client)
    _apply(client)
    response = client.post("/apply/", application())
    assert response.status_code == 429 and "尝试次数过多" in response.content.decode()
    assert InformationRequest.objects.count() == 2
    # Another address is not affected.
    from django.test import Client

    assert Client(REMOTE_ADDR="10.0.0.9").post("/apply/", application()).status_code == 302
    assert PublicSubmission.objects.filter(kind="submit").count() == 3  # the refused one is not counted


@time_machine.travel(CURRENT_TIME)
def test_attachments_are_size_and_type_limited(client, demo, monkeypatch, settings):
    monkeypatch.setattr(services, "PUBLIC_ATTACHMENT_MAX_BYTES", 1024)
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * 2000, content_type="application/pdf")
    response = client.post("/apply/", {**application(), "attachments": [big]})
    assert response.status_code == 400 and "文件过大" in response.content.decode()
    fake = SimpleUploadedFile("x.pdf", b"MZ\x90\x00not a pdf", content_type="application/pdf")
    response = client.post("/apply/", {**application(), "attachments": [fake]})
    assert response.status_code == 400
    ok = SimpleUploadedFile("id.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    response = client.post("/apply/", {**application(), "attachments": [ok]})
    assert response.status_code == 302
    assert InformationRequest.objects.get().attachments.count() == 1


HOSTILE = ["\x00", "a\u202eb", "<script>alert(1)</script>", "' OR 1=1 --", "😀" * 300, "x" * 6000, "\u00ad\u0301", "%00", "{{ 7*7 }}"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_input_never_gives_a_server_error(client, demo, monkeypatch, value):
    monkeypatch.setattr(services, "PUBLIC_SUBMISSIONS_PER_HOUR", 1000)
    monkeypatch.setattr(services, "PUBLIC_LOOKUPS_PER_HOUR", 1000)
    for field in ("applicant_name", "id_number", "description", "email", "postal_address", "applicant_kind", "id_type"):
        response = client.post("/apply/", application(**{field: value}))
        assert response.status_code in (302, 400), (field, response.status_code)
        assert "<script>alert(1)</script>" not in response.content.decode()
    assert client.post("/apply/status/", {"number": value, "code": value}).status_code in (400,)
    assert client.get("/apply/status/" + "x%00y/").status_code in (302, 404)
    assert client.post("/apply/complaint/", {"kind": "complaint", "name": value, "summary": value}).status_code in (302, 400)


@time_machine.travel(CURRENT_TIME)
def test_complaints_and_suggestions_get_a_number_code_and_status_page(client, user, demo):
    response = client.post("/apply/complaint/", {"kind": "suggestion", "name": "王芳", "email": "", "phone": "", "summary": "建议公开指南增加办理流程图", "website": ""}, follow=True)
    page = response.content.decode()
    number = re.search(r'id="number">([^<]+)<', page).group(1)
    code = re.search(r'id="code">([^<]+)<', page).group(1)
    assert number.startswith("TS2025-")
    from foi.models import Complaint

    # Like an application's, the page says what happens next, in Chinese and in English.
    assert "信息公开办公室将核实处理并作出答复" in page and "凭编号和查询码查看" in page
    english = client.get(response.request["PATH_INFO"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'id="code">{code}<' in english and "The disclosure office will look into it and answer" in english
    complaint = Complaint.objects.get(number=number)
    services.close_complaint(complaint, actor=user("office"), result="已采纳，下一版指南增加流程图。")
    fresh = client_class_fresh()
    assert fresh.post("/apply/status/", {"number": number, "code": code, "website": ""}).status_code == 302
    assert "已采纳" in fresh.get(f"/apply/status/{number}/").content.decode()


@time_machine.travel(CURRENT_TIME)
def test_a_complaint_names_every_problem_in_one_try_and_keeps_what_was_typed(client, demo):
    """A name left empty (the form's check) and an e-mail address that is not one (the service's)
    are reported together, not one round after the other; what was typed is still there."""
    typed = {"kind": "complaint", "name": "", "phone": "010-62751234", "email": "wangfang.example.com",
             "summary": "学校未按时公开收费标准", "website": ""}
    response = client.post("/apply/complaint/", typed)
    page = response.content.decode()
    assert response.status_code == 400
    lines = _summary(page)
    named = {re.search(r'href="#id_(\w+)"', line).group(1): line for line in lines}
    assert "必填" in named["name"] and "有效的电子邮箱地址" in named["email"], lines
    assert 'value="wangfang.example.com"' in page and 'value="010-62751234"' in page and "学校未按时公开收费标准" in page
    from foi.models import Complaint

    assert Complaint.objects.count() == 0
    english = client.post("/apply/complaint/", typed, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This field is required." in english and "Enter a valid e-mail address." in english


def test_status_lookups_are_rate_limited_so_codes_cannot_be_guessed(client, demo, monkeypatch):
    monkeypatch.setattr(services, "PUBLIC_LOOKUPS_PER_HOUR", 3)
    for _ in range(3):
        assert client.post("/apply/status/", {"number": "2025-001", "code": "AAAA-BBBB-CCCC", "website": ""}).status_code == 400
    response = client.post("/apply/status/", {"number": "2025-001", "code": "AAAA-BBBB-CCCC", "website": ""})
    assert response.status_code == 429 and "尝试次数过多" in response.content.decode()


@pytest.mark.parametrize("path", ["/apply/", "/apply/complaint/", "/apply/status/"])
def test_a_form_sent_with_nothing_in_it_is_refused_with_a_message(client, demo, path):
    """A POST whose body holds no field at all (an empty body, or a multipart body without parts)
    is a form with every field missing: a clear error, never a server error or a silent reload."""
    response = client.post(path, {})
    page = response.content.decode()
    assert response.status_code == 400
    if path == "/apply/status/":
        assert "编号与查询码不匹配" in page
    else:  # each missing field is named, with a link to it
        required = {"/apply/": ["applicant_name", "id_number", "description"], "/apply/complaint/": ["name", "summary"]}[path]
        assert all(f'<a href="#id_{name}">' in page for name in required)
