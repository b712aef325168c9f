"""Disclosure on application through the API: the same validation, clocks and audit as the office's
pages, every response as the OpenAPI schema documents it, and the annual report counts what the API
recorded."""

import datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from audit.models import AuditEvent
from reports import annual
from tests import openapi
from tests.portal.factory import at

D = datetime.date
TODAY = D(2025, 11, 3)  # a Monday


@pytest.fixture
def api(user):
    def client_for(username):
        client = APIClient()
        client.force_authenticate(user(username))
        return client

    return client_for


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(at(TODAY), tick=False):
        yield


def receive(office, **extra):
    body = {"received_on": "2025-11-03", "applicant_name": "张三", "applicant_kind": "person",
            "contact": "13800000000", "description": "2024年度部门决算", **extra}
    response = office.post("/api/foi/requests/", body, format="json")
    assert response.status_code == 201, response.json()
    openapi.assert_matches(response, "/api/foi/requests/", "post")
    return response.json()


def act(office, req, action, expect=200, **body):
    response = office.post(f"/api/foi/requests/{req['id']}/{action}/", body, format="json")
    assert response.status_code == expect, response.json()
    if expect == 200:
        openapi.assert_matches(response, "/api/foi/requests/{id}/{action}/", "post")
    return response.json()


def test_a_request_with_pause_extension_and_answer(api):
    office = api("office")
    before = AuditEvent.objects.count()
    req = receive(office)
    assert (req["status"], req["due_on"], req["actions"]) == ("open", "2025-11-24", ["assign", "pause", "extend", "answer"])

    paused = act(office, req, "pause", waiting_for="correction", note="请说明所需决算的范围")
    assert paused["status"] == "awaiting_correction" and paused["actions"] == ["assign", "resume", "extend", "answer"]
    resumed = act(office, req, "resume", on="2025-11-07")  # four working days not counted
    assert (resumed["status"], resumed["paused_working_days"], resumed["due_on"]) == ("open", 4, "2025-11-28")
    extended = act(office, req, "extend", days=10, reason="需要汇总多个部门的数据")
    assert (extended["extended_days"], extended["due_on"]) == (10, "2025-12-12")
    act(office, req, "extend", expect=409, days=5, reason="再次延期")
    answered = act(office, req, "answer", outcome="disclosed", answer="决算表见附件")
    assert (answered["status"], answered["outcome"], answered["answered_in_time"], answered["actions"]) == ("closed", "disclosed", True, [])
    act(office, req, "answer", expect=409, outcome="disclosed", answer="again")

    actions = list(AuditEvent.objects.filter(seq__gt=0).order_by("seq").values_list("action", flat=True))[before:]
    assert actions == ["foi.request.receive", "foi.request.pause", "foi.request.resume", "foi.request.extend", "foi.request.answer"]
    detail = office.get(f"/api/foi/requests/{req['id']}/")
    openapi.assert_matches(detail, "/api/foi/requests/{id}/", "get")


def test_each_outcome_is_recorded_and_counted_by_the_report(api):
    office = api("office")
    for outcome, extra in [
        ("disclosed", {}), ("partial", {"refusal_ground": "privacy"}), ("refused", {"refusal_ground": "trade_secret"}),
        ("not_held", {"referred_to": "省教育厅"}), ("duplicate", {}), ("withdrawn", {}),
    ]:
        req = receive(office)
        act(office, req, "answer", outcome=outcome, answer="答复", **extra)
    unclear = receive(office)
    act(office, unclear, "answer", expect=400, outcome="unclear", answer="未补正")  # only after asking for a correction
    act(office, unclear, "pause", waiting_for="correction", note="请补正")
    act(office, unclear, "answer", outcome="unclear", answer="逾期未补正，视为撤回")
    receive(office)  # still open

    listed = office.get("/api/foi/requests/", {"status": "closed"})
    openapi.assert_matches(listed, "/api/foi/requests/", "get")
    assert listed.json()["count"] == 7
    figures, _cov = annual.compute(D(2025, 9, 1), D(2026, 8, 31), today=TODAY)
    assert figures.requests == 8 and figures.requests_open == 1 and figures.requests_in_time == 7
    assert all(count == 1 for _label, count in figures.request_outcomes), figures.request_outcomes


@pytest.mark.parametrize("body, field", [
    ({"received_on": "2025-11-04"}, "received_on"),  # tomorrow
    ({"received_on": "2025-11-31"}, "received_on"),
    ({"applicant_name": ""}, "applicant_name"),
    ({"applicant_kind": "robot"}, "applicant_kind"),
    ({"about_own_information": True}, "identity_checked"),
    ({"department": "nosuch"}, "department"),
])
def test_bad_requests_are_refused_naming_the_field(api, body, field):
    office = api("office")
    full = {"received_on": "2025-11-03", "applicant_name": "张三", "applicant_kind": "person",
            "contact": "13800000000", "description": "决算", **body}
    response = office.post("/api/foi/requests/", full, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not AuditEvent.objects.filter(action="foi.request.receive").exists()


def test_a_refusal_needs_its_ground_and_an_extension_its_limit(api):
    office = api("office")
    req = receive(office)
    assert "refusal_ground" in act(office, req, "answer", expect=400, outcome="refused", answer="不予公开")
    assert "days" in act(office, req, "extend", expect=400, days=16, reason="太多")
    assert "waiting_for" in act(office, req, "pause", expect=400, waiting_for="nobody", note="x")


def test_complaints_and_evaluations_through_the_api_are_counted(api):
    office = api("office")
    response = office.post("/api/foi/complaints/", {"kind": "reconsideration", "received_on": "2025-10-10",
                                                    "summary": "对不予公开决定申请复议"}, format="json")
    assert response.status_code == 201, response.json()
    openapi.assert_matches(response, "/api/foi/complaints/", "post")
    response = office.post("/api/foi/evaluations/", {"held_on": "2025-10-20", "evaluators": "staff",
                                                     "participants": 80, "satisfied": 76}, format="json")
    assert response.status_code == 201, response.json()
    openapi.assert_matches(response, "/api/foi/evaluations/", "post")
    bad = office.post("/api/foi/evaluations/", {"held_on": "2025-10-20", "evaluators": "staff",
                                                "participants": 10, "satisfied": 11}, format="json")
    assert bad.status_code == 400 and "satisfied" in bad.json()
    assert AuditEvent.objects.filter(action__in=["foi.complaint.record", "foi.evaluation.record"]).count() == 2

    auditor = api("auditor")
    listed = auditor.get("/api/foi/complaints/", {"from": "2025-09-01"})
    openapi.assert_matches(listed, "/api/foi/complaints/", "get")
    assert listed.json()["count"] == 1
    assert auditor.get("/api/foi/complaints/", {"to": "2025-02-30"}).json() == {"to": ["请按 YYYY-MM-DD 输入日期。"]}
    openapi.assert_matches(auditor.get("/api/foi/evaluations/"), "/api/foi/evaluations/", "get")
    figures, _cov = annual.compute(D(2025, 9, 1), D(2026, 8, 31), today=TODAY)
    assert dict(figures.complaints)["行政复议"] == 1
    assert (figures.evaluations, figures.evaluation_participants, figures.evaluation_satisfied) == (1, 80, 76)


@pytest.mark.parametrize("username", ["cwc_liaison", "cwc_head", "leader", "auditor"])
def test_only_the_office_writes(api, username):
    client = api(username)
    body = {"received_on": "2025-11-03", "applicant_name": "张三", "applicant_kind": "person", "contact": "x", "description": "y"}
    assert client.post("/api/foi/requests/", body, format="json").status_code == 403
    assert client.post("/api/foi/complaints/", {"kind": "complaint", "received_on": "2025-11-03", "summary": "x"}, format="json").status_code == 403
    expected_read = 200 if username in ("leader", "auditor") else 403
    assert client.get("/api/foi/requests/").status_code == expected_read
    assert APIClient().get("/api/foi/requests/").status_code in (401, 403)


def test_an_online_application_is_confirmed_routed_drafted_approved_and_answered_through_the_api(api):
    from foi import services as foi
    from tests.foi.conftest import application

    fields = {k: v for k, v in application().items() if k != "website"}
    submitted, _code = foi.submit_online(address="127.0.0.1", **fields)
    office = api("office")
    req = office.get(f"/api/foi/requests/{submitted.pk}/").json()
    assert (req["status"], req["actions"]) == ("submitted", ["confirm"])
    act(office, req, "answer", expect=409, outcome="disclosed", answer="见附件")  # not before confirmation

    req = act(office, req, "confirm", on="2025-11-03")
    assert (req["received_on"], req["due_on"]) == ("2025-11-03", "2025-11-24")  # 15 working days after receipt
    req = act(office, req, "assign", department="cwc")
    assert req["department"] == "cwc"

    act(api("jwc_liaison"), req, "draft", expect=404, outcome="disclosed", answer="见附件")  # another department
    mine = api("cwc_liaison").get(f"/api/foi/requests/{req['id']}/")  # the assigned department reads it, as on its pages
    openapi.assert_matches(mine, "/api/foi/requests/{id}/", "get")
    assert (mine.json()["number"], mine.json()["actions"]) == (req["number"], ["draft"])
    assert api("cwc_liaison").get("/api/foi/requests/").status_code == 403  # the list is the office's
    drafted = act(api("cwc_liaison"), req, "draft", outcome="disclosed", answer="收费依据和标准见附件。")
    assert drafted["actions"] == ["draft"]
    act(api("cwc_liaison"), req, "approve", expect=403)  # nobody approves their own draft (nor may a liaison)
    act(office, req, "answer", expect=409, outcome="disclosed", answer="收费依据和标准见附件。")  # the head has not approved
    approved = act(api("cwc_head"), req, "approve", comment="同意")
    assert approved["actions"] == []

    answered = act(office, req, "answer", outcome="disclosed", answer="收费依据和标准见附件。")
    assert (answered["status"], answered["outcome"], answered["answered_on"]) == ("closed", "disclosed", "2025-11-03")
    actions = list(AuditEvent.objects.filter(object_id=str(req["id"]), action__startswith="foi.request.")
                   .order_by("seq").values_list("action", "actor_username"))
    assert actions[-5:] == [("foi.request.confirm", "office"), ("foi.request.assign", "office"),
                            ("foi.request.draft", "cwc_liaison"), ("foi.request.approve", "cwc_head"),
                            ("foi.request.answer", "office")]


def test_a_request_another_department_may_not_see_looks_missing_from_the_api_and_the_pages(api, client, user):
    from foi import services as foi
    from foi.models import InformationRequest
    from tests.foi.conftest import application

    fields = {k: v for k, v in application().items() if k != "website"}
    submitted, _code = foi.submit_online(address="127.0.0.1", **fields)
    office = api("office")
    req = act(office, office.get(f"/api/foi/requests/{submitted.pk}/").json(), "confirm", on="2025-11-03")
    act(office, req, "assign", department="cwc")
    missing = InformationRequest.objects.order_by("-pk").first().pk + 1000
    outsider = api("jwc_liaison")
    for pk in (req["id"], missing):
        answer = outsider.get(f"/api/foi/requests/{pk}/")
        assert answer.status_code == 404
        assert outsider.post(f"/api/foi/requests/{pk}/confirm/", {"on": "2025-11-03"}, format="json").status_code == 404
    first, second = outsider.get(f"/api/foi/requests/{req['id']}/"), outsider.get(f"/api/foi/requests/{missing}/")
    assert first.content == second.content
    client.force_login(user("jwc_liaison"))
    assert client.get(f"/foi/{req['id']}/").status_code == client.get(f"/foi/{missing}/").status_code == 404
    # the assigned department may read it but not do the office's steps
    assert api("cwc_liaison").post(f"/api/foi/requests/{req['id']}/extend/", {}, format="json").status_code == 403
