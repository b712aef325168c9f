"""Every page each role can reach from its menu, every admin page, and the journeys of issue 12 that
the role journeys do not walk: in a real browser at 1366 and 390 px, each page passing the same
checks (axe-core, nothing wider than the screen, no English and no raw codes in the Chinese UI)."""

import datetime
import re

import pytest
from django.utils import timezone

from foi.models import InformationRequest
from tests.e2e.test_ui_journeys import ALLOWED_ENGLISH, ENGLISH_RUN, RAW_CODES, WIDTHS, check, open_page, school  # noqa: F401
from tests.portal import factory
from workflow import services

pytestmark = pytest.mark.browser
D = datetime.date

ROLES = ["cwc_liaison", "cwc_head", "cwc_reviewer", "secrecy", "leader", "office", "auditor"]
# Codes of the demo school's departments and channels: staff see their names, never these.
NAME_CODES = re.compile(r"\b(dzb|cwc|rsc|xsc|zsb|jwc|kyc|jdxy|wechat|weibo|douyin|toutiao|shipinhao|dept_site|noticeboard)\b")


def readable(page):
    """What a Chinese reader sees: no English runs, no raw or department/channel codes, nothing
    wider than the screen. (The admin is Django's markup, so axe is left to our own pages.)"""
    text = page.inner_text("body")
    assert not RAW_CODES.search(text), f"{page.url} shows a raw code: {RAW_CODES.search(text).group(0)}"
    assert not NAME_CODES.search(text), f"{page.url} shows a code instead of a name: {NAME_CODES.search(text).group(0)}"
    english = [run for run in ENGLISH_RUN.findall(text) if not set(run.split()) <= ALLOWED_ENGLISH]
    assert not english, f"{page.url} shows English: {english[:5]}"
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{page.url} is wider than {width}px"
    return text


def _menu(page):
    return page.eval_on_selector_all("nav a.nav-link[href^='/']", "els => els.map(e => e.getAttribute('href'))")


@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_menu_page_of_every_role(open_page, school, width):
    """Each role's menu, every entry opened and checked; the public site's menu too."""
    for username in ROLES:
        page = open_page(width, username)
        links = _menu(page)
        assert "/home/" in links
        for href in dict.fromkeys(links):
            if href.startswith("/admin/"):
                continue  # the admin has its own scan below
            response = page.goto(href)
            assert response.status == 200, f"{username}: {href} answered {response.status}"
            check(page)
            assert not NAME_CODES.search(page.inner_text("main")), f"{username}: {href} shows a code"
            assert page.locator("h1").count() == 1, f"{href}: one heading says what the page is"
            assert page.locator("nav.staff-nav").count() == 1, f"{href}: the staff menu is there"
    page = open_page(width)
    page.goto("/")
    links = page.eval_on_selector_all("nav.public-nav a.nav-link[href^='/']", "els => els.map(e => e.getAttribute('href'))")
    for href in dict.fromkeys(links):
        if href.startswith("/accounts/"):
            continue
        assert page.goto(href).status == 200, href
        check(page)
        assert page.locator("h1").count() == 1 and page.locator("nav.public-nav").count() == 1, href


def test_every_admin_page_is_chinese_and_names_things(open_page, school, user):
    """List, add and change page of every model the office administers."""
    office = user("office")
    if not office.is_staff:
        office.is_staff = True
        office.save(update_fields=["is_staff"])
    from reports.models import ReportFigure

    from workflow.channels import Channel
    from portal.services import record_post

    from reports.models import ReportArea, ReportNarrative

    # One row for each list the demo school leaves empty, so that its change page is read too.
    ReportArea.objects.get_or_create(name="招生考试", defaults={"category_numbers": "4"})
    ReportFigure.objects.create(date_from=D(2025, 9, 1), date_to=D(2026, 8, 31), name="受理复议", value=1, unit="件")
    ReportNarrative.objects.create(date_from=D(2025, 9, 1), date_to=D(2026, 8, 31), version=1, texts={"practices": "主要做法"}, created_by=office)
    record_post(school["published"], actor=office, channel=Channel.objects.get(code="wechat"), reference="校园公众号第12期")
    from policies.models import Membership, Role
    from policies.services import name_deputy

    head = user("cwc_head")
    name_deputy(Membership.objects.active().get(user=head, role=Role.HEAD), deputy=user("cwc_liaison"),
                starts_on=timezone.localdate(), ends_on=timezone.localdate(), note="出差", actor=head)
    page = open_page("desktop", "office")
    page.goto("/admin/")
    index = readable(page)
    assert "公开 · 系统管理" in index and "Django" not in index
    languages = page.eval_on_selector_all("#lang-select-admin option", "els => els.map(e => e.textContent.trim())")
    assert languages == ["简体中文", "English"]  # each language in its own name
    lists = sorted(set(page.eval_on_selector_all("#content-main a[href^='/admin/']", "els => els.map(e => e.getAttribute('href'))")))
    changelists = [href for href in lists if re.fullmatch(r"/admin/\w+/\w+/", href)]
    assert len(changelists) >= 10, changelists
    visited = []
    for href in changelists:
        assert page.goto(href).status == 200, href
        readable(page)
        visited.append(href)
        assert page.locator("#result_list tbody tr").count(), f"{href} lists nothing"
        first = page.eval_on_selector_all("#result_list tbody tr th a", "els => els.slice(0, 1).map(e => e.getAttribute('href'))")
        for more in first + ([href + "add/"] if page.locator(f"a.addlink[href='{href}add/']").count() else []):
            assert page.goto(more).status == 200, more
            readable(page)
            visited.append(more)
    assert sum(h.endswith("/change/") for h in visited) == len(changelists)  # one object's page of each
    page.goto("/admin/workflow/channel/")
    assert "微信公众号" in page.inner_text("#result_list")
    page.goto("/admin/policies/department/")
    assert "财务资产处" in page.inner_text("#result_list")
    page.goto("/admin/policies/membership/add/")
    assert "office" not in page.inner_text("#id_user") or "（office）" in page.inner_text("#id_user")  # by name


def test_the_all_items_list_says_what_it_holds(open_page, school, user):
    services.refuse(to_review(user, "不予公开的测试事项"), actor=user("cwc_reviewer"), ground="privacy", comment="含个人信息")
    for width in WIDTHS:
        page = open_page(width, "cwc_liaison")
        page.goto("/workflow/items/")
        main = check(page)
        assert "全部事项" in page.inner_text("h1") and "各种状态" in main
        assert "全部公开事项" not in page.inner_text("body")
        badges = page.eval_on_selector_all("#items .badge", "els => els.map(e => e.textContent.trim())")
        assert {"已公开", "退回修改", "不予公开"} <= set(badges)
        page.select_option("select[name=state]", "public")
        page.click("form.filters button[type=submit]")
        assert "全部事项 · 已公开" in page.inner_text("h1")
        assert set(page.eval_on_selector_all("#items .badge", "els => els.map(e => e.textContent.trim())")) == {"已公开"}
        check(page)


def to_review(user, title):
    from tests.workflow.helpers import draft, to_state

    return to_state(user, draft(user, title=title), "confidentiality_review")


def test_item_pages_banner_links_and_history(open_page, school, user):
    """The return reason first; a published item links to its public page, record and channels;
    the history has no "已公开 → 已公开" rows."""
    published = school["published"]
    for width in WIDTHS:
        page = open_page(width, "cwc_liaison")
        page.goto(f"/workflow/items/{school['returned'].pk}/")
        check(page)
        banner = page.inner_text("#reason-banner")
        assert "退回修改" in banner and "请补充附件中的明细表" in banner
        page = open_page(width, "office")
        page.goto(f"/workflow/items/{published.pk}/")
        check(page)
        links = dict(page.eval_on_selector_all("#published-links a", "els => els.map(e => [e.textContent.trim(), e.getAttribute('href')])"))
        assert links["公开页面"] == f"/items/{published.pk}/" and "记录" in " ".join(links) and "公开途径登记" in links
        for row in page.eval_on_selector_all("#history tbody tr", "els => els.map(e => e.innerText)"):
            arrow = re.search(r"(\S+) → (\S+)", row)
            assert not arrow or arrow.group(1) != arrow.group(2), row
        assert page.goto(links["公开页面"]).status == 200 and "2025年学费收费标准公示" in check(page)


def test_foi_department_task_and_a_refused_extension_in_sight(open_page, school, user):
    """The office registers a request for 财务资产处; an extension of 20 days is refused where the
    office sees it; the department's liaison finds the task on the home page and in a notification."""
    for width in WIDTHS:
        page = open_page(width, "office")
        page.goto("/foi/new/")
        check(page)
        assert page.locator("h1").count() == 1 and page.locator("nav.staff-nav").count() == 1
        page.fill("#id_received_on", timezone.localdate().isoformat())
        page.fill("#id_applicant_name", f"张三{width}")
        page.fill("#id_contact", "13900001111")
        page.fill("#id_description", "2025年度学生资助资金的发放情况")
        page.select_option("#id_department", label="财务资产处")
        with page.expect_navigation():
            page.click("main button[type=submit]")
        req = InformationRequest.objects.get(applicant_name=f"张三{width}")
        assert page.inner_text("#department") == "财务资产处"
        check(page)
        page.click("#action-extend summary")
        page.fill("#id_extend-days", "20")
        page.fill("#id_extend-reason", "需要协调多个部门")
        with page.expect_navigation():
            page.click("#action-extend button[type=submit]")
        errors = page.locator("#form-errors")
        assert errors.is_visible() and "须为 1 至 15 个工作日。" in errors.inner_text()
        assert page.locator("#action-extend .errorlist").first.is_visible()  # and by the field
        check(page)

        page = open_page(width, "cwc_liaison")
        row = page.locator(f"#foi-tasks tr[data-request='{req.pk}']")
        assert row.is_visible() and "起草答复" in row.inner_text()
        assert page.locator(f"#notifications a[href='/foi/{req.pk}/']").is_visible()
        check(page, shot="home-liaison-foi")
        page.click(f"#foi-tasks a[href='/foi/{req.pk}/']")
        page.wait_for_url(f"**/foi/{req.pk}/")
        assert page.inner_text("#department") == "财务资产处"
        check(page)
