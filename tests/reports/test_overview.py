"""The leaders' dashboard (/reports/overview/) and the SVG charts behind it (reports.charts)."""

import datetime

from reports import charts
from tests.portal import factory

D = datetime.date


def test_charts_are_svg_without_inline_styles_or_scripts_and_carry_their_numbers():
    for chart in (
        charts.bar("每月公开事项数", [("2026年1月", 3), ("2026年2月", 5)], unit=" 项", labels=["1月", "2月"]),
        charts.hbar("各部门逾期未公开事项", [("财务资产处", 2), ("学生工作处", 1)]),
        charts.donut("依申请公开办理结果", [("予以公开", 4), ("不予公开", 1)]),
        charts.line("按时公开率", [("1月", 100), ("2月", 80)], unit="%"),
    ):
        svg = str(chart.svg)
        assert svg.startswith("<svg") and "<style" not in svg and "<script" not in svg and "style=" not in svg
        assert 'role="img"' in svg and f"<title>{chart.title}</title>" in svg
        for label, value in chart.rows:
            assert f"{label} {value}" in chart.summary
    assert charts.bar("空", [("1月", 0)]).empty and not charts.bar("有", [("1月", 1)]).empty


def test_the_leader_sees_figures_and_charts_for_the_period(client, user):
    factory.published("21", title="学费标准公示", produced_on=D(2025, 9, 1), published_on=D(2025, 9, 3))
    factory.published("38", title="学生奖惩办法", produced_on=D(2025, 10, 1), published_on=D(2025, 11, 20))
    client.force_login(user("leader"))
    response = client.get("/reports/overview/", {"from": "2025-09-01", "to": "2026-08-31"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="figure-published"><div class="figure-number">2<' in page
    assert 'id="figure-on-time"><div class="figure-number">50%<' in page  # one on time, one late
    assert "每月公开事项数：2025年9月 1 项；2025年10月 0 项；2025年11月 1 项" in page
    assert page.count("<svg") >= 4


def test_the_dashboard_is_for_leaders_and_the_office_only(client, user):
    client.force_login(user("cwc_liaison"))
    response = client.get("/reports/overview/")
    assert response.status_code == 403 and "无权访问" in response.content.decode()
    client.force_login(user("office"))
    assert client.get("/reports/overview/").status_code == 200


def test_a_backwards_period_is_explained(client, user):
    client.force_login(user("leader"))
    response = client.get("/reports/overview/", {"from": "2026-08-31", "to": "2025-09-01"})
    assert response.status_code == 400
    assert "起始日期晚于截止日期" in response.content.decode() or "晚于" in response.content.decode()
