"""The guide (editable, versioned), the catalogue tree and the annual reports by year."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied

from audit.models import AuditEvent
from portal import services
from tests.portal.factory import persona, published
from workflow.models import CatalogueEntry


def test_the_guide_shows_the_default_until_the_office_publishes_a_version(client, demo, django_capture_on_commit_callbacks):
    page = client.get("/guide/").content.decode()
    assert "信息公开指南" in page and "15个工作日" in page
    with pytest.raises(PermissionDenied):
        services.edit_guide(actor=persona("cwc_liaison"), body="<p>x</p>")
    office = persona("office")
    client.force_login(office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/office/guide/", {"body": "<h2>受理机构</h2><p>党政办公室，电话 0371-1234567</p><script>alert(1)</script>"})
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/office/guide/", {"body": "<p>第二版：办公时间调整。</p>"})
    client.logout()
    page = client.get("/guide/").content.decode()
    assert "第二版：办公时间调整。" in page and "第 2 版" in page and "<script>alert(1)" not in page
    assert list(AuditEvent.objects.filter(action="portal.guide.edit").values_list("actor_username", flat=True)) == ["office", "office"]


def test_the_catalogue_tree_lists_every_category_and_item_with_what_was_published(client, demo):
    entry = CatalogueEntry.objects.get(code="23")
    CatalogueEntry.objects.filter(code="42").update(applicable=False, not_applicable_reason="本校无中外合作办学项目")
    item = published(entry.code, title="2025年学校收费项目及标准", produced_on=datetime.date(2025, 9, 1))
    page = client.get("/catalogue/").content.decode()
    assert page.count('class="entry') == 50 and page.count('id="category-') == 10
    assert "2025年学校收费项目及标准" in page and f"/items/{item.pk}/" in page
    assert "不适用" in page and "本校无中外合作办学项目" in page
    detail = client.get(f"/items/{item.pk}/").content.decode()
    for label in ("索引号", "发布机构", "文号", "生成日期", "公开日期", "有效性"):
        assert label in detail, label
    assert f"-23-2025-{item.pk:06d}" in detail and ">有效<" in detail


def test_the_catalogue_tree_shows_each_items_newest_publications_in_force_and_leads_to_all_of_them(client, demo):
    from portal.pages import CATALOGUE_ITEMS_PER_ENTRY

    shown = CATALOGUE_ITEMS_PER_ENTRY
    titles = [f"学生资助工作通知（第{n}号）" for n in range(shown + 2)]
    items = [published("38", title=title, produced_on=datetime.date(2025, 3, 1) + datetime.timedelta(days=n)) for n, title in enumerate(titles)]
    withdrawn = published("38", title="已撤回的资助名单", produced_on=datetime.date(2025, 9, 1))
    withdrawn.state = "withdrawn"
    withdrawn.save()
    other = published("37", title="另一事项的通知", produced_on=datetime.date(2025, 9, 2))
    page = client.get("/catalogue/").content.decode()
    entry = page[page.index('id="entry-38"'):page.index('id="entry-39"')]
    # The newest in force first, as many as the tree shows; the rest behind "all N items" (every
    # public item of the entry, the withdrawn one too).
    assert re.findall(r"学生资助工作通知（第(\d+)号）", entry) == [str(n) for n in range(shown + 1, 1, -1)]
    assert f"/items/{items[-1].pk}/" in entry and f"/items/{items[0].pk}/" not in entry
    assert "已撤回的资助名单" not in entry and "另一事项的通知" not in entry
    link = re.search(r'<a href="([^"]+)">全部 (\d+) 条</a>', entry)
    assert link.group(2) == str(shown + 3)

    listed = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert listed.count("学生资助工作通知（第") == shown + 2 and "已撤回的资助名单" in listed and "（已撤回）" in listed
    assert "另一事项的通知" not in listed
    assert 'name="entry"' in listed and 'value="38" selected' in listed  # the list says which item it shows
    category = other.catalogue_entry.category.number
    assert "另一事项的通知" in client.get(f"/category/{category}/?entry=37").content.decode()


@pytest.mark.parametrize("entry", ["999", "1"])  # no such item; an item of another category
def test_a_category_page_refuses_an_entry_that_is_not_its_own(client, demo, entry):
    category = CatalogueEntry.objects.get(code="38").category.number
    assert client.get(f"/category/{category}/?entry={entry}").status_code == 404


def test_annual_reports_are_listed_by_year_with_their_record(client, demo, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.RECORDS_DIR = tmp_path / "records"
    with django_capture_on_commit_callbacks(execute=True):
        first = published("6", title="2024-2025学年信息公开工作年度报告", produced_on=datetime.date(2025, 10, 20))
    second = published("6", title="2023-2024学年信息公开工作年度报告", produced_on=datetime.date(2024, 10, 21))
    published("1", title="学校章程", produced_on=datetime.date(2025, 3, 2))
    page = client.get("/annual-reports/").content.decode()
    assert page.index("2025") < page.index("2024-2025学年") < page.index("2023-2024学年")
    assert "学校章程" not in page
    assert f"/api/disclosures/{first.pk}/record/" in page and f"/items/{second.pk}/" in page
