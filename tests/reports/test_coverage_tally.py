"""The dashboards and the annual report count coverage in SQL (coverage.tally); the register lists
it item by item (coverage.build). Both must say the same thing: on a period full of edge cases
(deadlines around weekends, National Day and a make-up working Sunday, publications just after
local midnight, overdue, pending, refused, withdrawn, corrected, imported, a not-applicable entry,
a deactivated entry, an item filed under another department's entry) every count, every
department's figures, the dashboard's rows in order and the annual report's figures agree with the
item-by-item computation."""

import datetime
from collections import Counter, OrderedDict

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from policies.models import Department
from reports import annual, coverage, overview, register
from tests.portal.factory import SHANGHAI
from workflow.models import CatalogueEntry, Channel, DisclosureItem, Step

D = datetime.date
PERIOD = (D(2025, 9, 1), D(2025, 10, 31))


def at(day, hour=10, minute=0):
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def edge_cases(demo):
    office = get_user_model().objects.get(username="office")
    entries = {e.code: e for e in CatalogueEntry.objects.select_related("department")}
    made = []

    def item(code, title, *, due, state="published", published=None, produced=None, department=None, **extra):
        entry = entries[code]
        made.append(DisclosureItem.objects.create(
            catalogue_entry=entry, department=department or entry.department, title=title, body="<p>正文</p>",
            produced_on=produced or due - datetime.timedelta(days=28), due_on=due, state=state, version=1,
            created_by=office, published_at=published, **extra,
        ))
        return made[-1]

    item("21", "按时：截止前发布", due=D(2025, 9, 12), published=at(D(2025, 9, 10)))
    item("21", "按时：截止当天深夜", due=D(2025, 9, 12), published=at(D(2025, 9, 12), 23, 50))
    item("21", "按时：截止周五，周六发布", due=D(2025, 9, 19), published=at(D(2025, 9, 20)))
    item("21", "逾期1日：截止周五，周一发布", due=D(2025, 9, 19), published=at(D(2025, 9, 22)))
    item("38", "逾期：截止周五，调休上班的周日发布", due=D(2025, 9, 26), published=at(D(2025, 9, 28)))
    item("38", "按时：截止9月30日，国庆假期中发布", due=D(2025, 9, 30), published=at(D(2025, 10, 8)))
    item("38", "逾期：截止9月29日，国庆假期中发布", due=D(2025, 9, 29), published=at(D(2025, 10, 8)))
    item("38", "逾期多日", due=D(2025, 9, 1), published=at(D(2025, 10, 20)))
    item("25", "期初零点后发布", due=D(2025, 8, 29), published=at(D(2025, 9, 1), 0, 10))  # still 31 Aug in UTC
    item("25", "期末深夜发布", due=D(2025, 10, 31), published=at(D(2025, 10, 31), 23, 30))  # 1 Nov in no zone but UTC+8
    item("25", "期前发布（不计）", due=D(2025, 8, 29), published=at(D(2025, 8, 31), 23, 50))
    item("25", "期后发布（不计）", due=D(2025, 10, 31), published=at(D(2025, 11, 1), 0, 10), produced=D(2025, 11, 1))
    item("7", "已撤回", due=D(2025, 9, 30), state="withdrawn", published=at(D(2025, 9, 29)), withdrawn_reason="信息有误")
    old = item("7", "已被更正", due=D(2025, 9, 30), state="superseded", published=at(D(2025, 9, 29)))
    item("7", "更正稿（逾期）", due=D(2025, 9, 30), published=at(D(2025, 10, 13)), supersedes=old)
    item("7", "迁移导入、政策文件", due=D(2025, 9, 5), published=at(D(2025, 9, 4)), imported_at=at(D(2025, 11, 5)),
         is_policy_document=True, document_number="校发〔2025〕1号")
    item("7", "逾期未公开", due=D(2025, 9, 15), state="draft")
    item("7", "更早逾期未公开", due=D(2025, 9, 5), state="office_review")
    item("8", "同日逾期未公开", due=D(2025, 9, 5), state="head_review")
    item("8", "未到期", due=D(2025, 11, 20), state="draft", produced=D(2025, 10, 20))
    item("8", "期末后才生成（不计）", due=D(2025, 12, 20), state="draft", produced=D(2025, 11, 20))
    item("8", "期后才发布（截至期末未公开）", due=D(2025, 10, 20), produced=D(2025, 9, 20), published=at(D(2025, 11, 3)))
    item("9", "不予公开", due=D(2025, 9, 30), state="refused", refusal_ground="privacy", updated_at=at(D(2025, 9, 20)))
    item("9", "期前不予公开（不计）", due=D(2025, 8, 1), state="refused", refusal_ground="privacy", updated_at=at(D(2025, 8, 20)))
    # Filed under another department's entry: counted for its own department under that entry.
    other = next(d for d in Department.objects.order_by("code") if d.pk != entries["21"].department_id)
    item("21", "代他部门发布", due=D(2025, 10, 10), published=at(D(2025, 10, 9)), department=other)
    retired = entries["9"]
    item("9", "停用清单项下的事项", due=D(2025, 10, 10), published=at(D(2025, 10, 15)))
    CatalogueEntry.objects.filter(pk=retired.pk).update(active=False)
    if not CatalogueEntry.objects.filter(active=True, applicable=False).exists():
        CatalogueEntry.objects.filter(code="50").update(applicable=False, not_applicable_reason="本校无此事项")
    return {"other": other, "made": made}


def display_rows_of(cov):
    """The dashboard's rows from build(): overdue first, then the rest in catalogue order."""
    return cov.overdue + [r for r in cov.rows if r.status != coverage.OVERDUE]


def key(row):
    return (row.status, row.entry.pk, row.item.pk if row.item else None, row.late_days, row.published_on, row.remarks,
            row.department.pk)


def departments_of(pairs):
    return [(d.pk, dict(c)) for d, c in pairs]


@pytest.mark.parametrize("today", [None, D(2025, 10, 10)], ids=["period over", "period running"])
@pytest.mark.parametrize("by_department", [False, True], ids=["school", "department"])
def test_sql_counts_agree_with_the_item_by_item_coverage(edge_cases, today, by_department):
    department = edge_cases["other"] if by_department else None
    old = coverage.build(*PERIOD, today=today, department=department)
    new = coverage.tally(*PERIOD, today=today, department=department)
    counts = old.counts()
    assert counts[coverage.ON_TIME] and counts[coverage.LATE] or by_department
    assert new.counts() == counts
    assert new.row_count == len(old.rows)
    assert departments_of(new.by_department()) == departments_of(old.by_department())
    rows = new.rows()
    assert rows.overdue == len(old.overdue)
    assert [key(r) for r in rows[0:len(rows)]] == [key(r) for r in display_rows_of(old)]
    # Any window of the list is the same rows as the whole list cut there.
    whole = [key(r) for r in display_rows_of(old)]
    for start in range(0, len(whole), 3):
        assert [key(r) for r in rows[start:start + 4]] == whole[start:start + 4]


@pytest.mark.parametrize("today", [None, D(2025, 10, 10)], ids=["period over", "period running"])
@pytest.mark.parametrize("by_department", [False, True], ids=["school", "department"])
def test_the_register_page_by_page_is_the_register_of_every_item(edge_cases, today, by_department):
    """/reports/register/ reads a page at a time; the .xlsx builds every row: the same lines, the
    same numbers, channels and reviewers, whatever the window."""
    office = get_user_model().objects.get(username="office")
    made = {i.title: i for i in edge_cases["made"]}
    for title, action in (("按时：截止前发布", Step.Action.CLEAR), ("按时：截止前发布", Step.Action.PUBLISH),
                          ("不予公开", Step.Action.CLEAR), ("代他部门发布", Step.Action.PUBLISH)):
        Step.objects.create(item=made[title], version=1, actor=office, action=action)
    wechat = Channel.objects.exclude(code="portal").order_by("order").first()
    for title in ("按时：截止前发布", "代他部门发布"):
        made[title].channel_posts.create(channel=wechat, url="https://mp.weixin.qq.com/s/x", posted_at=made[title].published_at,
                                         recorded_by=office)
    department = edge_cases["other"] if by_department else None
    whole = register.table(coverage.build(*PERIOD, today=today, department=department))[1:]
    assert any(line[10] for line in whole) and any(line[11] for line in whole)  # channels' links and reviewers shown
    rows = coverage.tally(*PERIOD, today=today, department=department).register_rows()
    assert len(rows) == len(whole)
    for size in (1, 4, len(whole)):
        for start in range(0, len(whole), size):
            assert register.lines(rows[start:start + size], first=start + 1) == whole[start:start + size]


def test_the_edge_cases_get_the_statuses_the_rules_give(edge_cases):
    rows = {r.item.title: r for r in coverage.build(*PERIOD).rows if r.item}
    assert rows["按时：截止周五，周六发布"].status == coverage.ON_TIME
    assert (rows["逾期1日：截止周五，周一发布"].status, rows["逾期1日：截止周五，周一发布"].late_days) == (coverage.LATE, 1)
    assert rows["逾期：截止周五，调休上班的周日发布"].status == coverage.LATE
    assert rows["按时：截止9月30日，国庆假期中发布"].status == coverage.ON_TIME
    assert rows["逾期：截止9月29日，国庆假期中发布"].status == coverage.LATE
    assert rows["期初零点后发布"].published_on == D(2025, 9, 1) and "期前发布（不计）" not in rows
    assert rows["期末深夜发布"].published_on == D(2025, 10, 31) and "期后发布（不计）" not in rows
    assert rows["期后才发布（截至期末未公开）"].status == coverage.OVERDUE
    assert rows["未到期"].status == coverage.PENDING and rows["不予公开"].status == coverage.REFUSED
    assert "期前不予公开（不计）" not in rows and "期末后才生成（不计）" not in rows
    statuses = {r.status for r in coverage.build(*PERIOD).rows}
    assert {coverage.NOT_APPLICABLE, coverage.NOT_PUBLISHED} <= statuses


def old_overview(cov):
    """The leaders' figures as they were computed from every row."""
    published_rows = [r for r in cov.rows if r.status in (coverage.ON_TIME, coverage.LATE)]
    per_month = Counter((r.published_on.year, r.published_on.month) for r in published_rows)
    published_ids = {id(r) for r in published_rows}
    per_category = OrderedDict()
    for row in sorted(cov.rows, key=lambda r: (r.entry.category.order, r.entry.category.number)):
        per_category.setdefault(row.entry.category.name, 0)
        if id(row) in published_ids:
            per_category[row.entry.category.name] += 1
    overdue_by_department = Counter(r.department.name for r in cov.overdue)
    return {
        "published": len(published_rows),
        "covered": len({r.entry.pk for r in published_rows}),
        "applicable": len({r.entry.pk for r in cov.rows if r.status != coverage.NOT_APPLICABLE}),
        "overdue": len(cov.overdue),
        "months": [n for _ym, n in sorted(per_month.items())],
        "categories": list(per_category.items()),
        "overdue_by_department": sorted(overdue_by_department.items(), key=lambda kv: -kv[1]),
    }


@pytest.mark.parametrize("today", [None, D(2025, 10, 10)], ids=["period over", "period running"])
def test_the_leaders_figures_agree_with_the_item_by_item_coverage(edge_cases, today):
    old = old_overview(coverage.build(*PERIOD, today=today))
    new = overview.build(*PERIOD, today=today)
    per_month, per_category, _on_time, _coverage, _requests, overdue = (c.rows for c in new.charts)
    assert (new.published, new.entries_covered, new.entries_applicable, new.overdue) == (
        old["published"], old["covered"], old["applicable"], old["overdue"])
    assert [n for _m, n in per_month if n] == old["months"]
    assert per_category == old["categories"]
    assert overdue == old["overdue_by_department"]


def test_the_annual_figures_agree_with_the_item_by_item_coverage(edge_cases):
    cov = coverage.build(*PERIOD)
    public = [r for r in cov.rows if r.status in (coverage.ON_TIME, coverage.LATE)]
    first = [r for r in public if not r.item.supersedes_id]
    figures, _tally = annual.compute(*PERIOD)
    assert figures.published == len(first) and figures.corrections == len(public) - len(first) == 1
    assert figures.on_time == sum(r.status == coverage.ON_TIME for r in first)
    assert figures.late == sum(r.status == coverage.LATE for r in first)
    assert figures.withdrawn == sum(r.item.is_withdrawn for r in public) == 1
    assert figures.imported == sum(bool(r.item.imported_at) for r in first) == 1
    assert figures.interpretations == sum(r.item.is_policy_document for r in first) == 1
    assert figures.refusals == [("个人隐私", 1)] or [n for _l, n in figures.refusals] == [1]
    per_entry = Counter(r.entry.pk for r in first)
    summary = {code: published for _cat, code, _title, published, *_rest in figures.entry_summary}
    assert {code: n for code, n in summary.items() if n and n != annual.NOT_APPLICABLE} == {
        e.code: n for e in CatalogueEntry.objects.filter(active=True) for pk, n in per_entry.items() if pk == e.pk}


def test_the_dashboards_ask_a_fixed_number_of_questions(edge_cases, client, user):
    client.force_login(user("office"))
    params = {"from": "2025-09-01", "to": "2025-10-31"}
    counted = []
    for path in ("/reports/", "/reports/overview/"):
        client.get(path, params)  # the session's first request reads more (content types, the user)
        with CaptureQueriesContext(connection) as before:
            assert client.get(path, params).status_code == 200
        DisclosureItem.objects.bulk_create(
            DisclosureItem(**{**{f.attname: getattr(i, f.attname) for f in DisclosureItem._meta.concrete_fields}, "id": None,
                              "external_ref": None})
            for i in edge_cases["made"] * 3
        )
        with CaptureQueriesContext(connection) as after:
            assert client.get(path, params).status_code == 200
        counted.append((path, len(before), len(after)))
    assert all(b == a for _p, b, a in counted), counted
