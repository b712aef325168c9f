"""The register (登记表) as the office downloads it: `register_export` writes an .xlsx that, read back
with openpyxl, has one row per catalogue item and publication with the right on-time flags and
channels; bad input gives one clear line and no file."""

import datetime
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from portal import services as portal_services
from tests.portal import factory

D = datetime.date
HEADERS = ["序号", "类别", "清单编号", "公开事项", "公开内容", "责任部门", "生成日期", "公开日期", "是否按时", "公开途径", "链接", "审核人", "备注"]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def autumn(demo):
    """Autumn 2025 around National Day (1–8 Oct off; Sun 28 Sep and Sat 11 Oct are working days)."""
    # Produced the Friday before the holiday: 20 working days end on 30 Oct (Mon–Fri counting
    # would say 24 Oct), so publishing on 29 Oct is on time.
    before_holiday = factory.published(
        "21", title="2025年秋季收费标准", produced_on=D(2025, 9, 26), published_on=D(2025, 10, 29),
        channels=["wechat", "weibo", "douyin", "toutiao"],
    )
    # Produced Mon 1 Sep: due Sun 28 Sep (a make-up working day); published Fri 10 Oct, 4 working
    # days late (29 Sep, 30 Sep, 9 Oct, 10 Oct).
    late = factory.published("38", title="学生奖励处罚办法", produced_on=D(2025, 9, 1), published_on=D(2025, 10, 10))
    # Produced Mon 1 Sep and never published: at 31 Oct, 20 working days overdue.
    stuck = factory.draft("25", title="2025年下半年人员招聘信息", produced_on=D(2025, 9, 1))
    office = factory.persona("office")
    portal_services.record_post(before_holiday, actor=office, channel="wechat", url="https://mp.weixin.qq.com/s/abc",
                                posted_at=factory.at(D(2025, 10, 29), 11))
    portal_services.record_post(late, actor=office, channel="print", reference="校报第321期第2版",
                                posted_at=factory.at(D(2025, 10, 15)))
    return {"before_holiday": before_holiday, "late": late, "stuck": stuck}


def export(tmp_path, date_from="2025-09-01", date_to="2025-10-31"):
    out = tmp_path / "register.xlsx"
    call_command("register_export", "--from", date_from, "--to", date_to, "--xlsx", str(out), stdout=open("/dev/null", "w"))
    return openpyxl.load_workbook(out)


def rows_by_title(sheet):
    rows = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    return {r[4]: dict(zip(HEADERS, r)) for r in rows if r[4]}, rows


def test_register_has_the_rules_columns_frozen_header_and_fitting_widths(autumn, tmp_path):
    book = export(tmp_path)
    sheet = book["登记表"]
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["D"].width >= 30  # 公开事项: long Chinese titles
    assert sheet.column_dimensions["A"].width < sheet.column_dimensions["D"].width


def test_one_row_per_catalogue_item_and_publication(autumn, tmp_path):
    by_title, rows = rows_by_title(export(tmp_path)["登记表"])
    # 50 catalogue items, one of which (21) has a publication, 38 one, 25 an overdue draft.
    assert len(rows) == 50
    assert [r[0] for r in rows] == list(range(1, 51))
    assert [r[2] for r in rows] == [str(n) for n in range(1, 51)]
    not_applicable = [r for r in rows if r[12] and r[12].startswith("不适用")]
    assert {r[2] for r in not_applicable} == {"11", "12", "13", "14", "34", "43", "44", "45", "46"}
    assert "本校为高职院校" in not_applicable[0][12]
    fees = by_title["2025年秋季收费标准"]
    assert (fees["类别"], fees["清单编号"], fees["责任部门"]) == ("财务、资产及收费信息", "21", "财务资产处")
    assert (fees["生成日期"], fees["公开日期"]) == ("2025-09-26", "2025-10-29")
    assert "财务资产处保密审查员" in fees["审核人"] and "信息公开办公室" in fees["审核人"]


def test_on_time_flags_count_working_days_across_the_holiday(autumn, tmp_path):
    by_title, _rows = rows_by_title(export(tmp_path)["登记表"])
    assert by_title["2025年秋季收费标准"]["是否按时"] == "是"
    assert by_title["学生奖励处罚办法"]["是否按时"] == "否（逾期4个工作日）"
    stuck = by_title["2025年下半年人员招聘信息"]
    assert stuck["公开日期"] is None
    assert stuck["是否按时"] == "逾期未公开（20个工作日）"
    assert "2025-09-28" in stuck["备注"]


def test_channels_count_once_per_channel_and_once_per_item(autumn, tmp_path):
    book = export(tmp_path)
    by_title, _rows = rows_by_title(book["登记表"])
    fees = by_title["2025年秋季收费标准"]
    assert fees["公开途径"] == "门户网站信息公开专栏、官方微信公众号、官方微博、抖音、今日头条号"
    assert f"/items/{autumn['before_holiday'].pk}/" in fees["链接"]
    assert "https://mp.weixin.qq.com/s/abc" in fees["链接"]
    assert "校报第321期第2版" in by_title["学生奖励处罚办法"]["链接"]
    counts = {name: n for name, n in book["公开途径统计"].iter_rows(min_row=2, values_only=True)}
    assert counts == {
        "门户网站信息公开专栏": 2, "官方微信公众号": 1, "官方微博": 1, "抖音": 1, "今日头条号": 1, "校报校刊、手册": 1,
        "网络渠道合计（条）": 6, "公开事项合计（条）": 2,
    }


def test_withdrawn_items_say_so_in_the_remarks(autumn, tmp_path):
    factory.withdraw(autumn["late"], reason="办法已废止", when=factory.at(D(2025, 10, 20)))
    by_title, _rows = rows_by_title(export(tmp_path)["登记表"])
    assert "已撤回：办法已废止" in by_title["学生奖励处罚办法"]["备注"]


def test_a_period_before_the_publications_shows_them_overdue_or_pending(autumn, tmp_path):
    by_title, _rows = rows_by_title(export(tmp_path, "2025-09-01", "2025-09-30")["登记表"])
    assert by_title["学生奖励处罚办法"]["是否按时"] == "逾期未公开（2个工作日）"  # 29, 30 Sep
    assert by_title["2025年秋季收费标准"]["是否按时"] == "未到期"


def test_export_is_an_audit_event(autumn, tmp_path):
    before = AuditEvent.objects.count()
    export(tmp_path)
    event = AuditEvent.objects.order_by("-seq").first()
    assert AuditEvent.objects.count() == before + 1
    assert event.action == "register.export"
    assert '"from":"2025-09-01"' in event.canonical and '"to":"2025-10-31"' in event.canonical


def test_from_after_to_is_one_clear_line_and_no_file(tmp_path):
    out = tmp_path / "r.xlsx"
    result = subprocess.run(
        [sys.executable, "manage.py", "register_export", "--from", "2025-10-31", "--to", "2025-09-01", "--xlsx", str(out)],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0
    assert "--from 2025-10-31 is after --to 2025-09-01" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--from", "2025-13-01", "--to", "2025-12-31"], "--from: not a date"),
        (["--from", "2025-09-01", "--to", "yesterday"], "--to: not a date"),
        (["--from", "0001-01-01", "--to", "2025-12-31"], "--from 0001-01-01: give a date between 1900-01-01 and 2100-12-31"),
        (["--from", "2025-09-01", "--to", "9999-12-31"], "--to 9999-12-31: give a date between"),
    ],
)
def test_bad_dates_are_refused(demo, tmp_path, args, message):
    out = tmp_path / "r.xlsx"
    with pytest.raises(CommandError, match=message):
        call_command("register_export", *args, "--xlsx", str(out))
    assert not out.exists()


def test_an_unwritable_path_is_refused_without_a_partial_file(demo, tmp_path):
    with pytest.raises(CommandError, match="no such directory"):
        call_command("register_export", "--from", "2025-09-01", "--to", "2025-10-31", "--xlsx", str(tmp_path / "missing" / "r.xlsx"))
    with pytest.raises(CommandError, match="is a directory"):
        call_command("register_export", "--from", "2025-09-01", "--to", "2025-10-31", "--xlsx", str(tmp_path))
    before = AuditEvent.objects.count()
    with pytest.raises(CommandError, match="cannot write"):
        call_command("register_export", "--from", "2025-09-01", "--to", "2025-10-31", "--xlsx", "/proc/register.xlsx")
    assert not Path("/proc/register.xlsx").exists()
    assert AuditEvent.objects.count() == before  # no export, no event
    assert list(tmp_path.iterdir()) == []


def test_missing_option_is_a_one_line_usage_error(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "register_export", "--from", "2025-09-01", "--xlsx", str(tmp_path / "r.xlsx")],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0 and "--to" in result.stderr
