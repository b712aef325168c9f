"""代理审批 and 改派: naming a deputy (rules, audit, the page), acting as one (history, audit event,
the trail's wording, the inbox), reminders that follow the deputy, and the office reassigning a task."""

import datetime
import json
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from audit.display import rows
from audit.models import AuditEvent
from core.exceptions import StateConflict
from policies.models import Delegation, Department, Membership, Role
from policies.services import add_membership, end_delegation, name_deputy
from tests.workflow.helpers import draft, to_state
from workflow import queues, services
from workflow.models import Notification, State, Step

TODAY = datetime.date(2025, 10, 27)  # items produced 26 Sep 2025 are due 30 Oct: three working days left
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2025, 10, 27, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8))), tick=False):
        yield


@pytest.fixture
def cwc():
    return Department.objects.get(code="cwc")


@pytest.fixture
def colleague(user, cwc, django_user_model):
    """A second cwc liaison, who drafts nothing in these tests: the head's deputy."""
    person = django_user_model.objects.create(username="cwc_deputy", first_name="王代理")
    add_membership(person, cwc, Role.LIAISON, actor=user("office"))
    return person


def head_membership(username="cwc_head", role=Role.HEAD):
    return Membership.objects.active().get(user__username=username, role=role)


def events_since(seq):
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq"))


def last_seq():
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def data_of(event):
    return json.loads(event.canonical).get("data") or {}


# --- naming and ending a deputy ------------------------------------------------------------------


def test_naming_a_deputy_is_audited_and_ending_it_early_too(user, colleague):
    head = user("cwc_head")
    seq = last_seq()
    delegation = name_deputy(head_membership(), deputy=colleague, starts_on=TODAY, ends_on=TODAY + 4 * DAY,
                             note="出差", actor=head)
    [event] = events_since(seq)
    assert (event.action, event.actor_username, event.department) == ("delegation.create", "cwc_head", "cwc")
    assert data_of(event) == {"user": "cwc_deputy", "role": "head", "from": "2025-10-27", "to": "2025-10-31", "comment": "出差"}

    seq = last_seq()
    end_delegation(delegation, actor=head)
    [event] = events_since(seq)
    assert event.action == "delegation.end" and data_of(event) == {"user": "cwc_deputy", "role": "head"}
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None
    with pytest.raises(ValidationError):
        end_delegation(delegation, actor=head)  # once


@pytest.mark.parametrize("who, start, end, field, message", [
    ("cwc_head", 0, 3, "deputy", "不能指定自己"),
    ("jwc_liaison", 0, 3, "deputy", "财务资产处"),  # another department's member
    ("cwc_deputy", -1, 3, "starts_on", "不能早于今天"),
    ("cwc_deputy", 3, 1, "ends_on", "不能早于开始日期"),
    ("cwc_deputy", 0, 100, "ends_on", "92"),
    ("cwc_deputy", 80000, 80001, "starts_on", "2100-12-31"),  # a mistyped year
])
def test_a_wrong_deputy_or_period_is_refused_with_a_clear_reason(user, colleague, who, start, end, field, message):
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        name_deputy(head_membership(), deputy=user(who), starts_on=TODAY + start * DAY, ends_on=TODAY + end * DAY,
                    actor=user("cwc_head"))
    assert message in " ".join(refused.value.message_dict[field])
    assert not Delegation.objects.exists()


def test_only_the_holder_names_a_deputy_and_no_two_overlap(user, colleague):
    with pytest.raises(PermissionDenied):
        name_deputy(head_membership(), deputy=colleague, starts_on=TODAY, ends_on=TODAY, actor=user("office"))
    with pytest.raises(PermissionDenied):  # a liaison's role is not delegated
        name_deputy(Membership.objects.get(user__username="cwc_liaison"), deputy=colleague, starts_on=TODAY,
                    ends_on=TODAY, actor=user("cwc_liaison"))
    name_deputy(head_membership(), deputy=colleague, starts_on=TODAY, ends_on=TODAY + 5 * DAY, actor=user("cwc_head"))
    with pytest.raises(ValidationError) as refused:
        name_deputy(head_membership(), deputy=user("cwc_reviewer"), starts_on=TODAY + 2 * DAY, ends_on=TODAY + 9 * DAY,
                    actor=user("cwc_head"))
    assert "starts_on" in refused.value.message_dict
    # after it, another deputy is fine
    name_deputy(head_membership(), deputy=user("cwc_reviewer"), starts_on=TODAY + 6 * DAY, ends_on=TODAY + 9 * DAY,
                actor=user("cwc_head"))
    assert Delegation.objects.count() == 2


# --- acting as a deputy ---------------------------------------------------------------------------


def test_a_deputys_decision_records_both_people(user, colleague, client):
    item = to_state(user, draft(user), "head_review")
    name_deputy(head_membership(), deputy=colleague, starts_on=TODAY, ends_on=TODAY + 2 * DAY, actor=user("cwc_head"))
    seq = last_seq()
    services.approve(item, actor=colleague, comment="代为审批")
    [event] = events_since(seq)
    assert (event.action, event.actor_username) == ("disclosure.approve", "cwc_deputy")
    assert data_of(event) == {"comment": "代为审批", "on_behalf_of": "cwc_head"}
    step = Step.objects.get(item=item, action="approve")
    assert step.actor == colleague and step.data["on_behalf_of"] == [user("cwc_head").pk] and step.role == "head"

    # the trail and the item page name both people readably
    [row] = rows([event])
    head_name = user("cwc_head").get_full_name() or "cwc_head"
    assert row.actor_name == f"王代理（代 {head_name}）"
    client.force_login(user("auditor"))
    page = client.get("/audit/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"王代理（代 {head_name}）" in page
    client.force_login(colleague)
    assert f"王代理（代 {head_name}）" in client.get(f"/workflow/items/{item.pk}/").content.decode()


def test_the_head_acting_themselves_is_not_recorded_as_a_deputy(user, colleague):
    item = to_state(user, draft(user), "head_review")
    name_deputy(head_membership(), deputy=colleague, starts_on=TODAY, ends_on=TODAY + 2 * DAY, actor=user("cwc_head"))
    seq = last_seq()
    services.approve(item, actor=user("cwc_head"))
    assert "on_behalf_of" not in data_of(events_since(seq)[0])


def test_the_deputys_inbox_marks_items_daili_and_new_tasks_reach_them(user, colleague, client, workflow_commit):
    name_deputy(head_membership(), deputy=colleague, starts_on=TODAY, ends_on=TODAY + 2 * DAY, actor=user("cwc_head"))
    with workflow_commit():
        item = to_state(user, draft(user), "head_review")
    assert Notification.objects.filter(user=colleague, item=item, kind="task").exists()
    assert Notification.objects.filter(user=user("cwc_head"), item=item, kind="task").exists()

    [waiting] = queues.with_actions(queues.task_items(colleague), colleague)
    assert waiting.pk == item.pk and waiting.on_behalf_of == [user("cwc_head").get_full_name() or "cwc_head"]
    [own] = queues.with_actions(queues.task_items(user("cwc_head")), user("cwc_head"))
    assert own.on_behalf_of == []
    client.force_login(colleague)
    page = client.get("/workflow/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "代理" in page and "deputy-mark" in page
    assert "deputy-mark" in client.get("/home/").content.decode()
    # a liaison without a delegation has nothing marked
    assert queues.task_items(user("cwc_liaison")).filter(state=State.HEAD_REVIEW).count() == 0


def test_reminders_and_escalation_reach_the_deputy_and_the_principal(user, colleague):
    item = to_state(user, draft(user), "head_review")
    name_deputy(head_membership(), deputy=colleague, starts_on=TODAY, ends_on=TODAY + 10 * DAY, actor=user("cwc_head"))
    queues.scan_due(today=TODAY)
    due = set(Notification.objects.filter(item=item, kind="due_soon").values_list("user__username", flat=True))
    assert due == {"cwc_head", "cwc_deputy"}
    queues.scan_due(today=TODAY + 4 * DAY)  # 31 Oct: overdue
    overdue = set(Notification.objects.filter(kind="overdue").values_list("user__username", flat=True))
    assert overdue == {"cwc_head", "cwc_deputy", "office"}


def test_an_expired_delegation_no_longer_routes_reminders(user, colleague):
    to_state(user, draft(user), "head_review")
    name_deputy(head_membership(), deputy=colleague, starts_on=TODAY, ends_on=TODAY, actor=user("cwc_head"))
    queues.scan_due(today=TODAY + DAY)
    assert not Notification.objects.filter(user=colleague).exists()


# --- reassignment (改派) -------------------------------------------------------------------------


@pytest.fixture
def second_head(user, cwc, django_user_model):
    person = django_user_model.objects.create(username="cwc_head2", first_name="李副处长")
    add_membership(person, cwc, Role.HEAD, actor=user("office"))
    return person


def test_the_office_reassigns_a_task_to_another_head(user, second_head, api):
    item = to_state(user, draft(user), "head_review")
    seq = last_seq()
    services.reassign(item, to=second_head, actor=user("office"), comment="处长出差")
    [event] = events_since(seq)
    assert (event.action, event.actor_username, event.department) == ("disclosure.reassign", "office", "cwc")
    assert data_of(event) == {"user": "cwc_head2", "role": "head", "comment": "处长出差"}
    note = Notification.objects.get(user=second_head, item=item)
    assert note.kind == "task" and item.title in note.message
    assert [i.pk for i in queues.task_items(second_head)] == [item.pk]
    assert not queues.task_items(user("cwc_head")).filter(pk=item.pk).exists()

    response = api("cwc_head").post(f"/api/disclosures/{item.pk}/approve/")
    assert response.status_code == 403 and "李副处长" in response.json()["detail"]
    assert api("cwc_head2").post(f"/api/disclosures/{item.pk}/approve/").status_code == 200
    item.refresh_from_db()
    assert item.state == State.CONFIDENTIALITY_REVIEW and item.assigned_to is None  # for one step only


def test_reassignment_is_the_offices_and_only_to_a_holder_of_the_role(user, second_head):
    item = to_state(user, draft(user), "head_review")
    with pytest.raises(PermissionDenied):
        services.reassign(item, to=second_head, actor=user("cwc_head"))
    with pytest.raises(ValidationError) as wrong_role:
        services.reassign(item, to=user("cwc_reviewer"), actor=user("office"))
    assert "to" in wrong_role.value.message_dict
    with pytest.raises(ValidationError):
        services.reassign(item, to=user("jwc_head"), actor=user("office"))  # head of another department
    with pytest.raises(ValidationError):
        services.reassign(item, to=None, actor=user("office"))
    published = to_state(user, draft(user), "published")
    with pytest.raises(StateConflict):
        services.reassign(published, to=second_head, actor=user("office"))
    item.refresh_from_db()
    assert item.assigned_to is None and not Notification.objects.filter(user=second_head).exists()
    assert not AuditEvent.objects.filter(action="disclosure.reassign").exists()


def test_a_reassigned_task_follows_the_new_holders_deputy(user, second_head, colleague):
    item = to_state(user, draft(user), "head_review")
    services.reassign(item, to=second_head, actor=user("office"))
    name_deputy(head_membership("cwc_head2"), deputy=colleague, starts_on=TODAY, ends_on=TODAY + 9 * DAY, actor=second_head)
    queues.scan_due(today=TODAY)
    reminded = set(Notification.objects.filter(item=item, kind="due_soon").values_list("user__username", flat=True))
    assert reminded == {"cwc_head2", "cwc_deputy"}, "the original head is no longer reminded"
    seq = last_seq()
    services.approve(item, actor=colleague)
    assert data_of(events_since(seq)[0])["on_behalf_of"] == "cwc_head2"


def test_the_item_page_offers_reassignment_to_the_office_only(user, second_head, client):
    item = to_state(user, draft(user), "head_review")
    client.force_login(user("cwc_head"))
    assert "form-reassign" not in client.get(f"/workflow/items/{item.pk}/").content.decode()
    assert client.post(f"/workflow/items/{item.pk}/reassign/", {"reassign-to": second_head.pk}).status_code == 403
    client.force_login(user("office"))
    page = client.get(f"/workflow/items/{item.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "form-reassign" in page and "李副处长" in page
    bad = client.post(f"/workflow/items/{item.pk}/reassign/", {"reassign-to": user("cwc_reviewer").pk})
    assert bad.status_code == 400
    response = client.post(f"/workflow/items/{item.pk}/reassign/", {"reassign-to": second_head.pk, "reassign-comment": "出差"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.assigned_to == second_head
    assert "李副处长" in client.get(f"/workflow/items/{item.pk}/").content.decode()


# --- the deputies page ------------------------------------------------------------------------------


def test_the_deputies_page_names_and_ends_a_deputy(user, colleague, client):
    client.force_login(user("cwc_head"))
    home = client.get("/home/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "/accounts/deputies/" in home
    page = client.get("/accounts/deputies/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200 and "王代理" in page.content.decode()
    # The first day is filled in as today in the form a date field shows (ISO), in Chinese too.
    assert re.search(r'<input type="date" name="starts_on" value="2025-10-27"', page.content.decode())
    membership = head_membership()
    bad = client.post("/accounts/deputies/", {"membership": membership.pk, "deputy": colleague.pk,
                                              "starts_on": "2025-10-29", "ends_on": "2025-10-28"},
                      HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert bad.status_code == 400 and "不能早于开始日期" in bad.content.decode()
    assert not Delegation.objects.exists()
    done = client.post("/accounts/deputies/", {"membership": membership.pk, "deputy": colleague.pk,
                                               "starts_on": "2025-10-27", "ends_on": "2025-10-31", "note": "出差"})
    assert done.status_code == 302
    delegation = Delegation.objects.get()
    assert (delegation.deputy, delegation.ends_on) == (colleague, datetime.date(2025, 10, 31))

    client.force_login(colleague)  # the deputy sees it on their home page, and cannot end it
    assert "正在代理" in client.get("/home/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert client.post(f"/accounts/deputies/{delegation.pk}/end/").status_code == 404
    client.force_login(user("cwc_head"))
    assert client.post(f"/accounts/deputies/{delegation.pk}/end/").status_code == 302
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None


def test_people_without_a_delegable_role_get_no_form(user, client):
    client.force_login(user("cwc_liaison"))
    page = client.get("/accounts/deputies/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "name-deputy-heading" not in page


def test_a_deputy_who_leaves_the_department_holds_nothing(user, colleague, api):
    from policies.services import end_membership

    item = to_state(user, draft(user), "head_review")
    name_deputy(head_membership(), deputy=colleague, starts_on=TODAY, ends_on=TODAY + 2 * DAY, actor=user("cwc_head"))
    end_membership(Membership.objects.get(user=colleague), actor=user("office"))
    response = api("cwc_deputy").post(f"/api/disclosures/{item.pk}/approve/")
    assert response.status_code in (403, 404)
    item.refresh_from_db()
    assert item.state == State.HEAD_REVIEW
    queues.scan_due(today=TODAY)
    assert not Notification.objects.filter(user=colleague).exists()


# --- the API ---------------------------------------------------------------------------------------


def test_reassignment_through_the_api(user, second_head, api):
    item = to_state(user, draft(user), "head_review")
    url = f"/api/disclosures/{item.pk}/reassign/"
    assert api("cwc_head").post(url, {"to": "cwc_head2"}, format="json").status_code == 403
    assert api("jwc_head").post(url, {"to": "cwc_head2"}, format="json").status_code == 404
    wrong = api("office").post(url, {"to": "cwc_reviewer"}, format="json")
    assert wrong.status_code == 400 and "to" in wrong.json()
    assert api("office").post(url, {"to": "nobody-here"}, format="json").status_code == 400
    assert api("office").post(url, {}, format="json").status_code == 400
    item.refresh_from_db()
    assert item.assigned_to is None
    done = api("office").post(url, {"to": "cwc_head2", "comment": "处长出差"}, format="json")
    assert done.status_code == 200 and done.json()["assigned_to"] == "cwc_head2"
    assert AuditEvent.objects.filter(action="disclosure.reassign").count() == 1
    published = to_state(user, draft(user), "published")
    assert api("office").post(f"/api/disclosures/{published.pk}/reassign/", {"to": "cwc_head2"}, format="json").status_code == 409


def test_the_deputys_api_tasks_say_on_whose_behalf(user, colleague, api):
    item = to_state(user, draft(user), "head_review")
    name_deputy(head_membership(), deputy=colleague, starts_on=TODAY, ends_on=TODAY + 2 * DAY, actor=user("cwc_head"))
    [task] = api("cwc_deputy").get("/api/tasks/").json()
    assert task["item"] == item.pk and task["on_behalf_of"] == [user("cwc_head").get_full_name() or "cwc_head"]
    [own] = [t for t in api("cwc_head").get("/api/tasks/").json() if t["item"] == item.pk]
    assert own["on_behalf_of"] == []


def test_a_task_given_to_a_head_reaches_the_other_head_who_deputises_for_them(user, second_head, api):
    """Two heads: the office gives the task to the second, who names the first as deputy; the first
    then acts on it on the second's behalf although they hold the role themselves."""
    item = to_state(user, draft(user), "head_review")
    services.reassign(item, to=second_head, actor=user("office"))
    assert api("cwc_head").get(f"/api/disclosures/{item.pk}/").json()["actions"] == []
    name_deputy(head_membership("cwc_head2"), deputy=user("cwc_head"), starts_on=TODAY, ends_on=TODAY + DAY, actor=second_head)
    head = user("cwc_head")
    [task] = queues.with_actions(queues.task_items(head), head)
    assert task.pk == item.pk and task.on_behalf_of == ["李副处长"]
    seq = last_seq()
    services.approve(item, actor=head)
    assert data_of(events_since(seq)[0])["on_behalf_of"] == "cwc_head2"


def test_the_api_offers_reassign_to_the_office_where_the_item_page_does(user, second_head, api):
    item = to_state(user, draft(user), "head_review")
    office = api("office").get(f"/api/disclosures/{item.pk}/").json()
    assert "reassign" in office["actions"]
    assert "reassign" not in api("cwc_head").get(f"/api/disclosures/{item.pk}/").json()["actions"]
    done = api("office").post(f"/api/disclosures/{item.pk}/reassign/", {"to": "cwc_head2"}, format="json")
    assert "reassign" in done.json()["actions"]  # back to the first head is still possible
    published = to_state(user, draft(user), "published")
    assert "reassign" not in api("office").get(f"/api/disclosures/{published.pk}/").json()["actions"]


# --- the office's view of all delegations -----------------------------------------------------------


@pytest.fixture
def three_delegations(user, colleague, second_head, django_user_model):
    """In force (cwc head → 王代理), planned (cwc reviewer → 李副处长), ended (jwc head → a jwc colleague)."""
    jwc = Department.objects.get(code="jwc")
    jwc_deputy = django_user_model.objects.create(username="jwc_deputy", first_name="赵代理")
    add_membership(jwc_deputy, jwc, Role.LIAISON, actor=user("office"))
    current = name_deputy(head_membership(), deputy=colleague, starts_on=TODAY, ends_on=TODAY + 4 * DAY, actor=user("cwc_head"))
    planned = name_deputy(head_membership("cwc_reviewer", Role.REVIEWER), deputy=second_head, starts_on=TODAY + 7 * DAY,
                          ends_on=TODAY + 9 * DAY, actor=user("cwc_reviewer"))
    ended = name_deputy(head_membership("jwc_head"), deputy=jwc_deputy, starts_on=TODAY, ends_on=TODAY + DAY, actor=user("jwc_head"))
    end_delegation(ended, actor=user("jwc_head"))
    return current, planned, ended


def test_the_office_sees_every_delegation_by_name_and_filters_them(user, client, three_delegations):
    current, planned, ended = three_delegations
    client.force_login(user("office"))
    assert "/workflow/delegations/" in client.get("/home/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    page = client.get("/workflow/delegations/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert page.status_code == 200 and "全校代理审批" in text
    for name in ("王代理", "李副处长", "赵代理", "财务资产处", "教学指导与评价处", "部门负责人", "保密审查员", "生效中", "尚未开始", "提前结束"):
        assert name in text, name
    assert not re.search(r">\s*(cwc|jwc|cwc_head|head|reviewer)\s*<", text)  # names and labels, never codes
    assert text.count("立即结束") == 2  # the ended one has no button
    cwc = Department.objects.get(code="cwc")
    only_cwc = client.get(f"/workflow/delegations/?department={cwc.pk}", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "王代理" in only_cwc and "赵代理" not in only_cwc
    ended_only = client.get("/workflow/delegations/?status=ended").content.decode()
    assert f'data-delegation="{ended.pk}"' in ended_only and f'data-delegation="{current.pk}"' not in ended_only
    planned_only = client.get("/workflow/delegations/?status=planned").content.decode()
    assert f'data-delegation="{planned.pk}"' in planned_only and f'data-delegation="{current.pk}"' not in planned_only
    in_force = client.get("/workflow/delegations/?status=current").content.decode()
    assert f'data-delegation="{current.pk}"' in in_force and f'data-delegation="{planned.pk}"' not in in_force


def test_the_office_list_is_paginated(user, client, colleague):
    head = user("cwc_head")
    for n in range(51):  # one at a time: each cancelled before the next (periods of one role do not overlap)
        end_delegation(name_deputy(head_membership(), deputy=colleague, starts_on=TODAY, ends_on=TODAY, actor=head), actor=head)
    client.force_login(user("office"))
    first = client.get("/workflow/delegations/").content.decode()
    assert first.count("data-delegation=") == 50 and "1/2" in first
    assert client.get("/workflow/delegations/?page=2").content.decode().count("data-delegation=") == 1


@pytest.mark.parametrize("username", ["cwc_head", "cwc_liaison", "cwc_reviewer", "auditor"])
def test_heads_liaisons_and_others_may_not_see_or_end_delegations(user, client, three_delegations, username):
    current = three_delegations[0]
    client.force_login(user(username))
    assert client.get("/workflow/delegations/").status_code == 403
    assert client.post(f"/workflow/delegations/{current.pk}/end/").status_code == 403
    current.refresh_from_db()
    assert current.revoked_at is None


def test_the_office_ends_a_delegation_audited_and_both_told(user, client, three_delegations):
    current, planned, ended = three_delegations
    item = to_state(user, draft(user), "head_review")
    deputy = current.deputy
    assert queues.task_items(deputy).filter(pk=item.pk).exists()
    client.force_login(user("office"))
    seq = last_seq()
    notes_before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = client.post(f"/workflow/delegations/{current.pk}/end/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 302
    [event] = events_since(seq)
    assert (event.action, event.actor_username, event.department) == ("delegation.end", "office", "cwc")
    current.refresh_from_db()
    assert current.revoked_at is not None
    told = {n.user.username: n.message
            for n in Notification.objects.filter(pk__gt=notes_before, kind="info", link="/accounts/deputies/")}
    assert set(told) == {"cwc_head", "cwc_deputy"} and "王代理" in told["cwc_head"]
    assert not queues.task_items(user("cwc_deputy")).filter(pk=item.pk).exists()  # the 代理 item is gone (next request)
    assert api_denied(user, item)
    # Ending an ended one says so and changes nothing.
    seq = last_seq()
    again = client.post(f"/workflow/delegations/{ended.pk}/end/", HTTP_ACCEPT_LANGUAGE="zh-hans", follow=True)
    assert "该代理已经结束" in again.content.decode()
    assert not events_since(seq)
    assert client.post("/workflow/delegations/999999/end/").status_code == 404


def api_denied(user, item):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user("cwc_deputy"))
    return client.post(f"/api/disclosures/{item.pk}/approve/").status_code in (403, 404)


def test_the_admin_lists_delegations_read_only(user, client, three_delegations):
    office = user("office")
    office.is_staff = True
    office.save(update_fields=["is_staff"])
    client.force_login(office)
    page = client.get("/admin/policies/delegation/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert page.status_code == 200 and "代理人" in text and "被代理人" in text and "王代理" in text
    assert "/admin/policies/delegation/add/" not in text
    current = three_delegations[0]
    assert client.get(f"/admin/policies/delegation/{current.pk}/change/").status_code == 200
    assert client.post(f"/admin/policies/delegation/{current.pk}/change/", {"note": "改"}).status_code == 403
    assert client.post(f"/admin/policies/delegation/{current.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Delegation.objects.filter(pk=current.pk, note="").exists()


def test_a_principal_ending_their_own_delegation_on_their_page_tells_the_deputy(user, client, colleague):
    head = user("cwc_head")
    delegation = name_deputy(head_membership(), deputy=colleague, starts_on=TODAY, ends_on=TODAY + 4 * DAY, actor=head)
    client.force_login(head)
    response = client.post(f"/accounts/deputies/{delegation.pk}/end/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 302
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None
    told = {n.user.username: n.message for n in Notification.objects.filter(kind="info", link="/accounts/deputies/")}
    assert set(told) == {"cwc_deputy"}  # not the head, who ended it
    assert "王代理" in told["cwc_deputy"] and "财务资产处" in told["cwc_deputy"]


def test_notifications_are_written_in_the_schools_language_whoever_acts_in_english(user, second_head, colleague):
    """Notifications are stored text, read by others: one who reads the pages in English and acts
    (in-process delivery runs in their request) must not put English into everyone else's inbox."""
    from django.utils import translation

    from workflow import notify

    item = draft(user)
    with translation.override("en"):
        services.submit(item, actor=user("cwc_liaison"))
        notify.deliver(item.pk)
    assert [n.message[:4] for n in Notification.objects.filter(user=user("cwc_head"), item=item)] == ["新待办："]
    with translation.override("en"):
        services.reassign(item, to=second_head, actor=user("office"))
    assert Notification.objects.filter(user=second_head, item=item).latest("id").message.startswith("信息公开办公室将任务改派给您")
    delegation = name_deputy(head_membership(), deputy=colleague, starts_on=TODAY, ends_on=TODAY + 5 * DAY,
                             actor=user("cwc_head"))
    with translation.override("en"):
        end_delegation(delegation, actor=user("office"))
    assert "已结束" in Notification.objects.get(user=colleague).message
