"""The item form and the decisions in a real browser at desktop and phone widths, as people meet
them: one error next to its field, the chosen file kept ("已上传：…"), the policy interpretation found
by typing words of its title, and refusal, withdrawal and publication each stopping at a page that
states the consequence. Every page passes the journeys' checks (axe 0 serious/critical, no CSP
violation, nothing wider than the screen, no English or raw codes)."""

import re

import pytest

from tests.e2e.test_ui_journeys import WIDTHS, check, open_page  # noqa: F401  (open_page is a fixture)
from tests.workflow.helpers import draft, to_state
from workflow.models import DisclosureItem

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_liaison_keeps_the_file_after_an_error_and_finds_the_interpretation_by_title(open_page, user, tmp_path):
    interpretation = draft(user, title="关于学费标准调整的政策解读")
    attachment = tmp_path / "收费标准.pdf"
    attachment.write_bytes(PDF)
    for number, width in enumerate(WIDTHS):
        page = open_page(width, "cwc_liaison")
        page.goto("/workflow/items/new/")
        page.select_option("#id_catalogue_entry", label="21. 收费项目、收费依据、收费标准及投诉方式")
        page.fill("#id_produced_on", "2025-09-26")
        page.set_input_files("#id_attachments", str(attachment))
        page.check("#id_is_policy_document")
        page.fill("#id_interpretation_search", "学费标准")  # typed words of the title, not a number
        page.wait_for_selector(f"#id_interpretation option[value='{interpretation.pk}']", state="attached")
        page.select_option("#id_interpretation", label="关于学费标准调整的政策解读（财务资产处 · 草稿）")
        page.click("button:has-text('保存草稿')")  # no title: refused

        check(page)
        assert page.locator(".field-title .errorlist li").all_inner_texts() == ["标题为必填项。"]
        assert page.locator(".errorlist li").count() == 1  # nothing else is wrong, nothing said twice
        assert page.inner_text("#held-files").strip() == "已上传：收费标准.pdf"
        assert page.is_checked("#held-files input[name=held]")
        assert page.input_value("#id_interpretation") == str(interpretation.pk)

        title = f"收费标准公示（{number + 1}）"
        page.fill("#id_title", title)
        page.click("button:has-text('保存草稿')")
        page.wait_for_selector("text=草稿已保存")
        check(page)
        assert "收费标准.pdf" in page.inner_text("section.attachments")  # not chosen again
        assert page.inner_text("#interpretation-link") == "关于学费标准调整的政策解读"
        item = DisclosureItem.objects.get(title=title)
        assert list(item.attachments.values_list("original_name", flat=True)) == ["收费标准.pdf"]


def open_action(page, action):
    if not page.locator(f"#form-{action}").is_visible():
        page.click(f".action-{action} summary")


def test_refusal_withdrawal_and_publication_each_stop_at_their_consequence(open_page, user):
    for width in WIDTHS:
        refused = to_state(user, draft(user, title=f"职工个人收入明细（{width}）"), "confidentiality_review")
        page = open_page(width, "cwc_reviewer")
        page.goto(f"/workflow/items/{refused.pk}/")
        open_action(page, "refuse")
        form = page.locator("#form-refuse")
        assert form.locator("label").first.inner_text().startswith("不予公开理由（必填）")  # first, marked required
        assert "个人隐私" in form.locator("select").inner_text()
        page.fill("#form-refuse textarea", "涉及个人收入")
        page.click("#form-refuse button[type=submit]")  # no ground chosen
        assert re.search(r"请选择理由：国家秘密、商业秘密、个人隐私", page.inner_text("#form-refuse"))
        page.select_option("#form-refuse select", label="个人隐私")
        page.fill("#form-refuse textarea", "涉及个人收入")
        page.click("#form-refuse button[type=submit]")
        main = check(page)
        assert "确认不予公开" in page.inner_text("h1")
        assert "此操作不能撤销" in page.inner_text("#consequence") and "个人隐私" in main
        refused.refresh_from_db()
        assert refused.state == "confidentiality_review"  # nothing happened yet
        page.click("#confirm-button")
        page.wait_for_selector("#state")
        assert page.inner_text("#state") == "不予公开"

        published = to_state(user, draft(user, title=f"待撤回的事项（{width}）"), "published")
        page = open_page(width, "office")
        page.goto(f"/workflow/items/{published.pk}/")
        open_action(page, "withdraw")
        page.fill("#form-withdraw textarea", "数据有误")
        page.click("#form-withdraw button[type=submit]")
        check(page)
        assert "从信息公开网站撤下" in page.inner_text("#consequence")
        page.click("#confirm-cancel")  # changes nothing
        assert page.inner_text("#state") == "已公开"

        waiting = to_state(user, draft(user, title=f"待发布的事项（{width}）"), "office_review")
        page.goto(f"/workflow/items/{waiting.pk}/")
        open_action(page, "publish")
        page.click("#form-publish button[type=submit]")
        check(page)
        assert "立即在信息公开网站发布" in page.inner_text("#consequence")
        page.click("#confirm-button")
        page.wait_for_selector("#state")
        assert page.inner_text("#state") in ("发布中", "已公开")
