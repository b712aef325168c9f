"""Disclosure on application: the office registers, pauses, extends and answers requests."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from foi import services
from foi.models import InformationRequest
from core.exceptions import StateConflict

# 2025-09-25 is a Thursday before National Day 2025 (holidays 1–8 October; Sunday 28 September and
# Saturday 11 October are make-up working days).
RECEIVED = datetime.date(2025, 9, 25)
CURRENT_TIME = datetime.datetime(2025, 9, 25, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def _form(**overrides):
    data = {
        "received_on": "2025-09-25",
        "applicant_name": "张三",
        "applicant_kind": "person",
        "contact": "zhangsan@example.com",
        "description": "2024年度学校收费项目及标准",
        "form_wanted": "email",
        "delivery": "online",
        "department": "",
    }
    data.update(overrides)
    return data


def _receive(office):
    return services.receive(
        actor=office, received_on=RECEIVED, applicant_name="张三", applicant_kind="person",
        contact="zhangsan@example.com", description="2024年度学校收费项目及标准",
    )


@time_machine.travel(CURRENT_TIME)
def test_the_office_registers_a_request_due_15_working_days_later_across_national_day(client, user):
    client.force_login(user("office"))
    response = client.post("/foi/new/", _form(), follow=True)
    page = response.content.decode()
    req = InformationRequest.objects.get()
    assert req.due_on == datetime.date(2025, 10, 22) and not req.deadline_provisional
    assert "2025-10-22" in page and "已登记" in page
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.actor_username, event.object_id) == ("foi.request.receive", "office", str(req.pk))


@time_machine.travel(CURRENT_TIME)
def test_a_request_about_ones_own_information_needs_an_identity_check(client, user):
    client.force_login(user("office"))
    events = AuditEvent.objects.count()
    response = client.post("/foi/new/", _form(about_own_information="on"))
    assert response.status_code == 200
    assert "有效身份证件" in response.content.decode()
    assert InformationRequest.objects.count() == 0 and AuditEvent.objects.count() == events


@time_machine.travel(CURRENT_TIME)
def test_waiting_for_a_correction_does_not_count(user):
    office = user("office")
    req = _receive(office)
    services.pause(req, actor=office, waiting_for="correction", note="请说明所需年份", on=datetime.date(2025, 10, 9))
    req = services.resume(req, actor=office, on=datetime.date(2025, 10, 13))
    # 10 Oct, Saturday 11 Oct (make-up day) and 13 Oct were spent waiting: three more working days.
    assert req.paused_working_days == 3
    assert req.due_on == datetime.date(2025, 10, 27)
    assert [e.action for e in AuditEvent.objects.order_by("-seq")[:3]][::-1] == [
        "foi.request.receive", "foi.request.pause", "foi.request.resume"
    ]


@time_machine.travel(CURRENT_TIME)
def test_the_deadline_is_extended_once_by_at_most_15_working_days(user):
    office = user("office")
    req = _receive(office)
    with pytest.raises(ValidationError) as error:
        services.extend(req, actor=office, days=16, reason="涉及第三方")
    assert "days" in error.value.message_dict
    req = services.extend(req, actor=office, days=15, reason="涉及多个部门，需汇总")
    assert req.due_on == datetime.date(2025, 11, 12)
    with pytest.raises(StateConflict, match="已延长过一次"):
        services.extend(req, actor=office, days=1, reason="again")


@time_machine.travel(CURRENT_TIME)
def test_a_refusal_names_its_ground_and_an_answer_closes_the_request(client, user):
    office = user("office")
    req = _receive(office)
    client.force_login(office)
    response = client.post(f"/foi/{req.pk}/answer/", {"answer-outcome": "refused", "answer-answer": "不予公开"})
    assert response.status_code == 400 and "不予公开须写明理由" in response.content.decode()
    req.refresh_from_db()
    assert req.status == "open"
    client.post(f"/foi/{req.pk}/answer/", {"answer-outcome": "refused", "answer-refusal_ground": "privacy", "answer-answer": "涉及个人隐私"})
    req.refresh_from_db()
    assert (req.status, req.outcome, req.refusal_ground, req.answered_in_time) == ("closed", "refused", "privacy", True)
    page = client.get(f"/foi/{req.pk}/").content.decode()
    assert "不予公开" in page and "个人隐私" in page
    again = client.post(f"/foi/{req.pk}/answer/", {"answer-outcome": "disclosed", "answer-answer": "x"}, follow=True)
    assert "已经答复" in again.content.decode()


@time_machine.travel(CURRENT_TIME)
def test_only_the_office_handles_requests_auditors_read_and_others_see_nothing(client, user):
    req = _receive(user("office"))
    client.force_login(user("cwc_head"))
    # A department sees only the requests assigned to it: none here.
    assert "2025-001" not in client.get("/foi/").content.decode()
    assert client.get(f"/foi/{req.pk}/").status_code == 404
    client.force_login(user("auditor"))
    assert "2025-001" in client.get("/foi/").content.decode()
    assert client.post(f"/foi/{req.pk}/extend/", {"extend-days": 5, "extend-reason": "x"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.answer(req, actor=user("auditor"), outcome="disclosed", answer="x")
    req.refresh_from_db()
    assert req.extended_days == 0 and req.status == "open"


@time_machine.travel(CURRENT_TIME)
def test_complaints_and_evaluations_are_recorded_and_checked(client, user):
    client.force_login(user("office"))
    client.post("/foi/complaints/new/", {"kind": "complaint", "received_on": "2025-09-20", "summary": "收费标准未按时公开"})
    bad = client.post("/foi/evaluations/new/", {"held_on": "2025-09-20", "evaluators": "students", "participants": 10, "satisfied": 11})
    assert "介于 0 与参与人数之间" in bad.content.decode()
    client.post("/foi/evaluations/new/", {"held_on": "2025-09-20", "evaluators": "students", "participants": 120, "satisfied": 113})
    page = client.get("/foi/").content.decode()
    assert "收费标准未按时公开" in page and "120 人中 113 人满意" in page
    assert AuditEvent.objects.filter(action__in=["foi.complaint.record", "foi.evaluation.record"]).count() == 2


# Department liaisons and heads answer the requests assigned to them; reviewers have none.
@pytest.mark.parametrize("username, shown", [("office", True), ("auditor", True), ("leader", True), ("cwc_liaison", True), ("cwc_reviewer", False)])
def test_the_home_page_links_to_requests_for_those_who_may_see_them(client, user, username, shown):
    client.force_login(user(username))
    assert ('href="/foi/"' in client.get("/home/").content.decode()) == shown


@time_machine.travel(CURRENT_TIME)
def test_a_huge_count_or_a_mistyped_year_is_a_form_error(client, user):
    client.force_login(user("office"))
    too_many = client.post("/foi/evaluations/new/", {"held_on": "2025-09-20", "evaluators": "students",
                                                     "participants": 3_000_000_000, "satisfied": 1})
    assert too_many.status_code == 200 and "1000000" in too_many.content.decode()
    for path, data, field in [
        ("/foi/new/", _form(received_on="0025-09-25"), "received_on"),
        ("/foi/complaints/new/", {"kind": "complaint", "received_on": "0999-12-31", "summary": "收费标准未按时公开"}, "received_on"),
        ("/foi/evaluations/new/", {"held_on": "0001-01-01", "evaluators": "students", "participants": 3, "satisfied": 1}, "held_on"),
    ]:
        response = client.post(path, data)
        assert response.status_code == 200 and "请输入 1900-01-01 至 2100-12-31 之间的日期" in response.content.decode(), path
    assert not InformationRequest.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="foi.").exists()


@time_machine.travel(CURRENT_TIME)
def test_a_complaint_or_an_evaluation_dated_after_today_is_refused(client, user):
    """It would be counted in the annual report of a year that has not come yet."""
    client.force_login(user("office"))
    complaint = client.post("/foi/complaints/new/", {"kind": "complaint", "received_on": "2025-09-26", "summary": "收费标准未按时公开"})
    assert "收到日期不能晚于今天" in complaint.content.decode()
    evaluation = client.post("/foi/evaluations/new/", {"held_on": "2026-09-20", "evaluators": "students", "participants": 3, "satisfied": 1})
    assert "评议日期不能晚于今天" in evaluation.content.decode()
    assert not AuditEvent.objects.filter(action__in=["foi.complaint.record", "foi.evaluation.record"]).exists()
