"""Each role through the real workflow pages in Chromium: draft, return, resubmit, approve, clear,
publish; refusal; another department's head; overdue tasks in red."""

import datetime
from pathlib import Path

import pytest

from tests.workflow.helpers import draft, to_state
from workflow.models import CatalogueEntry, DisclosureItem

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def as_user(page, login):
    """as_user("cwc_head") logs the browser out and in again as that persona."""

    def switch(username):
        page.context.clear_cookies()
        return login(username)

    return switch


def act(page, item, action, **fields):
    """Open the item page, fill the action's form and send it."""
    page.goto(f"/workflow/items/{item.pk}/")
    form = page.locator(f"#form-{action}")
    if not form.is_visible():
        page.click(f".action-{action} summary")
    for name, value in fields.items():
        selector = f"#form-{action} [name={action}-{name}]"
        if page.locator(selector).first.evaluate("e => e.tagName") == "SELECT":
            page.select_option(selector, value)
        else:
            page.fill(selector, value)
    with page.expect_navigation():
        page.click(f"#form-{action} button[type=submit]")
    if page.locator("#confirm-button").count():  # refuse, withdraw and publish ask first
        with page.expect_navigation():
            page.click("#confirm-button")


def state_text(page):
    return page.inner_text("#state")


def test_each_role_takes_an_item_from_draft_to_publication_through_the_pages(as_user, tmp_path):
    # The liaison drafts from their catalogue entry, with a rich-text body and a PDF attached.
    page = as_user("cwc_liaison")
    page.click("#inbox >> text=新建事项")
    page.select_option("#id_catalogue_entry", label=CatalogueEntry.objects.get(code="19").__str__())
    page.fill("#id_title", "2025年收支预算总表")
    page.click(".rte")
    page.keyboard.type("预算总表见附件。")
    page.fill("#id_produced_on", "2025-09-26")
    page.check("input[name=channels][value=wechat]")
    attachment = tmp_path / "预算.pdf"
    attachment.write_bytes(PDF)
    page.set_input_files("#id_attachments", str(attachment))
    page.click("button:has-text('保存草稿')")
    page.wait_for_selector("text=草稿已保存")
    item = DisclosureItem.objects.get(title="2025年收支预算总表")
    assert state_text(page) == "草稿"
    assert "2025-10-30" in page.inner_text("#due")  # 20 working days after 26 Sep, across National Day
    assert "预算.pdf" in page.inner_text("section.attachments")
    act(page, item, "submit")
    assert state_text(page) == "部门负责人审核"

    # The head returns it with a comment, which is required.
    page = as_user("cwc_head")
    assert "2025年收支预算总表" in page.inner_text("#inbox")
    act(page, item, "return")
    assert "必须填写意见" in page.inner_text("#form-return")
    act(page, item, "return", comment="请补充说明口径。")
    assert state_text(page) == "退回修改"

    # The liaison sees the return, edits and resubmits.
    page = as_user("cwc_liaison")
    assert "退回修改：2025年收支预算总表" in page.inner_text("#notifications")
    page.goto(f"/workflow/items/{item.pk}/")
    page.click("#edit-link")
    page.click(".rte")
    page.keyboard.press("End")
    page.keyboard.type("统计口径：全口径。")
    page.click("button:has-text('保存草稿')")
    page.wait_for_selector("text=已保存")
    act(page, item, "submit", comment="已补充口径")
    assert state_text(page) == "部门负责人审核"
    page.goto(f"/workflow/items/{item.pk}/diff/?a=1&b=2")
    assert "统计口径" in page.inner_text("div.diff >> nth=1")

    # Head approves, reviewer clears, office publishes.
    page = as_user("cwc_head")
    act(page, item, "approve", comment="同意")
    assert state_text(page) == "保密审查"
    page = as_user("cwc_reviewer")
    act(page, item, "clear")
    assert state_text(page) == "公开办审核"
    page = as_user("office")
    assert "2025年收支预算总表" in page.inner_text("#inbox")
    act(page, item, "publish")
    assert state_text(page) in ("已公开", "发布中")
    page.reload()
    assert state_text(page) == "已公开"

    history = page.inner_text("#history")
    for who, what in [("cwc_liaison", "创建"), ("cwc_head", "退回"), ("cwc_head", "请补充说明口径。"),
                      ("cwc_reviewer", "保密审查通过"), ("office", "批准发布")]:
        assert what in history
    assert "部门负责人" in history and "保密审查员" in history and "联络员" in history
    assert page.locator("#history tr.step-return td.comment").inner_text() == "请补充说明口径。"
    assert "超期" in page.inner_text("#due")  # published after its 2025 deadline

    # The attachment downloads through the permission-checked view.
    with page.expect_download() as download:
        page.click("section.attachments a:has-text('预算.pdf')")
    assert Path(download.value.path()).read_bytes() == PDF


def test_a_reviewer_refuses_with_a_ground_and_another_departments_head_gets_404(as_user, user):
    item = to_state(user, draft(user, title="职工个人收入明细"), "confidentiality_review")
    page = as_user("cwc_reviewer")
    act(page, item, "refuse", comment="涉及个人信息")
    assert "请选择理由" in page.inner_text("#form-refuse")
    act(page, item, "refuse", ground="privacy", comment="涉及个人信息")
    assert state_text(page) == "不予公开"
    assert page.inner_text("#ground") == "个人隐私"
    assert "涉及个人信息" in page.inner_text("#history")
    assert not page.locator("#actions").count()  # nothing left to do

    page = as_user("jwc_head")
    response = page.goto(f"/workflow/items/{item.pk}/")
    assert response.status == 404
    assert "职工个人收入明细" not in page.content()


def test_overdue_tasks_are_red_and_first_in_the_inbox(as_user, user):
    late = to_state(user, draft(user, title="逾期的事项"), "head_review")
    fresh = to_state(user, draft(user, title="新的事项", produced_on=datetime.date.today()), "head_review")
    page = as_user("cwc_head")
    rows = page.locator("#inbox tr.task")
    assert rows.nth(0).get_attribute("data-item") == str(late.pk)
    assert rows.nth(1).get_attribute("data-item") == str(fresh.pk)
    assert "overdue" in rows.nth(0).get_attribute("class")
    assert "overdue" not in rows.nth(1).get_attribute("class")
    red = rows.nth(0).locator(".due").evaluate("e => getComputedStyle(e).color")
    normal = rows.nth(1).locator(".due").evaluate("e => getComputedStyle(e).color")
    r, g, b = (int(v) for v in red[red.index("(") + 1 : -1].split(","))
    assert r > 150 and g < 60 and b < 60 and normal != red  # the design system's red
    assert "已逾期" in rows.nth(0).inner_text()
