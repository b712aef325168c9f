"""The list of all items says what it holds: every state, each row with its state in words, and
filters by group (in progress, public) or by one state."""

import re

from tests.workflow.helpers import draft, to_state
from workflow import services


def _rows(page):
    return dict(re.findall(r'<tr data-item="(\d+)".*?<span class="badge state state-\w+ [^"]*">([^<]+)</span>', page, re.S))


def test_the_list_is_named_for_what_it_holds_and_filters_by_state(client, user):
    in_draft = draft(user, title="草稿中的事项")
    published = to_state(user, draft(user, title="已公开的事项"), "published")
    refused = to_state(user, draft(user, title="不予公开的事项"), "confidentiality_review")
    services.refuse(refused, actor=user("cwc_reviewer"), ground="privacy", comment="含学生个人信息")
    client.force_login(user("cwc_liaison"))

    page = client.get("/workflow/items/").content.decode()
    assert "全部事项" in page and "全部公开事项" not in page
    assert "共 3 项，包括各种状态：草稿、审核中、已公开、不予公开。" in page
    assert _rows(page) == {str(in_draft.pk): "草稿", str(published.pk): "已公开", str(refused.pk): "不予公开"}

    page = client.get("/workflow/items/", {"state": "public"}).content.decode()
    assert "全部事项 · 已公开" in page and _rows(page) == {str(published.pk): "已公开"}
    page = client.get("/workflow/items/", {"state": "in_progress"}).content.decode()
    assert _rows(page) == {str(in_draft.pk): "草稿"}
    page = client.get("/workflow/items/", {"state": "refused"}).content.decode()
    assert _rows(page) == {str(refused.pk): "不予公开"}
    page = client.get("/workflow/items/", {"state": "no-such-state"}).content.decode()
    assert len(_rows(page)) == 3  # an unknown filter lists everything rather than nothing

    home = client.get("/home/").content.decode()
    assert "全部公开事项" not in home and '<a href="/workflow/items/">全部事项</a>' in home


def test_a_long_list_says_more_than_its_limit_instead_of_counting_every_item(client, user, monkeypatch):
    from workflow import views

    for n in range(3):
        draft(user, title=f"草稿 {n}")
    client.force_login(user("cwc_liaison"))
    monkeypatch.setattr(views, "LIST_COUNT_LIMIT", 3)  # exactly at the limit: the exact count
    assert "共 3 项，包括各种状态" in client.get("/workflow/items/").content.decode()

    monkeypatch.setattr(views, "LIST_COUNT_LIMIT", 2)
    page = client.get("/workflow/items/").content.decode()
    assert "超过 2 项，包括各种状态：草稿、审核中、已公开、不予公开。" in page and "共 " not in page
    assert len(_rows(page)) == 3  # the list itself is not cut at the count's limit
    page = client.get("/workflow/items/", {"state": "draft"}).content.decode()
    assert "超过 2 项。" in page and "共 " not in page
