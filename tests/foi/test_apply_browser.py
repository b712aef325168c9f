"""The whole journey in a real browser (Debian's Chromium), the applicant on a phone-sized page:
apply anonymously → the office confirms → asks for a correction → the applicant answers online →
the department drafts → its head approves → the office answers → the applicant downloads the signed
答复书, which /verify/ and record_verify accept. Deadlines across National Day 2025."""

import datetime
import re
import threading

import pytest
import time_machine
from django.core.management import call_command

from foi.models import InformationRequest
from records.verification import verify_pdf
from tests.foi.conftest import APPLICANT, ID_NUMBER

pytestmark = pytest.mark.browser

# Friday 26 September 2025: National Day (1–8 October) and two make-up days (Sunday 28 September,
# Saturday 11 October) lie inside the 15 working days, which end on Thursday 23 October.
START = datetime.datetime(2025, 9, 26, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
PHONE = {"width": 390, "height": 844}


def _staff(browser, live_server, username):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(20000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "gongkai-demo")
    page.click("main button[type=submit]")
    page.wait_for_url("**/home/")
    return page


def test_an_anonymous_applicant_follows_the_request_to_a_signed_reply(browser, live_server, demo, tmp_path):
    with time_machine.travel(START, tick=True):
        applicant_context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=PHONE, is_mobile=True)
        applicant_context.set_default_timeout(20000)
        applicant = applicant_context.new_page()

        # 1. Apply without an account.
        applicant.goto("/apply/")
        assert "依申请公开" in applicant.inner_text("main")
        applicant.fill("#id_applicant_name", APPLICANT)
        applicant.select_option("#id_id_type", "resident_id")
        applicant.fill("#id_id_number", ID_NUMBER)
        applicant.fill("#id_phone", "13800138000")
        applicant.fill("#id_email", "liming@example.com")
        applicant.select_option("#id_form_wanted", "email")
        applicant.select_option("#id_delivery", "online")
        # Forgetting the description keeps the chosen file: nobody has to choose it again.
        applicant.set_input_files("#id_attachments", {"name": "身份证.pdf", "mimeType": "application/pdf",
                                                      "buffer": b"%PDF-1.4\n%%EOF\n"})
        applicant.click("main button[type=submit]")
        # What is wrong is on the screen the page opens at (the field itself is far below on a
        # phone), and leads to the field.
        applicant.locator("#form-errors:focus").wait_for()  # the page opens at the summary
        summary = applicant.locator("#form-errors")
        assert "所需信息的内容描述" in summary.inner_text()
        top, bottom = applicant.evaluate("() => { const r = document.getElementById('form-errors').getBoundingClientRect(); return [r.top, r.bottom]; }")
        assert 0 <= top and bottom <= PHONE["height"]
        summary.locator("a[href='#id_description']").click()
        assert applicant.evaluate("document.activeElement.id") == "id_description"
        assert "已上传：身份证.pdf" in applicant.inner_text("#held-files")
        assert applicant.is_checked("#held-files input[type=checkbox]")
        applicant.fill("#id_description", "2025年学校各类收费项目的收费依据和标准")
        applicant.click("main button[type=submit]")
        number = applicant.inner_text("#number").strip()
        code = applicant.inner_text("#code").strip()
        assert re.fullmatch(r"2025-\d{3}", number) and re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
        # The page fits a phone: nothing wider than the screen.
        assert applicant.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        # 2. A fresh visit with the number and the code shows the status.
        applicant_context.clear_cookies()
        applicant.goto("/apply/status/")
        applicant.fill("#id_number", number)
        applicant.fill("#id_code", "AAAA-BBBB-CCCC")
        applicant.click("main button[type=submit]")
        assert "编号与查询码不匹配" in applicant.inner_text("main")
        applicant.fill("#id_code", code)
        applicant.click("main button[type=submit]")
        assert "等待学校确认" in applicant.inner_text("#status")

        req = InformationRequest.objects.get(number=number)
        assert list(req.attachments.values_list("original_name", flat=True)) == ["身份证.pdf"]
        office = _staff(browser, live_server, "office")

        # 3. The office confirms: the clock starts today and ends after National Day.
        office.goto(f"/foi/{req.pk}/")
        office.click("#confirm")
        assert "2025-10-23" in office.inner_text("#due")

        # 4. The office asks for a correction.
        office.click("details:has(#id_pause-note) summary")
        office.select_option("#id_pause-waiting_for", "correction")
        office.fill("#id_pause-note", "请说明所需收费项目的学年")
        office.click("details:has(#id_pause-note) button[type=submit]")

        # 5. The applicant reads it and answers online; the clock runs again.
        applicant.reload()
        assert "请说明所需收费项目的学年" in applicant.inner_text("#correction")
        assert "补正通知书" in applicant.inner_text("#letters")
        applicant.fill("#id_correction", "2025-2026学年")
        applicant.click("#correction button[type=submit]")
        assert "办理中" in applicant.inner_text("#status")
        assert "2025-10-23" in applicant.inner_text("#due")

        # 6. The office assigns the request to 财务资产处.
        office.reload()
        assert "2025-2026学年" in office.inner_text("#correction-answer")
        office.click("details:has(#id_assign-department) summary")
        office.select_option("#id_assign-department", label="财务资产处")
        office.click("details:has(#id_assign-department) button[type=submit]")
        assert "财务资产处" in office.inner_text("#department")

        # Another department's liaison cannot even see it.
        outsider = _staff(browser, live_server, "jwc_liaison")
        assert outsider.goto(f"/foi/{req.pk}/").status == 404

        # 7. The department's liaison drafts, 8. its head approves.
        liaison = _staff(browser, live_server, "cwc_liaison")
        liaison.goto(f"/foi/{req.pk}/")
        liaison.select_option("#id_draft-outcome", "partial")
        liaison.select_option("#id_draft-refusal_ground", "privacy")
        liaison.fill("#id_draft-answer", "提供2025-2026学年收费项目及标准；涉及个人的减免名单不予公开。")
        liaison.click("details:has(#id_draft-answer) button[type=submit]")
        assert "待部门负责人审核" in liaison.inner_text("#draft")
        head = _staff(browser, live_server, "cwc_head")
        head.goto(f"/foi/{req.pk}/")
        head.click("form:has(#id_approve-comment) button[type=submit]")
        assert "审核人" in head.inner_text("#draft")

        # 9. The office answers with the approved draft.
        office.reload()
        assert office.input_value("#id_answer-outcome") == "partial"
        office.click("details:has(#id_answer-answer) button[type=submit]")
        assert "部分公开" in office.inner_text("#outcome")

        # 10. The applicant downloads the signed reply; /verify/ and record_verify accept it.
        applicant.reload()
        assert "部分公开" in applicant.inner_text("#outcome")
        with applicant.expect_download() as download:
            applicant.click("#letters a:has-text('答复书')")
        saved = tmp_path / "reply.pdf"
        download.value.save_as(saved)
    # Verified at the real time: the signing certificate may be younger than the travelled-to date.
    assert verify_pdf(saved.read_bytes()).ok
    call_command("record_verify", str(saved), stdout=open("/dev/null", "w"))
    applicant.goto("/verify/")
    applicant.set_input_files("input[type=file]", str(saved))
    applicant.click("main button[type=submit]")
    assert "真实有效" in applicant.inner_text("#verdict")
    for page in (office, outsider, liaison, head, applicant):
        page.context.close()


def test_a_second_click_on_submit_files_no_second_application(browser, live_server, demo, monkeypatch):
    """A double click (or an impatient second one) before the answer arrived sent the form twice:
    two applications, and the applicant saw the access code of only one of them."""
    from foi import services

    submit_online = services.submit_online

    def slow_submit(**fields):  # an answer on its way long enough for the second click to land
        threading.Event().wait(0.5)
        return submit_online(**fields)

    monkeypatch.setattr(services, "submit_online", slow_submit)
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=PHONE, is_mobile=True)
    page = context.new_page()
    sent = []
    page.on("request", lambda request: request.method == "POST" and sent.append(request.url))
    page.goto("/apply/")
    page.fill("#id_applicant_name", APPLICANT)
    page.fill("#id_id_number", ID_NUMBER)
    page.fill("#id_email", "liming@example.com")
    page.fill("#id_description", "2025年学校各类收费项目的收费依据和标准")
    page.evaluate("() => { const b = document.querySelector('main button[type=submit]'); b.click(); setTimeout(() => b.click(), 50); }")
    page.wait_for_selector("#number")
    assert len(sent) == 1
    assert list(InformationRequest.objects.values_list("number", flat=True)) == [page.inner_text("#number")]
    context.close()
