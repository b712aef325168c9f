"""Every role's pages in a real browser at desktop (1366) and phone (390) widths, checked as a user
would meet them: what the page says, axe-core (0 serious or critical violations), nothing wider than
the screen, no English or raw codes in the Chinese UI. Screenshots of each role's home page and the
leader dashboard go to GONGKAI_SCREENSHOTS (default var/screenshots/; .ci/run prints the path)."""

import datetime
import os
import re
from pathlib import Path

import pytest
from axe_playwright_python import sync_playwright as _axe_package  # noqa: F401  (ships axe.min.js)

from tests.portal import factory
from tests.workflow.helpers import draft, to_state
from workflow import services

pytestmark = pytest.mark.browser

AXE_SOURCE = (Path(_axe_package.__file__).resolve().parent / "axe.min.js").read_text(encoding="utf-8")
SCREENSHOTS = Path(os.environ.get("GONGKAI_SCREENSHOTS") or Path(__file__).resolve().parents[2] / "var" / "screenshots")
WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}
D = datetime.date

# Raw codes that must never reach a Chinese page: action and object codes, ground and state codes.
RAW_CODES = re.compile(
    r"\b(disclosure|workflow|foi|auth|policies|records)\.[a-z_]+|\b(state_secret|trade_secret|law_excluded|"
    r"security_stability|head_review|confidentiality_review|office_review)\b|sha256:"
)
# English words in running text (two or more in a row); a few proper names and formats are fine.
ALLOWED_ENGLISH = {"Atom", "English", "SHA", "PDF", "CSV", "API", "Excel", "RFC", "Ed25519", "Merkle",
                   "Noto", "Sans", "Serif", "CJK", "SC"}  # the fonts' names on the health page
ENGLISH_RUN = re.compile(r"\b[A-Za-z]{3,}(?:\s+[A-Za-z]{2,})+\b")


@pytest.fixture
def open_page(browser, live_server, demo):
    """open_page(width_name, username or None) → a page (logged in if a username is given)."""
    contexts = []

    def _open(width, username=None):
        w, h = WIDTHS[width]
        # The pages run under the site's Content-Security-Policy; axe-core is evaluated through the
        # DevTools protocol (page.evaluate), which the policy does not govern.
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": w, "height": h})
        context.set_default_timeout(15000)
        contexts.append(context)
        page = context.new_page()
        page.csp_violations = []
        page.on("console", lambda message: "Content Security Policy" in message.text and page.csp_violations.append(message.text))
        if username:
            page.goto("/accounts/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", "gongkai-demo")
            page.click("main button[type=submit]")
            page.wait_for_url("**/home/")
        return page

    yield _open
    for context in contexts:
        context.close()


def check(page, *, shot=None):
    """The checks every journey page passes; returns the main text."""
    page.evaluate(AXE_SOURCE)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{page.url}: {bad}"
    assert not page.csp_violations, f"{page.url}: {page.csp_violations[:3]}"  # nothing inline the policy blocks
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{page.url} is wider than {width}px"
    text = page.inner_text("body")
    assert not RAW_CODES.search(text), f"{page.url} shows a raw code: {RAW_CODES.search(text).group(0)}"
    english = [run for run in ENGLISH_RUN.findall(text) if not set(run.split()) <= ALLOWED_ENGLISH]
    assert not english, f"{page.url} shows English: {english[:5]}"
    if shot:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{shot}-{width}.png"), full_page=True)
    return page.inner_text("main")


@pytest.fixture
def school(transactional_db, demo, user):
    """A little history: published items (one late), a returned item, one awaiting the head, an
    overdue draft."""
    published = factory.published("21", title="2025年学费收费标准公示", body="<p>学费每生每年5000元。</p>",
                                  produced_on=D(2025, 9, 1), published_on=D(2025, 9, 3), channels=["wechat"])
    factory.published("38", title="学生奖励处罚办法（修订）", produced_on=D(2025, 10, 1), published_on=D(2025, 11, 20))
    returned = to_state(user, draft(user, title="2025年决算报告"), "head_review")
    services.return_item(returned, actor=user("cwc_head"), comment="请补充附件中的明细表")
    waiting = to_state(user, draft(user, title="2026年收支预算"), "head_review")
    return {"published": published, "returned": returned, "waiting": waiting}


def test_the_public_visitor(open_page, school):
    for width in WIDTHS:  # one history, both screens
        page = open_page(width)
        page.goto("/")
        main = check(page, shot="public-home")
        assert "2025年学费收费标准公示" in main and "1 条" in main  # the category counts are filled in
        page.goto(f"/items/{school['published'].pk}/")
        assert "学费每生每年5000元" in check(page)
        # A category's page offers its catalogue items by their long titles: the list stays on the screen.
        for number in (1, 2, 3):
            page.goto(f"/category/{number}/")
            check(page)
        page.goto("/verify/")
        assert "核验记录" in check(page)
        response = page.goto("/no-such-page/")
        assert response.status == 404 and "页面不存在" in check(page)


def test_the_liaison_sees_the_return_reason_first(open_page, school, user):
    for width in WIDTHS:  # one history, both screens
        page = open_page(width, "cwc_liaison")
        main = check(page, shot="home-liaison")
        mine = page.inner_text("#my-items")
        assert "2025年决算报告" in mine and "请补充附件中的明细表" in mine
        assert "退回修改" in page.inner_text(f"#my-items tr[data-item='{school['returned'].pk}'] .badge")
        assert "待我办理" in main
        page.goto(f"/workflow/items/{school['returned'].pk}/")
        check(page)
        page.goto("/workflow/items/new/")
        check(page)


def test_the_head_sees_the_queue_with_days_left(open_page, school):
    for width in WIDTHS:  # one history, both screens
        page = open_page(width, "cwc_head")
        check(page, shot="home-head")
        row = page.inner_text(f"#inbox tr[data-item='{school['waiting'].pk}']")
        assert "2026年收支预算" in row and re.search(r"(剩余|已逾期) \d+ 个工作日", row)
        page.goto(f"/workflow/items/{school['waiting'].pk}/")
        check(page)


def test_the_leader_dashboard_has_figures_and_charts_with_numbers(open_page, school):
    for width in WIDTHS:  # one history, both screens
        page = open_page(width, "leader")
        check(page, shot="home-leader")
        page.goto("/reports/overview/?from=2025-09-01&to=2026-08-31")
        check(page, shot="leader-dashboard")
        assert page.inner_text("#figure-published .figure-number") == "2"
        assert page.inner_text("#figure-on-time .figure-number") == "50%"
        assert page.locator("figure.chart svg[role=img]").count() >= 4
        per_month = page.get_attribute("#chart-1 svg", "aria-label")
        assert "2025年9月 1 项" in per_month and "2025年11月 1 项" in per_month


def test_the_office_auditor_and_reviewer_pages(open_page, school):
    for width in WIDTHS:  # one history, both screens
        page = open_page(width, "office")
        main = check(page, shot="home-office")
        assert "已逾期和即将到期" in main
        page = open_page(width, "auditor")
        check(page, shot="home-auditor")
        page.goto("/audit/")
        main = check(page)
        assert "提交审核" in main and "技术详情" in main
        page.goto("/audit/?since=2026-05-01&until=2026-04-01")
        assert "截止日期早于起始日期" in check(page)
        page = open_page(width, "cwc_reviewer")
        check(page, shot="home-reviewer")
        page = open_page(width, "secrecy")
        check(page, shot="home-secrecy")


def tab_to(page, selector, limit=150):
    """Press Tab until the focused element matches `selector` (it must be reachable by keyboard)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key on {page.url}")


def test_keyboard_only_draft_submit_approve(open_page, demo, user):
    item = draft(user, title="键盘操作的事项")
    page = open_page("desktop", "cwc_liaison")
    tab_to(page, "a.skip-link")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    tab_to(page, f"#my-items a[href='/workflow/items/{item.pk}/']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/workflow/items/{item.pk}/")
    if not page.locator("#form-submit button[type=submit]").is_visible():
        tab_to(page, ".action-submit summary")
        page.keyboard.press("Enter")
    tab_to(page, "#form-submit button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    item.refresh_from_db()
    assert item.state == "head_review"

    page = open_page("desktop", "cwc_head")
    tab_to(page, f"#inbox a[href='/workflow/items/{item.pk}/']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/workflow/items/{item.pk}/")
    if not page.locator("#form-approve button[type=submit]").is_visible():
        tab_to(page, ".action-approve summary")
        page.keyboard.press("Enter")
    tab_to(page, "#form-approve button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    item.refresh_from_db()
    assert item.state == "confidentiality_review"
