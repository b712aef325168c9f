"""The public site as an anonymous visitor sees it: only published (or withdrawn, or superseded)
items, by category, by search and filters, each with its page; everything else is a 404."""

import datetime
import re

from unittest.mock import patch

import pytest
from django.test import override_settings
from django.utils import timezone

from audit.models import AuditEvent
from portal.models import SiteVersion
from tests.portal import factory

D = datetime.date


@pytest.fixture
def items(demo):
    """Three published items in two categories and three years, and items that never were."""
    fees = factory.published("21", title="2025年学费收费标准公示", body="<p>学费每生每年5000元，住宿费1200元。</p>",
                             produced_on=D(2025, 9, 1), published_on=D(2025, 9, 3), channels=["wechat"])
    rules = factory.published("38", title="学生奖励处罚办法（修订）", body="<p>为规范学生奖惩工作……</p>",
                              produced_on=D(2024, 3, 4), published_on=D(2024, 3, 6))
    plan = factory.published("5", title="2026年工作要点", body="<p>年度重点工作安排。</p>",
                             produced_on=D(2026, 2, 2), published_on=D(2026, 2, 4))
    draft = factory.draft("19", title="2026年收支预算（草稿）", produced_on=D(2026, 3, 2))
    reviewing = factory.review(factory.draft("20", title="2025年决算（审核中）", produced_on=D(2026, 3, 2)),
                               when=factory.at(D(2026, 3, 3)))
    return {"fees": fees, "rules": rules, "plan": plan, "draft": draft, "reviewing": reviewing}


def text(response):
    """The page's HTML without search highlighting (<mark>), so titles read as one string."""
    return re.sub(r"</?mark>", "", response.content.decode())


def test_the_column_lists_categories_and_latest_publications(client, items):
    page = text(client.get("/"))
    assert "财务、资产及收费信息" in page and "学生管理服务信息" in page
    assert "2025年学费收费标准公示" in page and "2026年工作要点" in page
    assert page.index("2026年工作要点") < page.index("2025年学费收费标准公示")  # newest first
    assert "草稿" not in page and "审核中" not in page
    assert 'href="/accounts/login/"' in page  # staff find their way in


def test_the_column_counts_each_categorys_publications(client, items):
    import re

    page = text(client.get("/"))
    counts = dict(re.findall(r'<li data-category="(\d+)">.*?<span class="muted count">(.*?)</span>', page))
    fees_category = str(items["fees"].catalogue_entry.category.number)
    assert counts[fees_category] == "1 条"
    assert sum(int(c.split()[0]) for c in counts.values()) == 3  # the three published items, nothing else


def category_counts(client):
    from portal import cache

    cache.bump()  # writes outside the workflow (below) leave the cached pages alone
    page = text(client.get("/"))
    return {int(n): int(c.split()[0]) for n, c in re.findall(r'<li data-category="(\d+)">.*?<span class="muted count">(.*?)</span>', page)}


def test_the_counts_follow_publication_withdrawal_and_correction(client, items):
    fees = items["fees"].catalogue_entry.category.number
    before = category_counts(client)
    published = factory.published("21", title="2025年住宿费标准公示", produced_on=D(2025, 9, 5))
    assert category_counts(client)[fees] == before[fees] + 1
    factory.withdraw(published, reason="标准有误", when=factory.at(D(2025, 9, 8)))  # still listed, as withdrawn
    assert category_counts(client)[fees] == before[fees] + 1
    factory.correct(items["fees"], title="2025年学费收费标准公示（更正）", body="<p>学费每生每年5200元。</p>",
                    when=factory.at(D(2025, 9, 10)))  # the correction and the superseded original
    assert category_counts(client)[fees] == before[fees] + 2
    assert sum(category_counts(client).values()) == sum(before.values()) + 2
    with override_settings(PORTAL_PAGE_SIZE=1):  # the category page's pages come from the same count
        assert "第 1 页，共 3 页" in text(client.get(f"/category/{fees}/"))


def test_the_counts_stay_exact_when_items_are_written_outside_the_workflow(client, items):
    """Bulk loads and direct updates count too (the database keeps the counts, not the services)."""
    from workflow.models import CatalogueEntry, DisclosureItem

    plan = items["plan"]
    other = CatalogueEntry.objects.get(code="21")
    before = category_counts(client)
    DisclosureItem.objects.filter(pk=plan.pk).update(catalogue_entry=other)
    after = category_counts(client)
    assert after[other.category.number] == before[other.category.number] + 1
    assert after[plan.catalogue_entry.category.number] == before[plan.catalogue_entry.category.number] - 1
    DisclosureItem.objects.filter(pk__in=[items["draft"].pk, items["reviewing"].pk]).update(state="published", published_at=plan.published_at)
    assert sum(category_counts(client).values()) == sum(before.values()) + 2


def test_counting_triggers_dropped_by_a_sqlite_table_rebuild_come_back_after_migrate(client, items):
    from django.db import connection

    from portal import counts
    from workflow.models import DisclosureItem

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps triggers through ALTER TABLE")
    before = category_counts(client)
    counts.uninstall(connection)  # what rebuilding the items' table in a migration does
    DisclosureItem.objects.filter(pk=items["draft"].pk).update(state="published", published_at=items["plan"].published_at)
    counts.ensure(connection)  # after every migrate (post_migrate)
    assert sum(category_counts(client).values()) == sum(before.values()) + 1
    DisclosureItem.objects.filter(pk=items["reviewing"].pk).update(state="published", published_at=items["plan"].published_at)
    assert sum(category_counts(client).values()) == sum(before.values()) + 2


def test_category_page_lists_its_published_items_only(client, items):
    response = client.get("/category/3/")
    assert response.status_code == 200
    page = text(response)
    assert "2025年学费收费标准公示" in page
    assert "学生奖励处罚办法" not in page  # another category
    assert "预算（草稿）" not in page and "决算（审核中）" not in page
    assert f'href="/items/{items["fees"].pk}/"' in page


def test_unknown_category_is_a_404_page(client, items):
    response = client.get("/category/99/")
    assert response.status_code == 404
    assert "返回信息公开专栏" in text(response)
    assert client.get("/category/abc/").status_code == 404


@pytest.mark.parametrize("which", ["draft", "reviewing"])
def test_unpublished_items_are_404_even_by_their_url(client, items, which):
    item = items[which]
    assert client.get(f"/items/{item.pk}/").status_code == 404
    assert client.get(f"/items/{item.pk + 1000}/").status_code == 404
    assert item.title not in text(client.get(f"/search/?q={item.title[:6]}"))
    assert item.title not in text(client.get("/feed/"))


def test_refused_and_publishing_items_never_appear(client, items, demo):
    refused = factory.review(factory.draft("16", title="受捐赠财产明细（不予公开）", produced_on=D(2026, 3, 2)),
                             when=factory.at(D(2026, 3, 3)))
    from workflow import services

    services.refuse(refused, actor=factory.persona("office"), ground="privacy", comment="含捐赠人个人信息")
    scheduled = factory.review(factory.draft("17", title="校办企业资产情况（定时发布）", produced_on=D(2026, 3, 2)),
                               when=factory.at(D(2026, 3, 3)))
    services.publish(scheduled, actor=factory.persona("office"), publish_at=timezone.now() + datetime.timedelta(days=30))
    for item in (refused, scheduled):
        assert client.get(f"/items/{item.pk}/").status_code == 404
        assert item.title not in text(client.get("/category/3/"))


def test_item_page_shows_the_text_department_dates_and_channels(client, items):
    response = client.get(f"/items/{items['fees'].pk}/")
    assert response.status_code == 200
    page = text(response)
    assert "2025年学费收费标准公示" in page
    assert "学费每生每年5000元" in page
    assert "财务资产处" in page
    assert "2025-09-03" in page
    assert "21. 收费项目、收费依据、收费标准及投诉方式" in page
    assert "官方微信公众号" in page  # the channel named at publication


def breadcrumbs(page):
    """Each breadcrumb trail of a page, as the texts of its steps."""
    trails = re.findall(r'<ol class="breadcrumb">(.*?)</ol>', page, re.S)
    return [[re.sub(r"<[^>]+>", "", step).strip() for step in re.findall(r"<li[^>]*>(.*?)</li>", trail, re.S)]
            for trail in trails]


def test_category_and_item_pages_show_one_breadcrumb(client, items):
    fees = items["fees"]
    category = fees.catalogue_entry.category.name
    page = text(client.get("/category/3/"))
    assert breadcrumbs(page) == [["首页", category]] and "›" not in page  # no second trail in the text
    page = text(client.get(f"/items/{fees.pk}/"))
    assert breadcrumbs(page) == [["首页", category, fees.title]] and "›" not in page
    assert 'href="/category/3/"' in page
    english = text(client.get(f"/items/{fees.pk}/", HTTP_ACCEPT_LANGUAGE="en"))
    assert breadcrumbs(english)[0][0] == "Home" and len(breadcrumbs(english)) == 1


def test_search_finds_titles_and_bodies(client, items):
    by_title = text(client.get("/search/", {"q": "奖励处罚"}))
    assert "学生奖励处罚办法（修订）" in by_title
    by_body = text(client.get("/search/", {"q": "住宿费"}))
    assert "2025年学费收费标准公示" in by_body and "学生奖励处罚办法" not in by_body
    nothing = text(client.get("/search/", {"q": "不存在的词语"}))
    assert "学费" not in nothing.split("<main")[1]


def test_filters_by_category_department_and_year(client, items):
    in_2024 = text(client.get("/search/", {"year": "2024"}))
    assert "学生奖励处罚办法" in in_2024 and "2025年学费收费标准公示" not in in_2024
    dzb = text(client.get("/search/", {"department": "dzb"}))
    assert "2026年工作要点" in dzb and "学费收费标准公示</a>" not in dzb
    finance = text(client.get("/search/", {"category": "3", "q": "学费"}))
    assert "2025年学费收费标准公示" in finance
    in_category_by_year = text(client.get("/category/3/", {"year": "2024"}))
    assert "2025年学费收费标准公示</a>" not in in_category_by_year
    assert client.get("/search/", {"category": "99"}).status_code == 404
    assert client.get("/search/", {"year": "abc"}).status_code == 404
    assert client.get("/search/", {"department": "nope"}).status_code == 404


def test_withdrawn_item_shows_its_reason_instead_of_its_text(client, items):
    item = factory.withdraw(items["fees"], reason="收费标准已调整，原公示撤回", when=factory.at(D(2025, 9, 10)))
    page = text(client.get(f"/items/{item.pk}/"))
    assert "收费标准已调整，原公示撤回" in page
    assert "学费每生每年5000元" not in page
    # Its record is no longer public, and none is coming: the page does not promise one.
    assert "签章记录生成中" not in page and 'class="record"' not in page
    listing = text(client.get("/category/3/"))
    assert "2025年学费收费标准公示" in listing and "已撤回" in listing


def test_lists_put_an_items_state_in_the_languages_own_brackets(client, items):
    """（已撤回） in Chinese, (withdrawn) in English: not full-width brackets around English words."""
    factory.withdraw(items["fees"], reason="收费标准已调整，原公示撤回", when=factory.at(D(2026, 3, 1)))
    factory.correct(items["plan"], title="2026年工作要点（更正）", body="<p>更正后的重点工作安排。</p>", when=factory.at(D(2026, 3, 2)))
    plan_category = items["plan"].catalogue_entry.category.number
    for path, zh, en in [("/", "（已撤回）", "(withdrawn)"), ("/category/3/", "（已撤回）", "(withdrawn)"),
                         (f"/category/{plan_category}/", "（已更正）", "(corrected)")]:
        assert zh in text(client.get(path)), path
        english = text(client.get(path, HTTP_ACCEPT_LANGUAGE="en"))
        assert en in english and "（withdrawn）" not in english and "（corrected）" not in english, path


def test_correction_and_original_link_to_each_other(client, items):
    original = items["plan"]
    correction = factory.correct(original, title="2026年工作要点（更正）", body="<p>更正后的重点工作安排。</p>",
                                 when=factory.at(D(2026, 2, 10)))
    assert correction.state == "published"
    original.refresh_from_db()
    assert original.state == "superseded"
    old_page = text(client.get(f"/items/{original.pk}/"))
    assert f'href="/items/{correction.pk}/"' in old_page and "更正" in old_page
    new_page = text(client.get(f"/items/{correction.pk}/"))
    assert f'href="/items/{original.pk}/"' in new_page


@override_settings(PORTAL_VERSION_SECONDS=3600)
def test_pages_come_from_the_cache_until_something_is_published(client, items, django_assert_num_queries):
    client.get("/category/3/")
    with django_assert_num_queries(0):
        cached = text(client.get("/category/3/"))
    assert "2025年收支预算" not in cached
    before = SiteVersion.objects.get(pk=1).token
    item = factory.review(items["draft"], when=factory.at(D(2026, 3, 3)))
    assert SiteVersion.objects.get(pk=1).token == before  # reviews change nothing public
    factory.publish(item, when=factory.at(D(2026, 3, 4)))
    assert SiteVersion.objects.get(pk=1).token != before  # what other processes read
    assert "2026年收支预算（草稿）" in text(client.get("/category/3/"))


@override_settings(PORTAL_VERSION_SECONDS=3600)
def test_after_a_publication_a_search_is_served_as_it_was_once_then_anew(items, django_assert_num_queries):
    """A search (or an item's page, or a paged list) someone opened before a change is served at
    once to its next visitor, who does not wait for its render; the page is rendered anew after
    that response, and the visitor after gets the current one straight from the cache."""
    from django.test import Client

    url = "/search/?q=" + "收费"
    assert "2026年住宿收费标准" not in text(Client().get(url))
    factory.published("21", title="2026年住宿收费标准", produced_on=D(2026, 3, 2), published_on=D(2026, 3, 3))
    assert "2026年住宿收费标准" not in text(Client().get(url))  # as it was before the publication
    with django_assert_num_queries(0):
        current = text(Client().get(url))
    assert "2026年住宿收费标准" in current and "2025年学费收费标准公示" in current


@override_settings(PORTAL_VERSION_SECONDS=3600)
def test_menu_pages_are_current_for_the_first_visitor_after_a_change(items):
    from django.test import Client

    for url in ("/", "/category/3/", "/search/"):
        Client().get(url)
    factory.published("21", title="2026年住宿收费标准", produced_on=D(2026, 3, 2), published_on=D(2026, 3, 3))
    assert "2026年住宿收费标准" in text(Client().get("/"))
    assert "2026年住宿收费标准" in text(Client().get("/category/3/"))


@override_settings(PORTAL_VERSION_SECONDS=3600)
def test_a_withdrawn_item_is_never_served_as_it_was(items):
    """A takedown: no visitor gets a page made before it, not even the first."""
    from django.test import Client

    item_url, search_url = f"/items/{items['fees'].pk}/", "/search/?q=" + "学费"
    assert "学费每生每年5000元" in text(Client().get(item_url))
    assert "已撤回" not in text(Client().get(search_url))
    factory.withdraw(items["fees"], reason="收费标准已调整，原公示撤回", when=factory.at(D(2025, 9, 10)))
    page = text(Client().get(item_url))
    assert "收费标准已调整，原公示撤回" in page and "学费每生每年5000元" not in page
    assert "已撤回" in text(Client().get(search_url))


@override_settings(PORTAL_VERSION_SECONDS=3600)
@pytest.mark.parametrize("recent_takedowns, as_it_was", [(50, True), (1, False)])
def test_after_a_withdrawal_pages_that_do_not_show_it_are_served_as_they_were_once(items, recent_takedowns, as_it_was):
    """A takedown refuses only the pages that show what was taken down; any other page someone
    opened before is still served once as it was while it renders anew. Unless the page was made
    before more takedowns than a process keeps in mind: then nothing tells what it shows."""
    from django.test import Client

    from portal import cache

    url = "/search/?q=" + "奖励"  # lists the rules, not the fees nor the plan
    assert "2026年奖励办法实施细则" not in text(Client().get(url))
    factory.published("38", title="2026年奖励办法实施细则", produced_on=D(2026, 3, 2), published_on=D(2026, 3, 3))
    factory.withdraw(items["fees"], reason="收费标准已调整", when=factory.at(D(2026, 3, 4)))
    factory.withdraw(items["plan"], reason="要点另行发布", when=factory.at(D(2026, 3, 4)))
    with patch.object(cache, "RECENT_TAKEDOWNS", recent_takedowns):
        first = text(Client().get(url))
    assert ("2026年奖励办法实施细则" not in first) is as_it_was
    assert "2026年奖励办法实施细则" in text(Client().get(url))


def test_every_public_page_that_shows_an_item_links_to_it(client, items):
    """What a takedown refuses to serve from before rests on this (portal.cache): a page that shows
    an item (its title) links to its page, so a page showing an item taken down can be told."""
    from workflow.models import DisclosureItem

    plan = items["plan"]
    interpretation = factory.published("5", title="《2026年工作要点》解读", produced_on=D(2026, 2, 5), published_on=D(2026, 2, 6))
    DisclosureItem.objects.filter(pk=plan.pk).update(interpretation=interpretation)
    correction = factory.correct(items["rules"], title="学生奖励处罚办法（再次修订）", body="<p>更正后的全文。</p>",
                                 when=factory.at(D(2024, 3, 9)))
    shown = [items["fees"], items["rules"], plan, interpretation, correction]
    categories = {item.catalogue_entry.category.number for item in shown}
    pages = ["/", "/catalogue/", "/annual-reports/", "/search/?q=" + "2026", "/search/?q=" + "办法",
             *(f"/category/{number}/" for number in categories), *(f"/items/{item.pk}/" for item in shown)]
    seen_elsewhere = set()
    for url in pages:
        page = text(client.get(url))
        for item in shown:
            if f">{item.title}<" in page and url != f"/items/{item.pk}/":  # the whole text of an element
                assert f'href="/items/{item.pk}/"' in page, (url, item.title)
                seen_elsewhere.add(item.pk)
    assert seen_elsewhere == {item.pk for item in shown}  # each item was seen on a page other than its own


@override_settings(PORTAL_VERSION_SECONDS=3600)
def test_a_page_is_not_served_as_it_was_once_a_post_of_its_item_is_taken_off_a_channel(items, user):
    from django.test import Client

    from portal import services

    post = services.record_post(items["rules"], actor=user("office"), channel="wechat", url="https://mp.weixin.qq.com/s/rules")
    url = f"/items/{items['rules'].pk}/"
    assert "https://mp.weixin.qq.com/s/rules" in text(Client().get(url))
    services.remove_post(post, actor=user("office"), reason="登记错了条目")
    assert "https://mp.weixin.qq.com/s/rules" not in text(Client().get(url))


@override_settings(PORTAL_VERSION_SECONDS=3600)
def test_one_visitor_renders_a_page_anew_and_a_failed_render_costs_nobody_their_page(items, caplog):
    from django.test import Client

    from portal import cache

    url = f"/items/{items['rules'].pk}/"
    before = Client().get(url).content
    factory.published("21", title="2026年住宿收费标准", produced_on=D(2026, 3, 2), published_on=D(2026, 3, 3))
    with patch.object(cache, "_visit", side_effect=RuntimeError("database went away")) as render:
        first, second = Client().get(url), Client().get(url)  # the second comes while the first's render is on
    assert first.status_code == second.status_code == 200 and first.content == second.content == before
    assert render.call_count == 1
    assert "rendering a public page anew failed" in caplog.text and "database went away" in caplog.text


@override_settings(PORTAL_VERSION_SECONDS=3600)
def test_a_page_that_answers_otherwise_since_the_change_is_not_served_as_it_was_again(items):
    from django.test import Client

    from portal import cache

    url = f"/items/{items['rules'].pk}/"
    Client().get(url)
    factory.published("21", title="2026年住宿收费标准", produced_on=D(2026, 3, 2), published_on=D(2026, 3, 3))
    with patch.object(cache, "_visit", return_value=404):  # what the page answers now
        assert Client().get(url).status_code == 200  # its visitor already had the older page
    with patch.object(cache, "_visit") as render:
        assert Client().get(url).status_code == 200
    assert not render.called  # rendered by its own visitor, not served as it was


@override_settings(PORTAL_VERSION_SECONDS=3600)
def test_a_restart_keeps_the_pages_and_a_restored_database_refuses_those_from_before(items, django_capture_on_commit_callbacks):
    """Starting the service runs migrate. On the database the cache last saw (a restart), the pages
    kept are served as after any change. On a restored one (its tokens never seen by the cache),
    pages from before may show what it never published: none is served, not even once."""
    from django.core.management import call_command
    from django.test import Client

    from portal.models import PublicTakedown

    url = "/search/?q=" + "收费"
    Client().get(url)
    refusals = PublicTakedown.objects.filter(item=None).count()
    with django_capture_on_commit_callbacks(execute=True):  # what the cache is told once the change commits
        factory.published("21", title="2026年住宿收费标准", produced_on=D(2026, 3, 2), published_on=D(2026, 3, 3))
    call_command("migrate", verbosity=0)  # a restart: nothing to apply, the same database
    assert "2026年住宿收费标准" not in text(Client().get(url))  # kept, served as it was while it renders anew
    assert "2026年住宿收费标准" in text(Client().get(url))
    assert PublicTakedown.objects.filter(item=None).count() == refusals

    with django_capture_on_commit_callbacks(execute=True):
        factory.published("21", title="2026年教材收费标准", produced_on=D(2026, 3, 4), published_on=D(2026, 3, 5))
    SiteVersion.objects.filter(pk=1).update(token="restored", takedown_token="restored")  # as a restore leaves them
    call_command("migrate", verbosity=0)
    assert "2026年教材收费标准" in text(Client().get(url))  # rendered for its first visitor
    assert PublicTakedown.objects.filter(item=None).count() == refusals + 1


def test_a_database_restored_to_just_before_a_change_whose_notice_was_lost_refuses_the_pages(items, django_capture_on_commit_callbacks):
    """The process that published was killed between its commit and telling the cache; the
    database is then restored to exactly the state before that publication. A page made since
    shows what the restored database never published: it must not be served."""
    from django.core.management import call_command
    from django.test import Client

    from portal import cache
    from workflow.models import DisclosureItem

    url = f"/category/{items['fees'].catalogue_entry.category.number}/?year=2026"
    with django_capture_on_commit_callbacks(execute=True):
        cache.bump()  # the cache knows the database's state
    before = cache._site_state()
    with django_capture_on_commit_callbacks(execute=False):  # killed before the notice after commit
        late = factory.published("21", title="2026年住宿收费标准", produced_on=D(2026, 3, 2), published_on=D(2026, 3, 3))
    assert "2026年住宿收费标准" in text(Client().get(url))  # a page made after the change
    DisclosureItem.objects.filter(pk=late.pk).update(state="draft", published_at=None)  # the restore ...
    SiteVersion.objects.filter(pk=1).update(token=before[0], takedown_token=before[1])  # ... to just before it
    call_command("migrate", verbosity=0)
    assert "2026年住宿收费标准" not in text(Client().get(url))


def test_a_publication_goes_through_with_the_page_cache_out_of_reach(items, caplog):
    from django.core.cache import cache as page_cache

    with patch.object(page_cache, "delete", side_effect=ConnectionError("cache down")):
        late = factory.published("21", title="2026年住宿收费标准", produced_on=D(2026, 3, 2), published_on=D(2026, 3, 3))
    late.refresh_from_db()
    assert late.state == "published" and "could not tell the page cache" in caplog.text


def test_a_migrate_goes_through_with_the_page_cache_out_of_reach(items):
    """Starting the service while the cache server is down: the migrate completes, and since the
    cache cannot say it saw this database, no page from before is served."""
    from django.core.cache import cache as page_cache
    from django.core.management import call_command

    from portal.models import PublicTakedown

    refusals = PublicTakedown.objects.filter(item=None).count()
    with patch.object(page_cache, "get", side_effect=ConnectionError("cache down")), \
            patch.object(page_cache, "set", side_effect=ConnectionError("cache down")):
        call_command("migrate", verbosity=0)
    assert PublicTakedown.objects.filter(item=None).count() == refusals + 1


@override_settings(PORTAL_VERSION_SECONDS=3600)
def test_no_page_is_served_by_other_code_than_made_it(items):
    """After an upgrade, even a page of the current version is rendered again: the code, its
    templates or translations may show it otherwise."""
    from django.test import Client

    from portal import cache
    from workflow.models import DisclosureItem

    url = f"/items/{items['rules'].pk}/"
    Client().get(url)
    DisclosureItem.objects.filter(pk=items["rules"].pk).update(title="学生奖励处罚办法（二次修订）")  # no change told
    assert "学生奖励处罚办法（修订）" in text(Client().get(url))  # the same code: the kept page
    with patch.object(cache, "code_identity", return_value="upgraded"):
        assert "学生奖励处罚办法（二次修订）" in text(Client().get(url))


@pytest.mark.parametrize("name, value, path, shown", [
    ("SCHOOL_NAME", "某某理工大学", "/items/{item}/", "某某理工大学"),
    ("SITE_URL", "https://xxgk.example.edu.cn", "/feed/", "https://xxgk.example.edu.cn/items/{item}/"),
])
def test_a_restart_with_another_setting_the_pages_show_serves_none_made_before(items, name, value, path, shown):
    """The office sets the school's name (or the site's address) and restarts: kept pages carry the
    old one, so none of them is served."""
    from django.test import Client

    from portal import cache

    url, shown = path.format(item=items["rules"].pk), shown.format(item=items["rules"].pk)
    assert shown not in text(Client().get(url))
    try:
        with override_settings(**{name: value}):
            cache.code_identity.cache_clear()  # a new process
            assert shown in text(Client().get(url))
    finally:
        cache.code_identity.cache_clear()


def test_the_codes_identity_changes_with_its_code_and_not_with_its_data(tmp_path):
    from portal.cache import digest_of_code

    (tmp_path / "templates").mkdir()
    (tmp_path / "var").mkdir()
    (tmp_path / "templates" / "item.html").write_text("<h1>{{ item.title }}</h1>")
    (tmp_path / "requirements.lock").write_text("Django==5.2.8\n")
    before = digest_of_code(tmp_path)
    (tmp_path / "var" / "cache.html").write_text("data")
    (tmp_path / "templates" / "notes.md").write_text("not code")
    assert digest_of_code(tmp_path) == before
    (tmp_path / "templates" / "item.html").write_text("<h2>{{ item.title }}</h2>")
    changed = digest_of_code(tmp_path)
    assert changed != before
    (tmp_path / "requirements.lock").write_text("Django==5.2.9\n")
    assert digest_of_code(tmp_path) not in (before, changed)


@override_settings(PORTAL_VERSION_SECONDS=3600)
def test_a_documents_page_links_its_interpretation_for_the_first_visitor_after_it_is_published(items):
    from django.test import Client

    from workflow.models import DisclosureItem

    interpretation = factory.draft("5", title="《2026年工作要点》政策解读", produced_on=D(2026, 2, 3))
    DisclosureItem.objects.filter(pk=items["plan"].pk).update(interpretation=interpretation)
    url = f"/items/{items['plan'].pk}/"
    assert f'href="/items/{interpretation.pk}/"' not in text(Client().get(url))  # not public yet: no link
    factory.publish(factory.review(interpretation, when=factory.at(D(2026, 2, 4))), when=factory.at(D(2026, 2, 5)))
    assert f'href="/items/{interpretation.pk}/"' in text(Client().get(url))


def test_a_renamed_department_or_channel_shows_on_the_public_pages(items, user):
    """The office renames a department (a reorganisation) or a channel in the admin: the item
    pages name them, and show the new name as after a publication, not minutes later."""
    from django.test import Client

    from policies.services import save_department
    from workflow.channels import save_channel
    from workflow.models import Channel

    url = f"/items/{items['fees'].pk}/"
    assert "财务资产处" in text(Client().get(url)) and "微信公众号" in text(Client().get(url))
    department = items["fees"].department
    department.name = "计划财务处"
    save_department(department, actor=user("office"), changed_fields=["name"])
    Client().get(url)  # the first visitor after a change may get the page as it was
    assert "计划财务处" in text(Client().get(url))
    channel = Channel.objects.get(code="wechat")
    channel.name = "学校官方微信"
    save_channel(channel, actor=user("office"), changed_fields=["name"])
    Client().get(url)
    assert "学校官方微信" in text(Client().get(url))


def test_english_through_the_language_menu(client, items):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    page = text(response)
    assert "Information disclosure column" in page and "By category" in page
    assert "2025年学费收费标准公示" in page  # content stays as published
    assert "信息公开专栏" in text(client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"}, follow=True))


def test_public_pages_refuse_writes(client, items):
    assert client.post("/").status_code == 405
    assert client.post(f"/items/{items['fees'].pk}/").status_code == 405


def test_viewing_the_site_writes_nothing_to_the_audit_log(client, items):
    before = AuditEvent.objects.count()
    client.get("/")
    client.get(f"/items/{items['fees'].pk}/")
    client.get("/feed/")
    assert AuditEvent.objects.count() == before


def test_a_cached_page_gives_each_visitor_a_working_language_menu(items):
    """The cached page is the same bytes for every visitor (no per-visitor CSRF token or cookie);
    its language menu works from this site and is refused from another one."""
    from django.test import Client

    Client().get("/")  # cached by a first visitor
    pages = []
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        response = visitor.get("/")
        assert response["X-Frame-Options"] == "DENY" and "default-src 'self'" in response["Content-Security-Policy"]
        assert "csrftoken" not in response.cookies and "sessionid" not in response.cookies
        pages.append(response.content)
        foreign = visitor.post("/i18n/setlang/", {"language": "en", "next": "/"}, HTTP_ORIGIN="https://evil.example")
        assert foreign.status_code == 403 and "信息公开专栏" in text(visitor.get("/"))
        assert visitor.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 403  # no origin at all
        switched = visitor.post("/i18n/setlang/", {"language": "en", "next": "/"}, HTTP_ORIGIN="http://testserver")
        assert switched.status_code == 302
        assert "Information disclosure column" in text(visitor.get("/"))
    assert pages[0] == pages[1]


@override_settings(PORTAL_VERSION_SECONDS=3600)
@pytest.mark.parametrize("path", ["/", "/category/{category}/", "/items/{item}/", "/search/?q=收费", "/catalogue/", "/guide/", "/annual-reports/"])
def test_a_cached_public_page_is_served_without_asking_the_database(items, path, django_assert_num_queries):
    from django.test import Client

    url = path.format(category=items["fees"].catalogue_entry.category.number, item=items["fees"].pk)
    first = Client().get(url)
    assert first.status_code == 200
    for language in ("zh-hans", "en"):
        visitor = Client(HTTP_ACCEPT_LANGUAGE=language)
        visitor.get(url)  # each language is its own cached page
        with django_assert_num_queries(0), patch("django.template.base.Template.render") as rendered:
            again = Client(HTTP_ACCEPT_LANGUAGE=language).get(url)
        assert not rendered.called  # the whole page as it was, not a frame rendered around a cached body
        assert again.status_code == 200 and again["Content-Language"] == language
        assert '<html lang="{}">'.format({"zh-hans": "zh-CN", "en": "en"}[language]) in text(again)


@override_settings(PORTAL_VERSION_SECONDS=3600)
def test_a_cached_page_keeps_every_header_the_site_gives_it(items):
    """A hit is served before any other middleware, so it must carry what they gave the page."""
    from django.test import Client

    first = Client().get("/")
    again = Client().get("/")
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy",
                   "Cross-Origin-Opener-Policy", "Content-Language", "Content-Type", "Vary"):
        assert again[header] == first[header], header
    assert again.content == first.content
    # The first visitor's request id (its own, here) is not handed to the next one.
    Client().get("/items/{}/".format(items["fees"].pk), HTTP_X_REQUEST_ID="first-visitor")
    assert "X-Request-ID" not in Client().get("/items/{}/".format(items["fees"].pk))


@override_settings(PORTAL_VERSION_SECONDS=3600, SECURE_HSTS_SECONDS=3600)
def test_a_page_cached_over_https_is_not_served_over_http_nor_to_a_foreign_host(items):
    from django.test import Client

    secure = Client().get("/", secure=True)
    assert "Strict-Transport-Security" in Client().get("/", secure=True)
    assert "Strict-Transport-Security" not in Client().get("/")  # its own page, without the header
    assert Client().get("/", HTTP_HOST="evil.example").status_code == 400
    assert secure.status_code == 200


def test_signed_in_staff_see_their_own_header_on_public_pages(client, user, items):
    client.get("/")  # cached for anonymous visitors
    client.force_login(user("cwc_head"))
    page = text(client.get("/"))
    assert "财务资产处负责人" in page and "退出" in page


@override_settings(PORTAL_VERSION_SECONDS=3600)
def test_junk_in_the_query_string_never_queries_the_items_again(client, items, django_assert_max_num_queries):
    url = f"/items/{items['fees'].pk}/"
    client.get(url)
    with django_assert_max_num_queries(0):
        page = text(client.get(url + "?utm_source=x&junk=1"))
    assert "学费每生每年5000元" in page


def test_attachments_of_published_items_download_for_anyone(client, demo, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from workflow import services

    settings.MEDIA_ROOT = tmp_path
    item = factory.draft("19", title="2025年部门预算公开", produced_on=D(2025, 9, 1))
    with factory.time_machine.travel(factory.at(D(2025, 9, 1), 11), tick=False):
        pdf = SimpleUploadedFile("2025年预算表.pdf", b"%PDF-1.4\n% budget tables\n", content_type="application/pdf")
        attachment = services.add_attachment(item, actor=factory.persona("cwc_liaison"), uploaded_file=pdf)
    url = f"/items/{item.pk}/attachments/{attachment.pk}/"
    assert client.get(url).status_code == 404  # not published yet
    item = factory.publish(factory.review(item, when=factory.at(D(2025, 9, 2), 9)), when=factory.at(D(2025, 9, 2), 10))
    assert f'href="{url}"' in text(client.get(f"/items/{item.pk}/"))
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-1.4")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Security-Policy"] == "sandbox" and "attachment;" in response["Content-Disposition"]
    assert client.get(f"/items/{item.pk}/attachments/{attachment.pk + 99}/").status_code == 404
    factory.withdraw(item, reason="预算调整", when=factory.at(D(2025, 9, 5)))
    assert client.get(url).status_code == 404


def test_without_redis_the_pages_of_a_crawl_of_the_site_stay_cached(items):
    """./bin/serve keeps pages in its own memory: a crawler visiting hundreds of pages must not
    push out the ones visitors open (Django's default room, 300 entries, would)."""
    from django.conf import settings
    from django.test import Client

    from workflow.models import DisclosureItem

    assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")  # the embedded default
    url = f"/items/{items['rules'].pk}/"
    Client().get(url)
    DisclosureItem.objects.filter(pk=items["rules"].pk).update(title="学生奖励处罚办法（二次修订）")  # no change told
    for n in range(400):
        assert Client().get(f"/search/?q=第{n}号").status_code == 200
    assert "学生奖励处罚办法（修订）" in text(Client().get(url))  # still the kept page, not a new render


def test_the_filters_follow_a_publication_in_a_new_year_and_a_department_given_a_catalogue_item(client, items):
    """The filters' years and departments are read once per site version in each process: a
    publication, or a catalogue item given to another department, shows in them at once."""
    from policies.models import Department
    from workflow.models import CatalogueEntry

    def filter_options(name):
        page = text(client.get("/"))
        select = re.search(rf'<select name="{name}">(.*?)</select>', page, re.S)[1]
        return re.findall(r'<option value="([^"]*)"', select)

    assert filter_options("year") == ["", "2026", "2025", "2024"]
    factory.published("21", title="2027年学费收费标准公示", produced_on=D(2027, 1, 4), published_on=D(2027, 1, 5))
    assert filter_options("year") == ["", "2027", "2026", "2025", "2024"]
    entry = CatalogueEntry.objects.get(code="47")  # the college's one catalogue item
    assert entry.department.code == "jdxy" and "jdxy" in filter_options("department")
    entry.department = Department.objects.get(code="dzb")
    entry.save()
    assert "jdxy" not in filter_options("department")
