"""An anonymous visitor in a real browser (Debian's Chromium): finds a published item by category
and by search, opens it, downloads its signed record; sees a withdrawn item's reason; never sees an
unpublished item, even by typing its URL."""

import datetime

import pytest

from records.models import Record
from tests.portal import factory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = datetime.date


@pytest.fixture
def site(demo):
    fees = factory.published("21", title="2025年秋季学费收费标准公示", body="<p>学费每生每年5200元，住宿费1100元至1500元不等。</p>",
                             produced_on=D(2025, 9, 1), published_on=D(2025, 9, 3))
    rules = factory.published("38", title="学生奖励处罚办法", body="<p>为规范学生奖惩工作，制定本办法。</p>",
                              produced_on=D(2025, 9, 1), published_on=D(2025, 9, 4))
    factory.withdraw(rules, reason="办法已由新版替代，原文撤回", when=factory.at(D(2025, 9, 20)))
    draft = factory.draft("19", title="2026年收支预算（未公开）", produced_on=D(2025, 9, 1))
    return {"fees": fees, "withdrawn": rules, "draft": draft}


def test_anonymous_visitor_journey(page, site):
    """One journey (the setup publishes and signs real records, so it is shared)."""
    fees = site["fees"]
    assert Record.objects.filter(item_id=fees.pk, kind="publication").exists()  # issued on publication

    # By category: the column, the category, the item, its signed record.
    page.goto("/")
    assert "登录" in page.inner_text("header")
    page.click(".cats >> text=财务、资产及收费信息")
    page.wait_for_url("**/category/3/")
    page.click("table.items >> text=2025年秋季学费收费标准公示")
    page.wait_for_url(f"**/items/{fees.pk}/")
    main = page.inner_text("main")
    assert "学费每生每年5200元" in main and "财务资产处" in main
    assert page.is_visible("a[href='/verify/']")
    with page.expect_download() as info:
        page.click("a.record")
    download = info.value
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert download.suggested_filename.startswith(f"GK-{fees.pk:06d}")

    # By search over the text.
    page.goto("/")
    page.fill("input[name=q]", "住宿费")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/search/?q=*")
    page.click("table.items >> text=2025年秋季学费收费标准公示")
    assert "学费每生每年5200元" in page.inner_text("main")

    # A withdrawn item shows why, not its text.
    page.goto(f"/items/{site['withdrawn'].pk}/")
    main = page.inner_text("main")
    assert "本条信息已撤回" in main and "办法已由新版替代，原文撤回" in main
    assert "为规范学生奖惩工作" not in main

    # Unpublished: not listed, and 404 even by its URL; an unknown category too.
    response = page.goto(f"/items/{site['draft'].pk}/")
    assert response.status == 404
    assert "页面不存在" in page.inner_text("main")
    page.goto("/category/3/")
    assert "2026年收支预算" not in page.inner_text("main")
    assert page.goto("/category/42/").status == 404

    # English through the language menu.
    page.goto("/")
    page.select_option("select[name=language]", "en")
    page.click(".lang-menu button[type=submit]")  # no switch-on-change: the user confirms
    page.wait_for_selector("text=Information disclosure column")
    assert "Latest publications" in page.inner_text("main")


def words_split_across_lines(page, selector):
    """The words of the elements matching `selector` that the browser broke over two lines."""
    return page.evaluate("""selector => [...document.querySelectorAll(selector)].flatMap(element => {
        const split = [], walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
        for (let node; (node = walker.nextNode());) {
            for (const word of node.data.matchAll(/\\S+/g)) {
                const range = document.createRange();
                range.setStart(node, word.index);
                range.setEnd(node, word.index + word[0].length);
                if (range.getClientRects().length > 1) split.push(word[0]);
            }
        }
        return split;
    })""", selector)


def test_an_item_page_on_a_phone_in_english_breaks_no_label_mid_word(browser, live_server, site):
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"/items/{site['fees'].pk}/")
    labels = page.locator("table.meta th").all_inner_texts()
    assert "Catalogue item" in labels and "Signed record" in labels
    assert words_split_across_lines(page, "table.meta th") == []
    context.close()
