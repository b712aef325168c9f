"""What the schema promises about input, checked by hand as a client would meet it: query
parameters have documented bounds and a value out of them (or sent empty, or not a number) is a 400
naming the parameter in Chinese; request bodies are closed (`additionalProperties: false`) and a
field the operation does not take is a 400 naming it, with nothing stored."""

import pytest
from rest_framework.test import APIClient

from foi.models import Complaint
from portal.models import ChannelPost
from tests.openapi import schema
from tests.workflow.helpers import entry
from workflow.models import DisclosureItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(user):
    def client_for(username):
        client = APIClient()
        client.force_authenticate(user(username))
        return client

    return client_for


def _parameter(path, name, method="get"):
    found = [p for p in schema()["paths"][path][method].get("parameters", []) if p["name"] == name]
    assert found, (path, name)
    return found[0]["schema"]


@pytest.mark.parametrize("path, name, minimum, maximum", [
    ("/api/audit/events/", "after", 0, None),
    ("/api/audit/events/", "limit", 1, 1000),
    ("/api/audit/proof/inclusion/", "seq", 1, None),
    ("/api/audit/proof/inclusion/", "size", 1, None),
    ("/api/audit/proof/consistency/", "from", 1, None),
    ("/api/audit/proof/consistency/", "to", 1, None),
    ("/api/tasks/", "limit", 1, 500),
    ("/api/tasks/", "offset", 0, None),
    ("/api/disclosures/", "limit", 1, 500),
    ("/api/disclosures/", "offset", 0, None),
    ("/api/foi/requests/", "limit", 1, 500),
    ("/api/channel-posts/", "item", 1, None),
])
def test_integer_parameters_document_their_bounds_and_enforce_them(api, path, name, minimum, maximum):
    documented = _parameter(path, name)
    assert documented["type"] == "integer" and documented["minimum"] == minimum
    if maximum is not None:
        assert documented["maximum"] == maximum
    required = {"/api/audit/proof/inclusion/": {"seq": "1"}, "/api/audit/proof/consistency/": {"from": "1", "to": "1"}}
    base = dict(required.get(path, {}))
    client = api("office")
    bad_values = [str(minimum - 1), "", "abc", "1.5", "null"] + ([str(maximum + 1)] if maximum is not None else [])
    for value in bad_values:
        response = client.get(path, {**base, name: value})
        assert response.status_code == 400, (name, value, response.content[:200])
        assert list(response.json()) == [name], response.json()
        message = response.json()[name][0]
        assert any("\u4e00" <= char <= "\u9fff" for char in message), message  # in Chinese
    assert client.get(path, {**base, name: str(minimum)}).status_code in (200, 400)  # the bound itself passes
    if name not in ("seq", "size", "from", "to"):
        assert client.get(path, {**base, name: str(minimum)}).status_code == 200


def test_the_tree_proofs_say_what_is_missing(api):
    response = api("office").get("/api/audit/proof/consistency/", {"from": "1"})
    assert response.status_code == 400 and list(response.json()) == ["to"]
    assert "必填" in response.json()["to"][0]


def test_text_and_date_parameters_refuse_empty_and_hostile_values(api):
    client = api("office")
    for path, name, value in [
        ("/api/disclosures/", "department", ""), ("/api/disclosures/", "department", "cwc\x07"),
        ("/api/disclosures/", "state", ""), ("/api/channel-posts/", "from", ""), ("/api/channel-posts/", "to", "2025-02-30"),
        ("/api/foi/complaints/", "from", "昨天"),
    ]:
        response = client.get(path, {name: value})
        assert response.status_code == 400 and name in response.json(), (path, name, value, response.content[:200])
    assert client.get("/api/disclosures/", {"department": "cwc", "state": "draft"}).status_code == 200
    documented = _parameter("/api/disclosures/", "department")
    assert documented["minLength"] == 1 and documented["pattern"].startswith("^[^\\x00")


REQUEST_BODIES = ["ItemInput", "ReassignInput", "PatchedItemPatchInput", "ActionInput", "MarkRead", "ChannelPostInput", "RequestInput",
                  "RequestActionInput", "ComplaintInput", "EvaluationInput"]


def test_every_request_body_is_documented_as_closed():
    components = schema()["components"]["schemas"]
    for name in REQUEST_BODIES:
        assert components[name]["additionalProperties"] is False, name
    for path in schema()["paths"].values():
        for operation in path.values():
            for media in operation.get("requestBody", {}).get("content", {}).values():
                ref = media["schema"].get("$ref", "")
                if ref:
                    assert components[ref.rsplit("/", 1)[-1]].get("additionalProperties") is False, ref


def _assert_names_unknown(response, field):
    assert response.status_code == 400, response.content[:300]
    message = " ".join(response.json()["non_field_errors"])
    assert field in message and "未知字段" in message, message


def test_unknown_body_fields_are_refused_by_name_and_nothing_is_stored(api, user):
    liaison, office = api("cwc_liaison"), api("office")
    body = {"catalogue_entry": entry("19").pk, "title": "收支预算总表", "produced_on": "2025-09-26", "titel": "拼错"}
    before = DisclosureItem.objects.count()
    _assert_names_unknown(liaison.post("/api/disclosures/", body, format="json"), "titel")
    assert DisclosureItem.objects.count() == before

    complaints = Complaint.objects.count()
    _assert_names_unknown(office.post("/api/foi/complaints/", {"kind": "complaint", "received_on": "2025-09-26",
                                                               "summary": "投诉", "severity": "high"}, format="json"),
                          "severity")
    assert Complaint.objects.count() == complaints

    posts = ChannelPost.objects.count()
    _assert_names_unknown(office.post("/api/channel-posts/", {"item": 1, "channel": "wechat", "posted_on": "2025-09-26",
                                                              "note": "x", "link": "https://example.edu.cn/"},
                                      format="json"), "link")
    assert ChannelPost.objects.count() == posts

    _assert_names_unknown(liaison.post("/api/notifications/", {"ids": [], "all": True}, format="json"), "all")
    evaluation = {"held_on": "2025-09-26", "evaluators": "staff", "participants": 3, "satisfied": 2, "score": 9}
    _assert_names_unknown(office.post("/api/foi/evaluations/", evaluation, format="json"), "score")


def test_json_booleans_are_booleans(api):
    body = {"received_on": "2025-09-26", "applicant_name": "张三", "applicant_kind": "person", "contact": "13800000000",
            "description": "需要的信息", "identity_checked": 0}
    response = api("office").post("/api/foi/requests/", body, format="json")
    assert response.status_code == 400 and "identity_checked" in response.json()
