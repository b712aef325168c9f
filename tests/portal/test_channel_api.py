"""One channel table: the admin's list is what the API, publication and the reports accept; channel
posts through the API (office only, audited), counted by their own dates."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from portal import services
from portal.channels import period_counts
from workflow import channels
from workflow.channels import Channel
from tests import openapi
from tests.portal import factory
from workflow import services as workflow

D = datetime.date


@pytest.fixture
def api(user):
    def client_for(username):
        client = APIClient()
        client.force_authenticate(user(username))
        return client

    return client_for


@pytest.fixture
def item(demo):
    return factory.published("21", title="收费标准公示", produced_on=D(2025, 8, 20), published_on=D(2025, 8, 25))


def test_the_reference_reports_channels_are_seeded(api):
    response = api("cwc_liaison").get("/api/channels/")
    assert response.status_code == 200
    openapi.assert_matches(response, "/api/channels/", "get")
    names = {row["code"]: row["name"] for row in response.json()}
    assert {"学校网站新闻", "通知公告", "校外媒体报道", "部门网站", "官方微信公众号", "门户网站信息公开专栏"} <= set(names.values())
    online = {row["code"]: row["online"] for row in response.json()}
    assert online["news"] and online["wechat"] and not online["print"]


def test_office_creates_lists_and_deletes_posts_through_the_api(api, item):
    office = api("office")
    before = AuditEvent.objects.count()
    response = office.post("/api/channel-posts/", {
        "item": item.pk, "channel": "news", "posted_on": "2025-09-02", "url": "https://www.example.edu.cn/news/1",
    }, format="json")
    assert response.status_code == 201, response.json()
    openapi.assert_matches(response, "/api/channel-posts/", "post")
    post = response.json()
    assert (post["channel_name"], post["posted_on"], post["item"]) == ("学校网站新闻", "2025-09-02", item.pk)
    event = AuditEvent.objects.order_by("-seq").first()
    assert AuditEvent.objects.count() == before + 1
    assert (event.action, event.actor_username) == ("channel.post.record", "office")

    assert {c.code: c.count for c in period_counts(D(2025, 9, 1), D(2025, 9, 30))} == {"news": 1}  # the report counts it

    listed = office.get("/api/channel-posts/", {"channel": "news", "from": "2025-09-01", "to": "2025-09-30"})
    assert listed.status_code == 200
    openapi.assert_matches(listed, "/api/channel-posts/", "get")
    assert [row["id"] for row in listed.json()["results"]] == [post["id"]]
    assert office.get("/api/channel-posts/", {"from": "2025-09-03"}).json()["results"] == []
    bad_date = office.get("/api/channel-posts/", {"from": "2025-13-01"})
    assert bad_date.status_code == 400
    assert bad_date.json() == {"from": ["请按 YYYY-MM-DD 输入日期。"]}  # the parameter named, in Chinese

    deleted = office.delete(f"/api/channel-posts/{post['id']}/?reason=登记错了")
    assert deleted.status_code == 204
    assert AuditEvent.objects.order_by("-seq").first().action == "channel.post.remove"
    assert office.get("/api/channel-posts/", {"item": item.pk}).json()["results"] == []
    assert period_counts(D(2025, 9, 1), D(2025, 9, 30)) == []  # a removed post no longer counts
    assert office.delete(f"/api/channel-posts/{post['id']}/").status_code == 404


def test_bad_posts_are_refused_with_the_field_named(api, item):
    office = api("office")
    for body, field in [
        ({"item": item.pk, "channel": "nosuch", "posted_on": "2025-09-02", "url": "https://x.example/"}, "non_field_errors"),
        ({"item": item.pk, "channel": "news", "posted_on": "2025-02-30", "url": "https://x.example/"}, "posted_on"),
        ({"item": item.pk, "channel": "news", "posted_on": "2999-01-01", "url": "https://x.example/"}, "posted_on"),
        ({"item": item.pk, "channel": "news", "posted_on": "0001-01-01", "url": "https://x.example/"}, "posted_on"),
        ({"item": 999999, "channel": "news", "posted_on": "2025-09-02", "url": "https://x.example/"}, "item"),
    ]:
        response = office.post("/api/channel-posts/", body, format="json")
        assert response.status_code == 400, (body, response.json())
        assert field in response.json(), response.json()
    assert response.json()["item"] == ["未知的事项。"]  # the last one, in the caller's language
    assert not services.ChannelPost.objects.exists()


@pytest.mark.parametrize("username", ["cwc_liaison", "cwc_head", "leader", "auditor"])
def test_only_the_office_records_posts(api, item, username):
    client = api(username)
    assert client.get("/api/channel-posts/").status_code == 403
    body = {"item": item.pk, "channel": "news", "posted_on": "2025-09-02", "url": "https://x.example/"}
    assert client.post("/api/channel-posts/", body, format="json").status_code == 403
    assert APIClient().get("/api/channel-posts/").status_code in (401, 403)


def test_posts_count_by_their_own_date(user, item):
    """The item was published in August 2025 (last academic year); its WeChat post of September
    counts in 2025–2026, its news post of August in 2024–2025."""
    office = user("office")
    services.record_post(item, actor=office, channel="wechat", url="https://mp.weixin.qq.com/s/1",
                         posted_at=factory.at(D(2025, 9, 5)))
    services.record_post(item, actor=office, channel="news", url="https://www.example.edu.cn/n/1",
                         posted_at=factory.at(D(2025, 8, 25)))
    this_year = {c.code: c.count for c in period_counts(D(2025, 9, 1), D(2026, 8, 31))}
    last_year = {c.code: c.count for c in period_counts(D(2024, 9, 1), D(2025, 8, 31))}
    assert this_year == {"wechat": 1}
    assert last_year == {"portal": 1, "news": 1}


def test_a_channel_the_office_adds_is_accepted_at_publication_and_counted(api, user, demo):
    office = user("office")
    channels.save_channel(Channel(code="radio", name="校园广播", order=200, online=False), actor=office)
    item = factory.draft("21", title="收费标准", produced_on=D(2025, 9, 1))
    item = factory.review(item, when=factory.at(D(2025, 9, 2)))
    response = api("office").post(f"/api/disclosures/{item.pk}/publish/", {"channels": ["radio", "news"]}, format="json")
    assert response.status_code == 200, response.json()
    workflow.complete_publication(item.pk)
    item.refresh_from_db()
    assert item.channels == ["portal", "radio", "news"]
    counts = {c.name: c.count for c in period_counts(timezone.localdate(item.published_at), timezone.localdate(item.published_at))}
    assert counts == {"门户网站信息公开专栏": 1, "学校网站新闻": 1, "校园广播": 1}

    # Retired in the admin: no longer accepted for a new publication, still counted where it was used.
    channel = Channel.objects.get(code="radio")
    channel.active = False
    channels.save_channel(channel, actor=office, changed_fields=["active"])
    other = factory.review(factory.draft("21", title="收费标准二", produced_on=D(2025, 9, 1)), when=factory.at(D(2025, 9, 2)))
    refused = api("office").post(f"/api/disclosures/{other.pk}/publish/", {"channels": ["radio"]}, format="json")
    assert refused.status_code == 400 and "radio" in refused.json()["channels"][0]
    assert "校园广播" in {c.name for c in period_counts(timezone.localdate(item.published_at), timezone.localdate(item.published_at))}


def test_the_publish_form_offers_the_channel_table(client, user, demo):
    channels.save_channel(Channel(code="radio", name="校园广播", order=200), actor=user("office"))
    client.force_login(user("cwc_liaison"))
    page = client.get("/workflow/items/new/").content.decode()
    assert "校园广播" in page and "学校网站新闻" in page


def test_the_disclosure_list_is_documented_as_the_paginated_object_it_returns(api, item):
    response = api("office").get("/api/disclosures/")
    assert response.status_code == 200 and "results" in response.json()
    openapi.assert_matches(response, "/api/disclosures/", "get")


def test_a_year_no_time_can_hold_is_refused_in_the_filters(api, item):
    for params in ({"from": "0001-01-01"}, {"to": "9999-12-31"}):
        response = api("office").get("/api/channel-posts/", params)
        assert response.status_code == 400, response.content
        assert list(response.json()) == list(params)
