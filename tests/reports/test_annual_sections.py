"""The annual report as an office would sign it: key areas, 不适用, corrections apart, the as-of
date of an unfinished period, section 一 from the organisation, the office's other figures and its
narrative stored per period in versions."""

import datetime
import subprocess

import pytest
import time_machine

from audit.models import AuditEvent
from reports import annual
from reports.models import ReportFigure, ReportNarrative
from tests.portal import factory

D = datetime.date
YEAR = (D(2025, 9, 1), D(2026, 8, 31))


def _text(pdf_bytes, tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf_bytes)
    return "".join(subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout.split())


@pytest.fixture
def year(demo):
    admissions = factory.published("7", title="2025年招生章程", produced_on=D(2025, 9, 1), published_on=D(2025, 9, 2))
    factory.published("32", title="2025届毕业生就业情况", produced_on=D(2025, 9, 1), published_on=D(2025, 9, 3))
    fees = factory.published("21", title="收费标准", produced_on=D(2025, 9, 1), published_on=D(2025, 9, 2))
    factory.correct(fees, title="收费标准（更正）", body="<p>更正后的标准</p>", when=factory.at(D(2025, 9, 10), 15))
    return admissions


def test_key_areas_not_applicable_and_corrections(year):
    figures, _cov = annual.compute(*YEAR, today=D(2026, 10, 1))
    areas = {a.name: a for a in figures.areas}
    assert [a.name for a in figures.areas] == ["招生就业", "财务", "人事", "学生", "教学", "科研"]
    assert (areas["招生就业"].published, areas["财务"].published, areas["人事"].published) == (2, 1, 0)
    assert dict(figures.categories)["学位、学科信息"] == "不适用"  # every entry of the category 不适用
    assert dict(figures.categories)["招生考试信息"] == 1
    assert (figures.published, figures.corrections) == (3, 1)  # the correction is not a fourth publication
    assert not figures.unfinished


def test_an_unfinished_period_states_its_as_of_date_and_section_one_uses_the_organisation(year, tmp_path):
    with time_machine.travel(factory.at(D(2026, 3, 15)), tick=False):
        figures, cov = annual.compute(*YEAR)
        narrative = {"overview": "学校高度重视信息公开工作。", "practices": "", "other": "", "areas": {"招生就业": "坚持阳光招生。"}}
        text = _text(annual.pdf_bytes(figures, cov, narrative, issued_on=D(2026, 3, 15)), tmp_path)
    assert figures.unfinished and "统计截至2026年03月15日" in text
    leader = factory.persona("leader")
    assert (leader.get_full_name() or leader.username) in text
    assert "信息公开联络员8名" in text and "设在党政办公室" in text
    assert "学校高度重视信息公开工作。" in text and "（一）招生就业信息公开情况坚持阳光招生。" in text
    assert "发布更正1条（不计入上述公开条数）" in text
    assert "学位、学科信息不适用" in text


def test_other_figures_of_the_period_appear_in_their_section(year, tmp_path):
    ReportFigure.objects.create(date_from=YEAR[0], date_to=YEAR[1], section="areas", name="学生资助热线来电", value=1306, unit="次")
    ReportFigure.objects.create(date_from=YEAR[0], date_to=YEAR[1], section="other", name="印制学生手册", value=7768, unit="本")
    ReportFigure.objects.create(date_from=D(2024, 9, 1), date_to=D(2025, 8, 31), section="other", name="上一年的数", value=1, unit="本")
    figures, cov = annual.compute(*YEAR, today=D(2026, 10, 1))
    text = _text(annual.pdf_bytes(figures, cov, {"overview": "", "practices": "", "other": ""}, issued_on=D(2026, 10, 20)), tmp_path)
    assert "学生资助热线来电1306次" in text and "印制学生手册7768本" in text and "上一年的数" not in text


def test_the_narrative_is_stored_per_period_in_versions(client, year):
    client.force_login(factory.persona("office"))
    body = {"date_from": "2025-09-01", "date_to": "2026-08-31", "overview": "第一稿", "practices": "", "other": ""}
    assert client.post("/reports/annual/", body).status_code == 200
    assert client.post("/reports/annual/", {**body, "overview": "第二稿"}).status_code == 200
    assert client.post("/reports/annual/", {**body, "overview": "第二稿"}).status_code == 200  # unchanged: no new version
    versions = list(ReportNarrative.objects.filter(date_from=YEAR[0]).order_by("version").values_list("version", "texts"))
    assert [(v, t["overview"]) for v, t in versions] == [(1, "第一稿"), (2, "第二稿")]
    assert AuditEvent.objects.filter(action="annual_report.narrative", actor_username="office").count() == 2
    page = client.get("/reports/annual/?date_from=2025-09-01&date_to=2026-08-31").content.decode()
    assert "第二稿" in page and "第 2 版" in page
    assert annual.latest_narrative(*YEAR)[0]["overview"] == "第二稿"


def test_the_finished_report_goes_through_the_workflow_as_catalogue_item_6(year, tmp_path):
    import io

    from django.core.management import CommandError, call_command

    from records.items import issue_for_item
    from workflow.models import DisclosureItem

    out = io.StringIO()
    with time_machine.travel(factory.at(D(2026, 10, 12)), tick=False):
        call_command("annual_report", "--from", "2025-09-01", "--to", "2026-08-31", "--pdf", str(tmp_path / "r.pdf"),
                     "--draft-as", "dzb_liaison", stdout=out)
    item = DisclosureItem.objects.get(catalogue_entry__code="6")
    assert f"item {item.pk}" in out.getvalue() and item.state == "draft"
    assert item.title.endswith("2025-2026学年信息公开工作年度报告")
    assert item.attachments.get().content_type == "application/pdf"
    item = factory.review(item, when=factory.at(D(2026, 10, 13)))
    item = factory.publish(item, when=factory.at(D(2026, 10, 14)))
    assert item.state == "published"
    record, _created = issue_for_item(item.pk, "publication")
    assert record.kind == "publication"
    with pytest.raises(CommandError, match="--draft-as cwc_liaison"):
        call_command("annual_report", "--from", "2025-09-01", "--to", "2026-08-31", "--pdf", str(tmp_path / "x.pdf"),
                     "--draft-as", "cwc_liaison", stdout=io.StringIO())
    assert not (tmp_path / "x.pdf").exists()


def test_another_period_is_opened_above_the_form_and_its_own_texts_come_with_it(client, year):
    client.force_login(factory.persona("office"))
    body = {"date_from": "2024-09-01", "date_to": "2025-08-31", "overview": "上一学年的概述", "practices": "", "other": ""}
    assert client.post("/reports/annual/", body).status_code == 200
    page = client.get("/reports/annual/", {"date_from": "2024-09-01", "date_to": "2025-08-31"}).content.decode()
    assert "上一学年的概述" in page and "2024-09-01 至 2025-08-31" in page
    # The form carries its period with the texts; the dates are changed only by opening another
    # period, which brings that period's own texts (never one period's words saved as another's).
    assert '<input type="hidden" name="date_from" value="2024-09-01"' in page
    assert '<input type="date" name="date_from" value="2024-09-01" required>' in page
    reversed_period = client.get("/reports/annual/", {"date_from": "2025-08-31", "date_to": "2024-09-01"})
    assert reversed_period.status_code == 400 and "起始日期晚于截止日期" in reversed_period.content.decode()
    client.force_login(factory.persona("leader"))
    assert "您填写的文字只用于您本次下载的报告" in client.get("/reports/annual/").content.decode()
