"""代理审批 in a real browser: the head names a deputy on their own page, the deputy finds the item
in their inbox marked 代理 and approves it, and the audit trail names both people. The new pages
(the deputies page, with and without errors; the item page's reassignment for the office) pass the
same checks as every journey page (axe-core: 0 serious or critical, no English, no raw codes)."""

import datetime

import pytest
from django.utils import timezone

from policies.models import Department, Role
from policies.services import add_membership
from tests.e2e.test_ui_journeys import check, open_page  # noqa: F401  (open_page is a fixture)
from tests.workflow.helpers import draft, to_state

pytestmark = pytest.mark.browser


@pytest.fixture
def deputy(transactional_db, demo, user, django_user_model):
    person = django_user_model.objects.create_user("cwc_deputy", password="gongkai-demo", first_name="王代理")
    add_membership(person, Department.objects.get(code="cwc"), Role.LIAISON, actor=user("office"))
    return person


def test_a_head_names_a_deputy_who_approves_on_their_behalf(open_page, deputy, user):
    item = to_state(user, draft(user, title="2026年收支预算"), "head_review")
    head_name = user("cwc_head").get_full_name() or "cwc_head"
    today = timezone.localdate()

    # The head finds the page from their home page and names the deputy (a wrong period first).
    page = open_page("desktop", "cwc_head")
    with page.expect_navigation():
        page.click("#deputies-link a")
    main = check(page)
    assert "指定代理人" in main and "您目前没有代理人" in main
    page.select_option("#id_deputy", label="王代理")
    page.fill("#id_starts_on", today.isoformat())
    page.fill("#id_ends_on", (today - datetime.timedelta(days=1)).isoformat())
    with page.expect_navigation():
        page.click(".deputy-form button[type=submit]")
    assert "结束日期不能早于开始日期" in check(page)
    page.fill("#id_ends_on", (today + datetime.timedelta(days=3)).isoformat())
    page.fill("#id_note", "出差")
    with page.expect_navigation():
        page.click(".deputy-form button[type=submit]")
    main = check(page)
    assert "王代理" in page.inner_text("#my-deputies table") and "生效中" in main

    # The deputy sees the item in their inbox marked 代理, on behalf of the head, and approves it.
    page = open_page("phone", "cwc_deputy")
    main = check(page)
    row = page.locator(f"#inbox tr[data-item='{item.pk}']")
    assert f"代理（代 {head_name}）" in row.inner_text()
    assert f"正在代理 {head_name} 审批" in main
    with page.expect_navigation():
        row.locator("a").click()
    check(page)
    if not page.locator("#form-approve").is_visible():
        page.click(".action-approve summary")
    page.fill("#form-approve [name=approve-comment]", "代为审批，同意")
    with page.expect_navigation():
        page.click("#form-approve button[type=submit]")
    assert "保密审查" in page.inner_text("#state")
    assert f"王代理（代 {head_name}）" in page.inner_text("#history")

    # The audit trail shows both people.
    page = open_page("desktop", "auditor")
    page.goto("/audit/")
    main = check(page)
    assert f"王代理（代 {head_name}）" in main and "指定代理人" in main

    # The head ends the delegation early; the deputy's inbox no longer holds the department's items.
    page = open_page("desktop", "cwc_head")
    page.goto("/accounts/deputies/")
    with page.expect_navigation():
        page.click("#my-deputies table button[type=submit]")
    assert "已结束" in check(page)


def test_the_office_reassigns_a_task_on_the_item_page(open_page, user, django_user_model, transactional_db, demo):
    second = django_user_model.objects.create_user("cwc_head2", password="gongkai-demo", first_name="李副处长")
    add_membership(second, Department.objects.get(code="cwc"), Role.HEAD, actor=user("office"))
    item = to_state(user, draft(user, title="2026年收支预算"), "head_review")
    page = open_page("phone", "office")
    page.goto(f"/workflow/items/{item.pk}/")
    page.click("#reassign summary")
    check(page)
    with page.expect_navigation():
        page.click("#form-reassign button[type=submit]")  # nobody chosen
    check(page)
    assert "必填" in page.inner_text("#form-reassign")
    page.select_option("#form-reassign [name=reassign-to]", label="李副处长")
    with page.expect_navigation():
        page.click("#form-reassign button[type=submit]")
    assert "李副处长" in page.inner_text("#assigned-to")
    check(page)


def test_the_office_ends_a_delegation_and_the_deputy_loses_the_items(open_page, deputy, user):
    from policies.models import Membership
    from policies.services import name_deputy

    item = to_state(user, draft(user, title="2026年收支预算"), "head_review")
    head = user("cwc_head")
    today = timezone.localdate()
    name_deputy(Membership.objects.active().get(user=head, role=Role.HEAD), deputy=deputy, starts_on=today,
                ends_on=today + datetime.timedelta(days=3), note="出差", actor=head)
    page = open_page("phone", "cwc_deputy")
    assert page.locator(f"#inbox tr[data-item='{item.pk}']").count() == 1

    # The office finds every delegation from its home page, filters by department, ends this one.
    page = open_page("desktop", "office")
    with page.expect_navigation():
        page.click("#all-delegations-link a")
    main = check(page)
    assert "全校代理审批" in main and "王代理" in main and "生效中" in main
    page.select_option("#filter-department", label="财务资产处")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    row = page.locator("#delegations tbody tr").first
    assert "王代理" in row.inner_text() and "部门负责人" in row.inner_text()
    with page.expect_navigation():
        row.locator("button[type=submit]").click()
    main = check(page)
    assert "已结束" in main and "提前结束" in page.inner_text("#delegations")
    assert page.locator("#delegations button[type=submit]").count() == 0
    phone = open_page("phone", "office")
    phone.goto("/workflow/delegations/")
    check(phone)

    # The deputy no longer holds the item (nor the 代理 badge on their home page).
    page = open_page("phone", "cwc_deputy")
    check(page)
    assert page.locator(f"#inbox tr[data-item='{item.pk}']").count() == 0
    assert "正在代理" not in page.inner_text("main")
