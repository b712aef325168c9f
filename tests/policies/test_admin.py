"""The office manages memberships in the Django admin; grants and the audit log follow."""

from audit.models import AuditEvent
from policies.access import can
from policies.models import Department, Membership, Role


def test_the_office_adds_a_membership_in_the_admin_and_it_grants_and_is_audited(client, user):
    client.force_login(user("office"))
    liaison = user("jwc_liaison")
    cwc = Department.objects.get(code="cwc")
    response = client.post(
        "/admin/policies/membership/add/", {"user": liaison.pk, "department": cwc.pk, "role": Role.LIAISON}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert can(type(liaison).objects.get(pk=liaison.pk), "draft_items", cwc)
    event = AuditEvent.objects.filter(action="membership.add").order_by("-seq").first()
    assert (event.actor_username, event.department) == ("office", "cwc")
    assert f'"user":"{liaison.username}"' in event.canonical


def test_the_office_ends_a_membership_from_the_admin_list(client, user):
    client.force_login(user("office"))
    membership = Membership.objects.active().get(user__username="cwc_head", role=Role.HEAD)
    response = client.post(
        "/admin/policies/membership/", {"action": "end_selected", "_selected_action": [membership.pk]}, follow=True
    )
    assert "已结束 1 项任职" in response.content.decode()
    membership.refresh_from_db()
    assert membership.ended_at is not None
    assert not can(user("cwc_head"), "approve_items", membership.department)


def test_memberships_cannot_be_deleted_or_edited_in_place(client, user):
    client.force_login(user("office"))
    membership = Membership.objects.active().get(user__username="cwc_head", role=Role.HEAD)
    assert client.post(f"/admin/policies/membership/{membership.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(f"/admin/policies/membership/{membership.pk}/change/", {"role": Role.LIAISON})
    membership.refresh_from_db()
    assert membership.role == Role.HEAD


def test_a_department_head_cannot_open_the_admin(client, user):
    client.force_login(user("cwc_head"))
    response = client.get("/admin/policies/membership/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
