"""Searching the public column in Chinese: the query and the items are segmented into words
(jieba), every word must occur, the most relevant item comes first and the words are highlighted.
Runs on SQLite (FTS5) and, in CI's PostgreSQL pass, on PostgreSQL (tsvector with a GIN index)."""

import datetime
import re

import pytest

from tests.portal import factory

D = datetime.date


@pytest.fixture
def library(demo):
    made = {}

    def publish(key, entry, title, body, day):
        made[key] = factory.published(entry, title=title, body=f"<p>{body}</p>", produced_on=day, published_on=day + datetime.timedelta(days=1))

    publish("winners", "38", "2025年国家奖学金获奖学生名单公示",
            "经学生申请、学院推荐、学校评审，现将2025年国家奖学金获奖学生名单予以公示。", D(2025, 10, 8))
    publish("aid", "38", "学生资助工作管理办法",
            "为做好家庭经济困难学生资助工作，制定本办法。本办法所称资助包括助学金、勤工助学，以及奖学金的评审与发放。", D(2025, 9, 2))
    publish("honour", "5", "关于表彰王小明等优秀教师的决定",
            "王小明同志长期坚守教学一线，教书育人成绩突出。经研究，决定予以表彰。", D(2025, 9, 10))
    publish("mention", "5", "2025年教师节表彰大会召开",
            "大会由校长主持，表彰了一批优秀教师，王小明老师作为代表发言。", D(2025, 9, 11))
    publish("number", "5", "关于印发《学生奖励办法》的通知",
            "各学院、各部门：现将《学生奖励办法》印发给你们，请遵照执行。校发〔2025〕12号", D(2025, 9, 15))
    publish("other_number", "5", "关于印发《教职工考勤管理规定》的通知",
            "各单位：现将规定印发，请遵照执行。校发〔2025〕7号。校发〔2024〕12号同时废止。", D(2025, 9, 16))
    return made


def results(client, q, **filters):
    """The result titles in page order, and the page's HTML."""
    page = client.get("/search/", {"q": q, **filters})
    assert page.status_code == 200
    html = page.content.decode()
    listing = html.split('<table class="items">')[1].split("</table>")[0] if '<table class="items">' in html else ""
    titles = [re.sub(r"</?mark>", "", t) for t in re.findall(r'<a href="/items/\d+/">(.*?)</a>', listing)]
    return titles, listing


def test_words_are_found_apart_and_in_any_order_and_the_closest_match_ranks_first(client, library):
    # Neither substring occurs as typed: the query is cut into 国家/奖学金/获奖/名单.
    titles, listing = results(client, "国家奖学金获奖名单")
    assert titles == ["2025年国家奖学金获奖学生名单公示"]
    titles, _ = results(client, "奖学金")
    assert titles[0] == "2025年国家奖学金获奖学生名单公示"  # in the title, before a mention in the text
    assert "学生资助工作管理办法" in titles
    assert "<mark>奖学金</mark>" in listing


def test_a_person_is_found_by_name_and_the_item_about_them_comes_first(client, library):
    titles, listing = results(client, "王小明")
    assert titles == ["关于表彰王小明等优秀教师的决定", "2025年教师节表彰大会召开"]
    assert "<mark>王小明</mark>" in listing
    assert "老师作为代表发言" in listing  # a snippet of the text where the name occurs


def test_a_document_number_finds_its_document_first(client, library):
    titles, listing = results(client, "校发〔2025〕12号")
    assert titles[0] == "关于印发《学生奖励办法》的通知"
    assert "<mark>12</mark>" in listing


def test_search_respects_the_filters_and_says_when_nothing_matches(client, library):
    students = library["winners"].catalogue_entry.category
    teachers = library["honour"].catalogue_entry.category
    assert students != teachers
    titles, _ = results(client, "表彰", category=str(students.number))
    assert titles == []
    titles, _ = results(client, "表彰", category=str(teachers.number))
    assert set(titles) == {"关于表彰王小明等优秀教师的决定", "2025年教师节表彰大会召开"}
    assert results(client, "量子计算机")[0] == []
    titles, _ = results(client, "〔〕")  # punctuation only: no words, no results, no error
    assert titles == []


def test_withdrawn_items_stay_searchable_and_drafts_never_are(client, library):
    factory.draft("5", title="王小明职称评审材料（草稿）", produced_on=D(2025, 9, 20))
    assert results(client, "王小明职称")[0] == []
    factory.withdraw(library["honour"], reason="信息有误", when=factory.at(D(2025, 9, 30)))
    titles, listing = results(client, "王小明")
    assert titles[0] == "关于表彰王小明等优秀教师的决定" and "撤回" in listing


def test_only_the_newest_matches_are_ranked_and_the_page_says_so(client, library, monkeypatch):
    """A common word matches thousands of items: only the newest CANDIDATES (here 3) are ranked,
    the most relevant first, and the page says that older matches were left out."""
    from django.core.cache import cache as django_cache

    from portal import search

    def page(q):
        return client.get("/search/", {"q": q}).content.decode()

    factory.published("38", title="学生工作简报第1期", body="<p>本期报道奖学金评审进展。</p>", produced_on=D(2025, 11, 3))
    factory.published("38", title="关于做好2025年奖学金评审工作的通知", body="<p>各学院：</p>", produced_on=D(2025, 11, 4))
    factory.published("38", title="学生工作简报第2期", body="<p>奖学金评审进入公示阶段。</p>", produced_on=D(2025, 11, 5))
    monkeypatch.setattr(search, "CANDIDATES", 3)
    titles, _ = results(client, "奖学金")
    # The newest three, the title match first; the older winners' list (a title match too) is left out.
    assert titles == ["关于做好2025年奖学金评审工作的通知", "学生工作简报第2期", "学生工作简报第1期"]
    assert "匹配结果超过 3 条" in page("奖学金")
    assert "匹配结果超过" not in page("王小明")  # two matches: all ranked, nothing left out

    monkeypatch.setattr(search, "CANDIDATES", 10)
    django_cache.clear()  # a new setting comes with a deploy, not with a change of the site's version
    titles, _ = results(client, "奖学金")
    assert set(titles[:2]) == {"关于做好2025年奖学金评审工作的通知", "2025年国家奖学金获奖学生名单公示"} and len(titles) == 5
    assert "匹配结果超过" not in page("奖学金")
