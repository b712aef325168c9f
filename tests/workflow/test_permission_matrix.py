"""Every role × every action × own/other department, through the API. 200 = done; 403 = this user
may not; 409 = they hold the role but the item is not at their step; 404 = they cannot see it."""

import datetime

import pytest
import time_machine

from policies.models import Department, Role
from policies.services import add_membership
from tests.workflow.helpers import draft, to_state
from workflow.models import State

PERSONAS = ["cwc_liaison", "cwc_head", "cwc_reviewer", "office", "leader", "secrecy", "auditor",
            "jwc_liaison", "jwc_head", "jwc_reviewer"]

# (action, the state it is tried in, item flags, {persona: expected status}); unlisted = 403,
# other departments' people = 404.
CASES = [
    ("edit", "draft", {}, {"cwc_liaison": 200}),
    ("submit", "draft", {}, {"cwc_liaison": 200}),
    ("submit", "returned", {}, {"cwc_liaison": 200}),
    ("approve", "head_review", {}, {"cwc_head": 200, "leader": 409}),
    ("return", "head_review", {}, {"cwc_head": 200, "cwc_reviewer": 409, "office": 409, "leader": 409, "secrecy": 409}),
    ("clear", "confidentiality_review", {}, {"cwc_reviewer": 200, "secrecy": 409}),
    ("redact", "confidentiality_review", {}, {"cwc_reviewer": 200, "secrecy": 409}),
    ("refuse", "confidentiality_review", {}, {"cwc_reviewer": 200, "secrecy": 409, "office": 409}),
    ("return", "confidentiality_review", {}, {"cwc_reviewer": 200, "cwc_head": 409, "office": 409, "leader": 409, "secrecy": 409}),
    ("clear", "secrecy_review", {"touches_state_secret": True}, {"secrecy": 200, "cwc_reviewer": 409}),
    ("refuse", "secrecy_review", {"touches_state_secret": True}, {"secrecy": 200, "cwc_reviewer": 409, "office": 409}),
    ("approve", "leader_review", {"is_major": True}, {"leader": 200, "cwc_head": 409}),
    ("publish", "office_review", {}, {"office": 200}),
    ("refuse", "office_review", {}, {"office": 200, "cwc_reviewer": 409, "secrecy": 409}),
    ("return", "office_review", {}, {"office": 200, "cwc_head": 409, "cwc_reviewer": 409, "leader": 409, "secrecy": 409}),
    ("withdraw", "published", {}, {"office": 200}),
    ("correct", "published", {}, {"office": 200, "cwc_liaison": 200}),
    # The office cannot skip the review steps.
    ("publish", "head_review", {}, {"office": 409}),
    ("publish", "confidentiality_review", {}, {"office": 409}),
    ("withdraw", "office_review", {}, {"office": 409}),
]
BODIES = {
    "return": {"comment": "请修改"},
    "redact": {"comment": "请删去第二段中的身份证号"},
    "refuse": {"comment": "涉及个人隐私", "ground": "privacy"},
    "withdraw": {"comment": "信息有误"},
}


def expected(persona, table):
    if persona.startswith("jwc_"):
        return 404
    return table.get(persona, 403)


def prepare(user, state, flags):
    item = draft(user, **flags)
    if state == "returned":
        to_state(user, item, "head_review")
        from workflow import services

        services.return_item(item, actor=user("cwc_head"), comment="请修改")
        item.refresh_from_db()
        return item
    return to_state(user, item, state)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "action, state, flags, table", CASES, ids=[f"{a}@{s}" for a, s, _f, _t in CASES]
)
def test_permission_matrix(api, user, persona, action, state, flags, table):
    item = prepare(user, state, flags)
    client = api(persona)
    if action == "edit":
        response = client.patch(f"/api/disclosures/{item.pk}/", {"title": "新标题"}, format="json")
    else:
        response = client.post(f"/api/disclosures/{item.pk}/{action}/", BODIES.get(action, {}), format="json")
    want = expected(persona, table)
    assert response.status_code == want, response.content.decode()[:300]
    item.refresh_from_db()
    if want != 200:
        assert item.state == state, "a refused action changes nothing"
    # The item page offers exactly the actions that succeed.
    if want in (200, 403, 409) and response.status_code != 200:
        listed = client.get(f"/api/disclosures/{item.pk}/").json()["actions"]
        assert action not in listed


def test_actions_field_matches_what_is_allowed(api, user):
    item = to_state(user, draft(user), "head_review")
    assert api("cwc_head").get(f"/api/disclosures/{item.pk}/").json()["actions"] == ["approve", "return"]
    assert api("cwc_liaison").get(f"/api/disclosures/{item.pk}/").json()["actions"] == []
    assert api("office").get(f"/api/disclosures/{item.pk}/").json()["actions"] == ["reassign"]  # 改派, not the head's decision


@pytest.fixture
def double_role(user, django_user_model):
    """A cwc member who is both liaison and head, and one who is both head and reviewer."""
    cwc = Department.objects.get(code="cwc")
    office = user("office")
    both = django_user_model.objects.create(username="cwc_both")
    add_membership(both, cwc, Role.LIAISON, actor=office)
    add_membership(both, cwc, Role.HEAD, actor=office)
    head_reviewer = django_user_model.objects.create(username="cwc_head_reviewer")
    add_membership(head_reviewer, cwc, Role.HEAD, actor=office)
    add_membership(head_reviewer, cwc, Role.REVIEWER, actor=office)
    return both, head_reviewer


def test_nobody_approves_what_they_drafted_or_edited(api, user, double_role):
    both, _ = double_role
    item = draft(user)
    api("cwc_both").patch(f"/api/disclosures/{item.pk}/", {"title": "改过的标题"}, format="json")
    assert api("cwc_liaison").post(f"/api/disclosures/{item.pk}/submit/").status_code == 200
    response = api("cwc_both").post(f"/api/disclosures/{item.pk}/approve/")
    assert response.status_code == 403 and "起草或编辑过" in response.json()["detail"]
    assert api("cwc_both").get(f"/api/disclosures/{item.pk}/").json()["actions"] == []
    assert api("cwc_head").post(f"/api/disclosures/{item.pk}/approve/").status_code == 200


def test_nobody_acts_at_two_steps_of_one_item(api, user, double_role):
    item = to_state(user, draft(user), "head_review")
    assert api("cwc_head_reviewer").post(f"/api/disclosures/{item.pk}/approve/").status_code == 200
    response = api("cwc_head_reviewer").post(f"/api/disclosures/{item.pk}/clear/")
    assert response.status_code == 403 and "另一环节" in response.json()["detail"]
    assert api("cwc_reviewer").post(f"/api/disclosures/{item.pk}/clear/").status_code == 200
    item.refresh_from_db()
    assert item.state == State.OFFICE_REVIEW


def test_creating_needs_a_liaison_of_the_entry_department(api):
    from tests.workflow.helpers import entry

    body = {"catalogue_entry": entry("7").pk, "title": "招生章程", "body": "<p>x</p>", "produced_on": "2025-09-01"}
    assert api("cwc_liaison").post("/api/disclosures/", body, format="json").status_code == 403
    assert api("office").post("/api/disclosures/", body, format="json").status_code == 403
    assert api("zsb_head").post("/api/disclosures/", body, format="json").status_code == 403
    assert api("zsb_liaison").post("/api/disclosures/", body, format="json").status_code == 201


# --- 代理审批: deputies -------------------------------------------------------------------------
# cwc_head names a deputy for head_review (a second cwc liaison, who drafted nothing); the
# delegation's state decides whether the deputy may approve. Dates: "today" is 2025-10-20.
DEPUTY_TODAY = datetime.date(2025, 10, 20)
DEPUTY_CASES = [
    # (delegation state, expected status of the deputy's approve, of the deputy's return)
    ("active", 200, 200),
    ("expired", 403, 403),
    ("not_yet_started", 403, 403),
    ("revoked", 403, 403),
    ("principal_left", 403, 403),  # the head's membership ended: the delegation confers nothing
    ("none", 403, 403),
]


@pytest.fixture
def deputy(user, django_user_model):
    cwc = Department.objects.get(code="cwc")
    person = django_user_model.objects.create(username="cwc_deputy", first_name="代理人")
    add_membership(person, cwc, Role.LIAISON, actor=user("office"))
    return person


def _delegate(user, deputy_user, state, role=Role.HEAD, principal="cwc_head"):
    from django.utils import timezone

    from policies.models import Membership
    from policies.services import end_delegation, end_membership, name_deputy

    membership = Membership.objects.active().get(user__username=principal, department__code="cwc", role=role)
    head = user(principal)
    day = datetime.timedelta(days=1)
    if state == "none":
        return None
    if state == "expired":
        with time_machine.travel(DEPUTY_TODAY - 10 * day):
            return name_deputy(membership, deputy=deputy_user, starts_on=timezone.localdate(),
                               ends_on=timezone.localdate() + 5 * day, actor=head)
    today = timezone.localdate()
    start = today + (3 * day if state == "not_yet_started" else 0 * day)
    delegation = name_deputy(membership, deputy=deputy_user, starts_on=start, ends_on=today + 7 * day, actor=head)
    if state == "revoked":
        end_delegation(delegation, actor=head)
    if state == "principal_left":
        end_membership(membership, actor=user("office"))
    return delegation


@pytest.mark.parametrize("state, approve, give_back", DEPUTY_CASES, ids=[c[0] for c in DEPUTY_CASES])
def test_deputy_holds_the_heads_decisions_only_while_in_force(api, user, deputy, state, approve, give_back):
    with time_machine.travel(DEPUTY_TODAY, tick=False):
        items = [to_state(user, draft(user), "head_review") for _ in range(2)]
        _delegate(user, deputy, state)
        client = api("cwc_deputy")
        listed = client.get(f"/api/disclosures/{items[0].pk}/").json()["actions"]
        assert listed == (["approve", "return"] if approve == 200 else [])
        assert client.post(f"/api/disclosures/{items[0].pk}/approve/").status_code == approve
        assert client.post(f"/api/disclosures/{items[1].pk}/return/", {"comment": "请补充"}, format="json").status_code == give_back
        # a deputy for the head is no reviewer: the next step is not theirs
        if approve == 200:
            assert client.post(f"/api/disclosures/{items[0].pk}/clear/").status_code == 403
        # the head keeps their own right
        items[1].refresh_from_db()
        if items[1].state == State.HEAD_REVIEW and state != "principal_left":
            assert api("cwc_head").post(f"/api/disclosures/{items[1].pk}/approve/").status_code == 200


def test_separation_of_duties_applies_to_the_deputy_who_acts(api, user):
    """The liaison who drafted an item may be the head's deputy, but may not approve that item;
    a reviewer deputising for the head who approved an item may not clear it too."""
    with time_machine.travel(DEPUTY_TODAY, tick=False):
        drafted = to_state(user, draft(user), "head_review")
        first = _delegate(user, user("cwc_liaison"), "active")
        response = api("cwc_liaison").post(f"/api/disclosures/{drafted.pk}/approve/")
        assert response.status_code == 403 and "起草或编辑过" in response.json()["detail"]
        from policies.services import end_delegation

        end_delegation(first, actor=user("cwc_head"))

    with time_machine.travel(DEPUTY_TODAY + datetime.timedelta(days=1), tick=False):
        item = to_state(user, draft(user), "head_review")
        _delegate(user, user("cwc_reviewer"), "active")
        reviewer = api("cwc_reviewer")
        assert reviewer.post(f"/api/disclosures/{item.pk}/approve/").status_code == 200
        response = reviewer.post(f"/api/disclosures/{item.pk}/clear/")
        assert response.status_code == 403 and "另一环节" in response.json()["detail"]


def test_a_reviewers_deputy_clears_and_refuses_but_does_not_approve(api, user, deputy):
    with time_machine.travel(DEPUTY_TODAY, tick=False):
        at_head = to_state(user, draft(user), "head_review")
        items = [to_state(user, draft(user), "confidentiality_review") for _ in range(2)]
        _delegate(user, deputy, "active", role=Role.REVIEWER, principal="cwc_reviewer")
        client = api("cwc_deputy")
        assert client.post(f"/api/disclosures/{at_head.pk}/approve/").status_code == 403
        assert client.post(f"/api/disclosures/{items[0].pk}/clear/").status_code == 200
        body = {"comment": "涉及个人隐私", "ground": "privacy"}
        assert client.post(f"/api/disclosures/{items[1].pk}/refuse/", body, format="json").status_code == 200
        assert api("jwc_liaison").get(f"/api/disclosures/{items[0].pk}/").status_code == 404
