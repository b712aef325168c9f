"""Each role's home page answers "what needs me"."""

import re

from tests.workflow.helpers import draft, to_state
from workflow import services


def text(response):
    return response.content.decode()


def section(page, section_id):
    start = page.index(f'id="{section_id}"')
    return page[start : page.index("</section>", start)]


def test_a_liaison_sees_their_items_by_state_with_the_return_reason_and_who_gave_it(client, user):
    returned = to_state(user, draft(user, title="2025年决算报告"), "head_review")
    services.return_item(returned, actor=user("cwc_head"), comment="请补充附件中的明细表")
    draft(user, title="2026年预算草稿")
    client.force_login(user("cwc_liaison"))
    mine = section(text(client.get("/home/")), "my-items")
    assert mine.index("2025年决算报告") < mine.index("2026年预算草稿")  # what needs work first
    assert "请补充附件中的明细表" in mine and "退回人" in mine
    head_name = user("cwc_head").get_full_name() or "cwc_head"
    assert head_name in mine
    assert "badge state state-returned" in mine  # the state in colour and words
    assert re.search(r"剩余 \d+ 个工作日|已逾期 \d+ 个工作日", mine)


def test_a_head_sees_the_queue_with_days_left(client, user):
    to_state(user, draft(user, title="待审批事项"), "head_review")
    client.force_login(user("cwc_head"))
    inbox = section(text(client.get("/home/")), "inbox")
    assert "待审批事项" in inbox and "badge state state-head_review" in inbox
    assert re.search(r"剩余 \d+ 个工作日|已逾期 \d+ 个工作日", inbox)
    assert 'id="my-items"' not in text(client.get("/home/"))  # heads do not draft


def test_the_office_sees_overdue_items_of_every_department(client, user):
    late = draft(user, title="早该公开的事项")  # produced 2025-09-26: long overdue
    client.force_login(user("office"))
    watch = section(text(client.get("/home/")), "watch")
    assert "早该公开的事项" in watch and "财务资产处" in watch and "已逾期" in watch
    assert f'data-item="{late.pk}" class="overdue"' in watch


def test_the_leader_home_has_the_years_figures_and_a_way_to_the_dashboard(client, user):
    client.force_login(user("leader"))
    page = text(client.get("/home/"))
    assert 'id="leader-overview"' in page and 'href="/reports/overview/"' in page


def test_the_item_page_shows_the_latest_return_reason_and_who_gave_it(client, user):
    item = to_state(user, draft(user, title="需要修改的事项"), "head_review")
    services.return_item(item, actor=user("cwc_head"), comment="请补充附件中的明细表")
    client.force_login(user("cwc_liaison"))
    page = text(client.get(f"/workflow/items/{item.pk}/"))
    banner = page[page.index('id="reason-banner"') : page.index("</div>", page.index('id="reason-banner"'))]
    head = user("cwc_head")
    assert "请补充附件中的明细表" in banner and (head.get_full_name() or head.username) in banner
    assert page.index('id="reason-banner"') < page.index('id="history"')  # at the top, not only in the history


def test_a_published_item_links_to_its_public_page_record_and_channels(client, user):
    item = to_state(user, draft(user, title="已公开的事项"), "published")
    client.force_login(user("office"))
    page = text(client.get(f"/workflow/items/{item.pk}/"))
    links = page[page.index('id="published-links"') :]
    assert f'href="/items/{item.pk}/"' in links and f'href="/api/disclosures/{item.pk}/record/"' in links
    assert f'href="/office/channels/items/{item.pk}/"' in links


def test_a_refusal_without_a_ground_names_the_grounds_in_chinese(client, user):
    item = to_state(user, draft(user, title="待审查事项"), "confidentiality_review")
    client.force_login(user("cwc_reviewer"))
    page = text(client.post(f"/workflow/items/{item.pk}/refuse/", {"do": "refuse", "refuse-comment": "涉及隐私"}))
    shown = re.sub(r"<[^>]+>", " ", page)  # what the reader sees (option values are codes, as they should be)
    assert "请选择理由：国家秘密、商业秘密、个人隐私" in shown
    assert "state_secret" not in shown and "security_stability" not in shown


def test_save_and_submit_sends_the_draft_to_the_head_in_one_step(client, user):
    from workflow.models import CatalogueEntry, DisclosureItem

    client.force_login(user("cwc_liaison"))
    response = client.post("/workflow/items/new/", {
        "catalogue_entry": CatalogueEntry.objects.get(code="19").pk, "title": "一步提交的事项", "body": "<p>正文</p>",
        "produced_on": "2026-03-02", "channels": ["portal"], "save_and_submit": "1",
    }, follow=True)
    item = DisclosureItem.objects.get(title="一步提交的事项")
    assert item.state == "head_review"
    assert "已保存并提交审核" in text(response)
