"""The annual report (信息公开工作年度报告) as the office produces it: `annual_report` writes a PDF whose
figures come from what the test did through the services — publications per channel and category,
requests and their outcomes, complaints, evaluations — with the register as its annex."""

import datetime
import json
import subprocess

import openpyxl
import pytest
import time_machine
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from foi import services as foi
from portal import services as portal_services
from tests.portal import factory

D = datetime.date


@pytest.fixture
def school_year(demo):
    """Academic year 2025–2026: two publications, two requests, a complaint, an evaluation."""
    fees = factory.published(
        "21", title="2025年秋季收费标准", produced_on=D(2025, 9, 26), published_on=D(2025, 10, 29),
        channels=["wechat", "weibo", "douyin", "toutiao"],
    )
    factory.published("38", title="学生奖励处罚办法", produced_on=D(2025, 9, 1), published_on=D(2025, 10, 10))
    office = factory.persona("office")
    portal_services.record_post(fees, actor=office, channel="wechat", url="https://mp.weixin.qq.com/s/abc",
                                posted_at=factory.at(D(2025, 10, 29), 11))
    with time_machine.travel(factory.at(D(2025, 11, 3)), tick=False):
        refused = foi.receive(actor=office, received_on=D(2025, 11, 3), applicant_name="张三", applicant_kind="person",
                              contact="13800000000", description="某教师的工资明细")
        foi.answer(refused, actor=office, outcome="refused", refusal_ground="privacy", answer="涉及个人隐私，不予公开")
        foi.receive(actor=office, received_on=D(2025, 11, 3), applicant_name="某公司", applicant_kind="organisation",
                    contact="legal@example.com", description="2024年度采购合同")
        foi.record_complaint(actor=office, kind="complaint", received_on=D(2025, 11, 3), summary="收费标准未及时公开")
        foi.record_evaluation(actor=office, held_on=D(2025, 11, 3), evaluators="students", participants=120, satisfied=113)
    return fees


def _pdftotext(path):
    """The PDF's text with all white space removed (line wrapping splits words anywhere)."""
    out = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return "".join(out.split())


def test_the_report_computes_its_figures_from_the_records(school_year, tmp_path):
    narrative = tmp_path / "narrative.json"
    narrative.write_text(json.dumps({"practices": "建立“谁主管，谁负责”的保密审查机制。"}, ensure_ascii=False))
    pdf, xlsx = tmp_path / "report.pdf", tmp_path / "register.xlsx"
    call_command("annual_report", "--from", "2025-09-01", "--to", "2026-08-31", "--pdf", str(pdf),
                 "--xlsx", str(xlsx), "--text", str(narrative), stdout=open("/dev/null", "w"))

    text = _pdftotext(pdf)
    assert "2025-2026学年信息公开工作年度报告" in text
    assert "本年度学校共主动公开信息2条，其中按时公开" in text
    assert "按时公开率50.0%" in text  # one on time (across National Day), one 4 working days late
    # Channels: the portal carries both items; WeChat, Weibo, Douyin and Toutiao one each.
    assert "门户网站信息公开专栏2" in text and "官方微信公众号1" in text and "抖音1" in text
    assert "财务、资产及收费信息1" in text and "学生管理服务信息1" in text and "招生考试信息0" in text
    assert "本年度收到信息公开申请2件，已答复1件（按期答复1件，逾期0件）" in text and "尚在办理1件" in text
    assert "不予公开1" in text
    assert "举报/投诉1件；行政复议0件；行政诉讼0件。" in text
    assert "参与120人次，其中表示满意113人次，满意率94.2%" in text
    assert "建立“谁主管，谁负责”的保密审查机制。" in text
    annex = text[text.index("清单事项公开情况汇总表"):]
    assert "38学生奖励处罚办法1010" in annex  # one published, none on time, one late
    # The full register travels inside the PDF as its .xlsx associated file (PDF/A-3).
    embedded = _embedded_register(pdf, tmp_path)
    by_title = {row[4]: row for row in embedded.iter_rows(min_row=2, values_only=True)}
    assert by_title["学生奖励处罚办法"][5:9] == ("学生工作处", "2025-09-01", "2025-10-10", "否（逾期4个工作日）")

    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts and all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:] if "CJK" in line)
    sheet = openpyxl.load_workbook(xlsx)["登记表"]
    assert sheet["A1"].value == "序号" and any(row[4].value == "2025年秋季收费标准" for row in sheet.iter_rows(min_row=2))

    event = AuditEvent.objects.filter(action="annual_report.export").get()
    assert '"from":"2025-09-01"' in event.canonical and "report.pdf" in event.canonical


def _embedded_register(pdf, tmp_path):
    listing = subprocess.run(["pdfdetach", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "登记表-" in listing and ".xlsx" in listing
    out = tmp_path / "detached"
    out.mkdir()
    subprocess.run(["pdfdetach", "-saveall", "-o", str(out), str(pdf)], check=True, capture_output=True)
    (path,) = list(out.glob("*.xlsx"))
    return openpyxl.load_workbook(path)["登记表"]


def test_a_period_outside_the_records_reports_zeros(demo, tmp_path):
    pdf = tmp_path / "empty.pdf"
    call_command("annual_report", "--from", "2019-09-01", "--to", "2020-08-31", "--pdf", str(pdf), stdout=open("/dev/null", "w"))
    text = _pdftotext(pdf)
    assert "2019-2020学年" in text and "共主动公开信息0条" in text and "本年度未组织信息公开评议" in text


@pytest.mark.parametrize(
    "content, message",
    [("{not json", "not valid JSON"), ('{"summary": "x"}', "unknown keys summary"), ('["x"]', "must be a JSON object"),
     ('{"overview": "a\\ud800"}', "overview: 文本中含有无效字符"),  # a lone surrogate: was a traceback
     ('{"practices": "a\\u0000b"}', "practices: 文本中含有空字符"),
     ('{"areas": {"招生就叶": "x"}}', "unknown areas 招生就叶")],  # a misspelt area's words were left out
)
def test_a_bad_narrative_file_is_one_clear_error_and_no_file(demo, tmp_path, content, message):
    narrative = tmp_path / "n.json"
    narrative.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("annual_report", "--from", "2025-09-01", "--to", "2026-08-31", "--pdf", str(tmp_path / "r.pdf"),
                     "--text", str(narrative))
    assert not (tmp_path / "r.pdf").exists()


def test_from_after_to_and_unwritable_paths_are_refused(demo, tmp_path):
    with pytest.raises(CommandError, match="is after"):
        call_command("annual_report", "--from", "2026-09-01", "--to", "2025-08-31", "--pdf", str(tmp_path / "r.pdf"))
    with pytest.raises(CommandError, match="no such directory"):
        call_command("annual_report", "--from", "2025-09-01", "--to", "2026-08-31", "--pdf", str(tmp_path / "no" / "r.pdf"))
    with pytest.raises(CommandError, match="--to 9999-12-31: give a date between 1900-01-01 and 2100-12-31"):
        call_command("annual_report", "--from", "2025-09-01", "--to", "9999-12-31", "--pdf", str(tmp_path / "r.pdf"))
    assert list(tmp_path.iterdir()) == []
    assert not AuditEvent.objects.filter(action="annual_report.export").exists()


@time_machine.travel(datetime.datetime(2026, 10, 20, 10, 0, tzinfo=factory.SHANGHAI))
def test_the_office_downloads_the_report_from_its_page(client, school_year):
    client.force_login(factory.persona("office"))
    page = client.get("/reports/annual/").content.decode()
    assert 'value="2025-09-01"' in page and 'value="2026-08-31"' in page  # the academic year just ended
    response = client.post("/reports/annual/", {"date_from": "2025-09-01", "date_to": "2026-08-31", "practices": "加强培训。"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    event = AuditEvent.objects.filter(action="annual_report.export").get()
    assert event.actor_username == "office" and '"via":"web"' in event.canonical


def test_a_reversed_period_is_explained_and_others_are_refused(client, demo):
    client.force_login(factory.persona("office"))
    response = client.post("/reports/annual/", {"date_from": "2026-09-01", "date_to": "2025-08-31"})
    assert response.status_code == 400 and "起始日期晚于截止日期" in response.content.decode()
    client.force_login(factory.persona("cwc_head"))
    assert client.get("/reports/annual/").status_code == 403
    assert not AuditEvent.objects.filter(action="annual_report.export").exists()


@pytest.mark.parametrize("period", [("0001-01-01", "2026-08-31"), ("2025-09-01", "9999-12-31")])
def test_a_year_no_time_can_hold_is_a_form_error_and_the_words_stay(client, demo, period):
    client.force_login(factory.persona("office"))
    response = client.post("/reports/annual/", {"date_from": period[0], "date_to": period[1], "overview": "本年度工作概述。"})
    page = response.content.decode()
    assert response.status_code == 400 and "请输入 1900-01-01 至 2100-12-31 之间的日期" in page
    assert "本年度工作概述。" in page  # the office's words are on the page to send again
    assert not AuditEvent.objects.filter(action="annual_report.export").exists()
