"""Hostile input at the boundary (issue: no server error, no leak): each reproduction from the
attack report gets a 400 naming the field (or a 404 that tells nothing), and nothing is stored."""

import datetime
import json

import pytest
from django.test import Client

from audit.models import AuditEvent
from tests.workflow.helpers import draft, entry, to_state
from workflow import services
from workflow.models import DisclosureItem, Notification

pytestmark = pytest.mark.django_db


def _valid(**changes):
    body = {"catalogue_entry": entry("19").pk, "title": "收支预算总表", "body": "<p>内容</p>",
            "produced_on": "2025-09-26", "channels": ["portal"]}
    body.update(changes)
    return body


def _raw_json(client, path, text):
    """Post JSON text as given (escapes such as \\ud800 that no encoder would produce)."""
    return client.post(path, data=text.encode("utf-8"), content_type="application/json")


def _items():
    return DisclosureItem.objects.count(), AuditEvent.objects.count()


def test_mark_read_with_a_number_instead_of_a_list_is_400(api, user):
    response = api("cwc_liaison").post("/api/notifications/", {"ids": 9}, format="json")
    assert response.status_code == 400 and "ids" in response.json()
    for ids in (["x"], [{"a": 1}], [10**30], None):
        response = api("cwc_liaison").post("/api/notifications/", {"ids": ids}, format="json")
        assert response.status_code in (204, 400), ids


@pytest.mark.parametrize("url", [5, ["https://a.example"], {"u": 1}, True])
def test_an_interpretation_url_that_is_not_text_is_400(api, url):
    before = _items()
    response = api("cwc_liaison").post("/api/disclosures/", _valid(interpretation_url=url), format="json")
    assert response.status_code == 400 and "interpretation_url" in response.json()
    assert _items() == before


@pytest.mark.parametrize(
    "title, message",
    [("标题\x00", "空字符"), ("标题\x07", "U+0007"), ("标题\x1b[2J", "U+001B"), ("\u202e标题", "U+202E"),
     ("标题\ufffd", "U+FFFD"), ("第一行\n第二行", "换行")],
)
def test_a_title_with_forbidden_characters_is_400_in_chinese_naming_the_field(api, title, message):
    before = _items()
    response = api("cwc_liaison").post("/api/disclosures/", _valid(title=title), format="json",
                                       HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert "title" in response.json() and message in " ".join(response.json()["title"])
    assert _items() == before


def test_a_lone_surrogate_in_json_is_400_not_500(api):
    before = _items()
    text = json.dumps(_valid(title="x")).replace('"x"', '"\\ud800"')
    response = _raw_json(api("cwc_liaison"), "/api/disclosures/", text)
    assert response.status_code == 400 and "title" in response.json()
    text = json.dumps(_valid(title="x")).replace('"title"', '"\\udfff"')
    response = _raw_json(api("cwc_liaison"), "/api/disclosures/", text)
    assert response.status_code == 400
    assert _items() == before


def test_nul_in_a_body_is_refused_not_silently_stripped(api):
    before = _items()
    response = api("cwc_liaison").post("/api/disclosures/", _valid(body="<p>前\x00后</p>"), format="json")
    assert response.status_code == 400 and "body" in response.json()
    assert _items() == before


def test_a_body_over_the_limit_is_400_and_one_at_the_limit_is_kept(api, settings):
    settings.BODY_MAX_BYTES = 3000
    response = api("cwc_liaison").post("/api/disclosures/", _valid(body="<p>" + "字" * 1200 + "</p>"), format="json")
    assert response.status_code == 400 and "body" in response.json()
    response = api("cwc_liaison").post("/api/disclosures/", _valid(body="<p>" + "字" * 900 + "</p>"), format="json")
    assert response.status_code == 201


def test_a_ten_megabyte_body_is_refused_without_a_server_error(api):
    before = _items()
    response = api("cwc_liaison").post("/api/disclosures/", _valid(body="<p>" + "a" * (10 * 1024 * 1024) + "</p>"),
                                       format="json")
    assert response.status_code in (400, 413)
    assert _items() == before


def test_text_is_stored_nfc_normalised(api):
    response = api("cwc_liaison").post("/api/disclosures/", _valid(title="Cafe\u0301 𠀀"), format="json")
    assert response.status_code == 201
    assert DisclosureItem.objects.get(pk=response.json()["id"]).title == "Caf\u00e9 𠀀"


@pytest.mark.parametrize("query", ["department=%00", "state=%00", "department=%ED%A0%80", "department=%FF",
                                   "limit=x", "offset=-5", "department=" + "a" * 5000])
def test_no_query_string_makes_the_item_list_fail(api, query):
    response = api("cwc_liaison").get(f"/api/disclosures/?{query}")
    assert response.status_code in (200, 400), response.content[:200]
    if response.status_code == 400:
        assert response.json()


@pytest.mark.parametrize("query", ["q=%00", "department=%00", "q=%1b", "year=%C2%B2", "category=99999999999999999999",
                                   "year=99999999999999999999", "page=%00", "q=" + "字" * 500, "category=%FF"])
def test_anonymous_search_never_fails(client, demo, query):
    response = client.get(f"/search/?{query}")
    assert response.status_code in (200, 400, 404)


def test_invalid_utf8_in_a_form_is_refused_not_stored_as_replacement_characters(client, user):
    client.force_login(user("cwc_liaison"))
    before = _items()
    body = b"catalogue_entry=" + str(entry("19").pk).encode() + b"&title=%FF%FEbad&produced_on=2025-09-26&body=x"
    response = client.post("/workflow/items/new/", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "title" in response.content.decode()
    assert _items() == before


# --- links to other items: only to what the user may see ----------------------------------------


def test_a_liaison_cannot_link_an_item_of_another_department_and_cannot_tell_it_exists(api, user):
    hidden = services.create_item(actor=user("jwc_liaison"), catalogue_entry=_entry_of("jwc"), title="别处的事项",
                                  body="<p>x</p>", produced_on=datetime.date(2025, 9, 26))
    missing_id = DisclosureItem.objects.order_by("-pk").first().pk + 1000
    answers = []
    for target in (hidden.pk, missing_id):
        response = api("cwc_liaison").post("/api/disclosures/", _valid(interpretation=target), format="json")
        answers.append((response.status_code, response.json()))
    assert answers[0] == answers[1]
    assert answers[0][0] == 400 and "interpretation" in answers[0][1]
    own = draft(user)
    response = api("cwc_liaison").post("/api/disclosures/", _valid(interpretation=own.pk), format="json")
    assert response.status_code == 201


def _entry_of(department):
    from workflow.models import CatalogueEntry

    return CatalogueEntry.objects.filter(department__code=department, applicable=True, active=True).first()


def test_supersedes_cannot_be_set_through_the_api(api, user):
    own = draft(user)
    before = _items()
    response = api("cwc_liaison").post("/api/disclosures/", _valid(supersedes=own.pk), format="json")
    assert response.status_code == 400
    assert _items() == before


def test_the_public_page_links_an_interpretation_only_when_it_is_public(client, user, django_capture_on_commit_callbacks):
    interpretation = draft(user, title="秘密的解读")
    policy = draft(user, title="重要政策", is_policy_document=True, interpretation=interpretation)
    services.refuse(to_state(user, interpretation, "office_review"), actor=user("office"), ground="privacy",
                    comment="涉及个人隐私")
    with django_capture_on_commit_callbacks(execute=True):
        published = to_state(user, policy, "published")
    page = client.get(f"/items/{published.pk}/").content.decode()
    assert "重要政策" in page and "秘密的解读" not in page


def test_the_staff_item_page_names_a_linked_item_only_for_those_who_may_see_it(client, user):
    hidden = services.create_item(actor=user("jwc_liaison"), catalogue_entry=_entry_of("jwc"), title="别处的不予公开事项",
                                  body="<p>x</p>", produced_on=datetime.date(2025, 9, 26))
    own = draft(user, title="本部门的解读")
    item = draft(user, title="重要政策", is_policy_document=True, interpretation=own)
    DisclosureItem.objects.filter(pk=item.pk).update(supersedes=hidden)  # as if linked before the rules

    client.force_login(user("cwc_liaison"))
    page = client.get(f"/workflow/items/{item.pk}/").content.decode()
    assert 'id="interpretation-link"' in page and "本部门的解读" in page  # visible: by its title
    assert f"/workflow/items/{own.pk}/" in page
    supersedes = page.split('id="supersedes-link"', 1)[1].split("</dd>", 1)[0]
    assert "无权查看的事项" in supersedes
    assert f"#{hidden.pk}" not in supersedes
    assert "别处的不予公开事项" not in page and f"/workflow/items/{hidden.pk}/" not in page

    client.force_login(user("office"))  # sees every department: the title and a link
    page = client.get(f"/workflow/items/{item.pk}/").content.decode()
    assert "别处的不予公开事项" in page and f"/workflow/items/{hidden.pk}/" in page and "无权查看的事项" not in page


def test_a_refused_page_form_names_the_field_by_its_label_not_its_code(client, user):
    client.force_login(user("cwc_liaison"))
    response = client.post("/workflow/items/new/", {"catalogue_entry": entry("19").pk, "title": "标题\x07",
                                                    "body": "<p>正文</p>", "produced_on": "2025-09-26"})
    assert response.status_code == 400
    listed = response.content.decode().split('id="refused-fields"', 1)[1].split("</ul>", 1)[0]
    assert "<strong>标题</strong>" in listed and "控制字符" in listed and ">title<" not in listed

    item = to_state(user, draft(user), "head_review")
    client.force_login(user("cwc_head"))
    response = client.post(f"/workflow/items/{item.pk}/return/", {"return-comment": "请修改\x1b[31m"})
    assert response.status_code == 400
    listed = response.content.decode().split('id="refused-fields"', 1)[1].split("</ul>", 1)[0]
    assert "意见（必填）" in listed and "return-comment" not in listed
    item.refresh_from_db()
    assert item.state == "head_review"  # nothing happened


def test_refused_search_parameters_are_named_as_the_search_form_labels_them(client, demo):
    for query, label in (({"q": "预算\x00"}, "搜索"), ({"department": "cwc\x07"}, "部门")):
        response = client.get("/search/", query)
        assert response.status_code == 400
        listed = response.content.decode().split('id="refused-fields"', 1)[1].split("</ul>", 1)[0]
        name = next(iter(query))
        assert label in listed and f"<strong>{name}</strong>" not in listed, listed
