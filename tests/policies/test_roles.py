"""Each role's grants for its own and another department, from both sides of the boundary."""

import pytest

from audit.models import AuditEvent
from policies import services
from policies.access import can, departments_where
from policies.models import Department, Membership, Role

ALL = ["view_items", "draft_items", "approve_items", "review_items", "publish_items",
       "approve_major_items", "review_secret_items", "view_audit"]

# persona -> what it may do for its own department (cwc) / for another department (jwc)
EXPECTED = {
    "cwc_liaison": ({"view_items", "draft_items"}, set()),
    "cwc_head": ({"view_items", "approve_items"}, set()),
    "cwc_reviewer": ({"view_items", "review_items"}, set()),
    "office": ({"view_items", "publish_items", "view_audit"}, {"view_items", "publish_items", "view_audit"}),
    "leader": ({"view_items", "approve_major_items"}, {"view_items", "approve_major_items"}),
    "auditor": ({"view_items", "view_audit"}, {"view_items", "view_audit"}),
    "secrecy": ({"view_items", "review_secret_items"}, {"view_items", "review_secret_items"}),
}


@pytest.mark.parametrize("username", sorted(EXPECTED))
@pytest.mark.parametrize("codename", ALL)
def test_role_grants_own_and_other_department(user, username, codename):
    person = user(username)
    cwc, jwc = Department.objects.get(code="cwc"), Department.objects.get(code="jwc")
    own, other = EXPECTED[username]
    assert can(person, codename, cwc) == (codename in own)
    assert can(person, codename, jwc) == (codename in other)


def test_department_roles_see_only_their_department(user):
    assert list(departments_where(user("cwc_head"), "approve_items").values_list("code", flat=True)) == ["cwc"]
    assert departments_where(user("auditor"), "approve_items").count() == 0
    assert departments_where(user("office"), "publish_items").count() == Department.objects.count()


def test_only_the_office_gets_the_admin(user):
    assert user("office").is_staff
    assert not any(user(name).is_staff for name in ["leader", "auditor", "cwc_head", "cwc_liaison"])


def test_ending_a_membership_revokes_its_grants_and_is_audited(user):
    head, office = user("cwc_head"), user("office")
    cwc = Department.objects.get(code="cwc")
    membership = Membership.objects.active().get(user=head, role=Role.HEAD)
    before = AuditEvent.objects.count()

    services.end_membership(membership, actor=office)

    head = type(head).objects.get(pk=head.pk)  # fresh object: no permission cache
    assert not can(head, "approve_items", cwc)
    assert not can(head, "view_items", cwc)
    event = AuditEvent.objects.get(seq=before + 1)
    assert (event.action, event.actor_username, event.department) == ("membership.end", "office", "cwc")
    assert '"revoked":["approve_items@%d","view_items@%d"]' % (cwc.pk, cwc.pk) in event.canonical
    assert AuditEvent.objects.count() == before + 1


def test_a_new_membership_grants_and_an_inactive_user_has_nothing(user):
    liaison, office = user("jwc_liaison"), user("office")
    cwc = Department.objects.get(code="cwc")
    assert not can(liaison, "draft_items", cwc)
    services.add_membership(liaison, cwc, Role.LIAISON, actor=office)
    liaison = type(liaison).objects.get(pk=liaison.pk)
    assert can(liaison, "draft_items", cwc)
    liaison.is_active = False
    assert not can(liaison, "draft_items", cwc)


def test_adding_the_same_membership_twice_changes_nothing(user):
    head = user("cwc_head")
    cwc = Department.objects.get(code="cwc")
    events = AuditEvent.objects.count()
    services.add_membership(head, cwc, Role.HEAD, actor=None)
    assert Membership.objects.filter(user=head, role=Role.HEAD).count() == 1
    assert AuditEvent.objects.count() == events
