"""The office records where a published item went (audited); others may not."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from portal import services
from portal.channels import placements_for, tally
from tests.portal import factory

D = datetime.date


@pytest.fixture
def item(demo):
    return factory.published("21", title="收费标准公示", produced_on=D(2025, 9, 1), published_on=D(2025, 9, 3))


def test_office_records_a_post_on_the_item_page_and_it_is_audited(client, user, item):
    client.force_login(user("office"))
    assert "收费标准公示" in client.get("/office/channels/").content.decode()
    before = AuditEvent.objects.count()
    response = client.post(f"/office/channels/items/{item.pk}/", {
        "action": "record", "channel": _channel("wechat"), "url": "https://mp.weixin.qq.com/s/xyz", "posted_at": "2025-09-03T12:00",
    })
    assert response.status_code == 302
    page = client.get(f"/office/channels/items/{item.pk}/").content.decode()
    assert "https://mp.weixin.qq.com/s/xyz" in page
    event = AuditEvent.objects.order_by("-seq").first()
    assert AuditEvent.objects.count() == before + 1
    assert (event.action, event.actor_username, event.department) == ("channel.post.record", "office", "cwc")
    assert "https://mp.weixin.qq.com/s/xyz" in client.get(f"/items/{item.pk}/").content.decode()  # public page too


def test_a_post_needs_a_link_or_reference(client, user, item):
    client.force_login(user("office"))
    response = client.post(f"/office/channels/items/{item.pk}/", {"action": "record", "channel": _channel("print")})
    assert response.status_code == 400
    assert "请填写发布链接或可查找的出处" in response.content.decode()
    with pytest.raises(ValidationError):
        services.record_post(item, actor=user("office"), channel="portal", url="https://example.edu.cn/")


@pytest.mark.parametrize("posted_at, message", [
    ("0001-01-01T00:00", "请输入 1900-01-01 至 2100-12-31 之间的日期"),  # before year 1 in UTC: unreadable once stored
    ("9999-12-31T23:59", "发布日期不能晚于今天"),
])
def test_a_post_dated_in_a_mistyped_year_is_a_form_error(client, user, item, posted_at, message):
    client.force_login(user("office"))
    response = client.post(f"/office/channels/items/{item.pk}/", {
        "action": "record", "channel": _channel("wechat"), "url": "https://mp.weixin.qq.com/s/xyz", "posted_at": posted_at,
    })
    assert response.status_code == 400 and message in response.content.decode()
    assert not services.ChannelPost.objects.exclude(channel__code="portal").exists()
    assert client.get("/office/channels/").status_code == 200
    assert client.get(f"/office/channels/items/{item.pk}/").status_code == 200


def test_five_channels_count_five_times_and_once_as_an_item(user, item):
    office = user("office")
    for code in ("wechat", "weibo", "douyin", "toutiao"):
        services.record_post(item, actor=office, channel=code, url=f"https://{code}.example/1")
    counts, items = tally(placements_for([item]))
    assert items == 1
    assert [(code, n) for code, _name, n in counts] == [("portal", 1), ("wechat", 1), ("weibo", 1), ("douyin", 1), ("toutiao", 1)]


def test_removing_a_mistaken_record_keeps_it_with_the_reason(client, user, item):
    office = user("office")
    post = services.record_post(item, actor=office, channel="oa", reference="OA 2025-118")
    client.force_login(office)
    response = client.post(f"/office/channels/items/{item.pk}/", {"action": "remove", "post": post.pk, "reason": "登记错了条目"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.removed_at and post.removed_reason == "登记错了条目"
    assert AuditEvent.objects.order_by("-seq").first().action == "channel.post.remove"
    assert [p.code for p in placements_for([item])[item.pk]] == ["portal"]


@pytest.mark.parametrize("username", ["cwc_head", "cwc_liaison", "leader", "auditor"])
def test_others_may_not_record_channels(client, user, item, username):
    client.force_login(user(username))
    assert client.get("/office/channels/").status_code == 403
    assert client.post(f"/office/channels/items/{item.pk}/", {"action": "record", "channel": _channel("wechat"), "url": "https://x.example/"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.record_post(item, actor=user(username), channel="wechat", url="https://x.example/")


def test_unpublished_items_have_no_channel_page(client, user, demo):
    draft = factory.draft("19", title="预算草稿", produced_on=D(2025, 9, 1))
    client.force_login(user("office"))
    assert client.get(f"/office/channels/items/{draft.pk}/").status_code == 404
    with pytest.raises(ValidationError):
        services.record_post(draft, actor=user("office"), channel="wechat", url="https://x.example/")


def _channel(code):
    from workflow.channels import Channel

    return Channel.objects.get(code=code).pk


def test_office_adds_a_channel_in_the_admin_and_it_is_audited(client, user):
    from workflow.channels import Channel

    client.force_login(user("office"))
    response = client.post("/admin/workflow/channel/add/", {"code": "radio", "name": "校园广播", "order": 200, "active": "on"})
    assert response.status_code == 302, response.content.decode()[:1500]
    assert Channel.objects.get(code="radio").name == "校园广播"
    event = AuditEvent.objects.filter(action="channel.create").order_by("-seq").first()
    assert event is not None and event.actor_username == "office"
    assert client.get("/admin/workflow/channel/").status_code == 200
    client.force_login(user("cwc_head"))
    assert client.get("/admin/workflow/channel/").status_code in (302, 403)
