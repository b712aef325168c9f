"""The Atom feed, read by a real feed parser."""

import datetime

import feedparser
import pytest

from tests.portal import factory

D = datetime.date


@pytest.fixture
def items(demo):
    older = factory.published("21", title="收费标准公示", body="<p>学费标准。</p>",
                              produced_on=D(2025, 9, 1), published_on=D(2025, 9, 3))
    newer = factory.published("38", title="学生奖励处罚办法", body="<p>奖惩规定。</p>",
                              produced_on=D(2025, 10, 9), published_on=D(2025, 10, 10))
    newest = factory.published("19", title="2026年预算公开", body="<p>收支预算总表。</p>",
                               produced_on=D(2026, 1, 5), published_on=D(2026, 1, 6))
    return older, newer, newest


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    return feed


def test_site_feed_lists_the_latest_publications_newest_first(client, items):
    older, newer, newest = items
    feed = parse(client, "/feed/")
    assert [e.title for e in feed.entries] == ["2026年预算公开", "学生奖励处罚办法", "收费标准公示"]
    first = feed.entries[0]
    assert first.link.endswith(f"/items/{newest.pk}/")
    assert first.published_parsed[:3] == (2026, 1, 6)
    assert "收支预算总表" in first.summary
    assert first.author == "财务资产处"


def test_category_feed_has_only_that_category(client, items):
    feed = parse(client, "/feed/?category=3")
    assert [e.title for e in feed.entries] == ["2026年预算公开", "收费标准公示"]
    assert "财务、资产及收费信息" in feed.feed.title


def test_unknown_category_feed_is_404(client, items):
    assert client.get("/feed/?category=99").status_code == 404
    assert client.get("/feed/?category=x").status_code == 404


def test_withdrawn_items_appear_as_withdrawn_with_the_reason(client, items):
    older, _newer, _newest = items
    factory.withdraw(older, reason="标准有误", when=factory.at(D(2025, 9, 5)))
    feed = parse(client, "/feed/")
    entry = next(e for e in feed.entries if e.link.endswith(f"/items/{older.pk}/"))
    assert "收费标准公示" in entry.title and entry.title != "收费标准公示"
    assert "标准有误" in entry.summary and "学费标准" not in entry.summary


def test_unpublished_items_are_not_in_the_feed(client, items):
    factory.draft("20", title="决算草稿", produced_on=D(2026, 1, 5))
    assert "决算草稿" not in [e.title for e in parse(client, "/feed/").entries]
