"""The coverage dashboard and the register pages: the office and the leading group read them,
overdue items first; everyone else gets a 403."""

import datetime

import openpyxl
import pytest
import io

from audit.models import AuditEvent
from tests.portal import factory

D = datetime.date
PERIOD = {"from": "2025-09-01", "to": "2025-10-31"}


@pytest.fixture
def autumn(demo):
    on_time = factory.published("21", title="秋季收费标准", produced_on=D(2025, 9, 26), published_on=D(2025, 10, 29))
    late = factory.published("38", title="学生奖励处罚办法", produced_on=D(2025, 9, 1), published_on=D(2025, 10, 10))
    overdue = factory.draft("25", title="人员招聘信息", produced_on=D(2025, 9, 1))
    very_overdue = factory.draft("7", title="招生章程", produced_on=D(2025, 8, 1))
    return on_time, late, overdue, very_overdue


@pytest.mark.parametrize("username", ["office", "leader"])
def test_office_and_leaders_see_coverage_with_overdue_first(client, user, autumn, username):
    client.force_login(user(username))
    response = client.get("/reports/", PERIOD)
    assert response.status_code == 200
    page = response.content.decode()
    overdue_section = page[page.index('id="overdue"'):page.index('id="by-department"')]
    assert overdue_section.index("招生章程") < overdue_section.index("人员招聘信息")  # most overdue first
    assert "秋季收费标准" not in overdue_section
    entries = page[page.index('id="entries"'):]
    assert entries.index("人员招聘信息") < entries.index("秋季收费标准")  # overdue rows lead the list
    assert "逾期公开 · 4个工作日" in entries
    assert "按时公开" in entries and "不适用" in entries
    assert "下载登记表" in page


@pytest.mark.parametrize("username", ["cwc_head", "cwc_liaison", "auditor", "jwc_reviewer"])
def test_everyone_else_is_refused(client, user, autumn, username):
    client.force_login(user(username))
    assert client.get("/reports/", PERIOD).status_code == 403
    assert client.get("/reports/register/", PERIOD).status_code == 403
    assert client.get("/reports/register.xlsx", PERIOD).status_code == 403


def test_anonymous_visitors_are_sent_to_login(client, autumn):
    response = client.get("/reports/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_by_department_filter(client, user, autumn):
    client.force_login(user("office"))
    page = client.get("/reports/", {**PERIOD, "department": "cwc"}).content.decode()
    entries = page[page.index('id="entries"'):]
    assert "秋季收费标准" in entries and "学生奖励处罚办法" not in entries
    by_department = page[page.index('id="by-department"'):page.index('id="channels"')]
    assert "财务资产处" in by_department and "学生工作处" not in by_department


def test_register_table_and_download_match(client, user, autumn):
    client.force_login(user("office"))
    table = client.get("/reports/register/", PERIOD).content.decode()
    assert "<th>是否按时</th>" in table and "否（逾期4个工作日）" in table
    before = AuditEvent.objects.count()
    response = client.get("/reports/register.xlsx", PERIOD)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="register-20250901-20251031.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["登记表"]
    flags = {r[4]: r[8] for r in sheet.iter_rows(min_row=2, values_only=True) if r[4]}
    assert flags["秋季收费标准"] == "是" and flags["学生奖励处罚办法"] == "否（逾期4个工作日）"
    event = AuditEvent.objects.order_by("-seq").first()
    assert AuditEvent.objects.count() == before + 1
    assert (event.action, event.actor_username) == ("register.export", "office")


@pytest.mark.parametrize(
    "params",
    [{"from": "2025-10-31", "to": "2025-09-01"}, {"from": "2025-02-30", "to": "2025-10-31"}, {**PERIOD, "department": "nope"}],
)
def test_bad_periods_are_explained(client, user, autumn, params):
    client.force_login(user("office"))
    response = client.get("/reports/", params)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert client.get("/reports/register.xlsx", params).status_code == 400


@pytest.mark.parametrize("page", ["/reports/", "/reports/overview/", "/reports/register/", "/reports/register.xlsx"])
@pytest.mark.parametrize("params", [{"from": "0001-01-01", "to": "2025-10-31"}, {"from": "2025-09-01", "to": "9999-12-31"}])
def test_a_year_no_time_can_hold_is_explained(client, user, autumn, page, params):
    """Year 1 or 9999 typed into a date field: the day after the period does not exist."""
    client.force_login(user("leader"))
    response = client.get(page, params)
    assert response.status_code == 400
    assert "请输入 1900-01-01 至 2100-12-31 之间的日期" in response.content.decode()


def test_an_unreadable_date_is_explained_without_a_format_the_date_fields_do_not_show(client, user, autumn):
    client.force_login(user("office"))
    page = client.get("/reports/", {"from": "2025-02-30", "to": "2025-10-31"}).content.decode()
    assert "请填写有效的起止日期（可在日期框中选择）" in page and "YYYY" not in page


def test_the_workspace_links_to_the_reports_for_office_and_leaders_only(client, user):
    client.force_login(user("office"))
    page = client.get("/home/").content.decode()
    assert 'href="/reports/"' in page and 'href="/office/channels/"' in page
    client.force_login(user("leader"))
    page = client.get("/home/").content.decode()
    assert 'href="/reports/"' in page and 'href="/office/channels/"' not in page
    client.force_login(user("cwc_head"))
    assert 'href="/reports/"' not in client.get("/home/").content.decode()


def test_long_periods_are_shown_a_page_at_a_time(client, user, autumn, monkeypatch):
    from reports import views

    monkeypatch.setattr(views, "ROWS_PER_PAGE", 3)
    monkeypatch.setattr(views, "OVERDUE_SHOWN", 1)
    client.force_login(user("office"))
    first = client.get("/reports/", PERIOD).content.decode()
    overdue = first[first.index('id="overdue"'):first.index('id="by-department"')]
    assert "招生章程" in overdue and "人员招聘信息" not in overdue  # only the most overdue
    assert "显示逾期最久的 1 条（共 2 条）" in overdue
    entries = first[first.index('id="entries"'):]
    assert entries.count("<tr class=\"status-") == 3 and "page=2" in entries
    second = client.get("/reports/", {**PERIOD, "page": "2"}).content.decode()
    rows = second[second.index('id="entries"'):]
    assert rows.count("<tr class=\"status-") == 3 and "招生章程" not in rows
    table = client.get("/reports/register/", {**PERIOD, "page": "2"}).content.decode()
    assert table.count("<tr>") == 1 + 3 and "from=2025-09-01" in table  # header + one page; the period kept


def test_the_coverage_table_says_each_status_once(client, user, autumn):
    """情况 says the status with its detail (due date, reason); 备注 adds only what 情况 does not say."""
    import re

    client.force_login(user("office"))
    page = client.get("/reports/", PERIOD).content.decode()
    entries = page[page.index('id="entries"'):]
    rows = re.findall(r'<tr class="status-(\w+)[^"]*">(.*?)</tr>', entries, re.S)
    assert {status for status, _row in rows} >= {"overdue", "on_time", "late", "not_applicable", "not_published"}
    for status, row in rows:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        situation, notes = cells[-2], cells[-1]
        for words in ("逾期未公开", "本期未公开", "不适用", "不予公开", "按时公开", "逾期公开"):
            if words in situation:
                assert words not in notes, f"{status}: 备注 repeats {words}: {notes}"
        if status == "overdue":
            assert re.search(r"应于\d{4}-\d{2}-\d{2}前公开", situation) and "应于" not in notes
    # The register, which has no status column, keeps the status in its remarks.
    table = client.get("/reports/register/", PERIOD).content.decode()
    assert "本期未公开" in table and "至2025-10-31未公开" in table
