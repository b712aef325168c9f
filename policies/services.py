"""Memberships and the permissions they grant. Every change is audited in its own transaction."""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from guardian.models import UserObjectPermission
from guardian.shortcuts import assign_perm, remove_perm

from audit.services import record
from policies.access import forget
from policies.models import Department, Membership
from policies.roles import (
    DEPARTMENT_PERMISSIONS,
    OFFICE_ADMIN_PERMISSIONS,
    SCHOOL_PERMISSIONS,
    STAFF_ROLES,
    group_name,
)


def _permission(dotted):
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def ensure_role_groups():
    """Create (or repair) one group per school-wide role with exactly its permissions."""
    for role, codenames in SCHOOL_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name(role))
        wanted = [_permission(f"policies.{codename}") for codename in codenames]
        if role in STAFF_ROLES:
            wanted += [_permission(dotted) for dotted in OFFICE_ADMIN_PERMISSIONS]
        group.permissions.set(wanted)


def _department_grants(user):
    grants = set()
    for membership in user.memberships.active().select_related("department"):
        for codename in DEPARTMENT_PERMISSIONS.get(membership.role, ()):
            grants.add((codename, membership.department_id))
    return grants


def _current_department_grants(user):
    content_type = ContentType.objects.get_for_model(Department)
    rows = UserObjectPermission.objects.filter(user=user, content_type=content_type).values_list(
        "permission__codename", "object_pk"
    )
    return {(codename, int(pk)) for codename, pk in rows}


def sync_grants(user):
    """Make the user's permissions exactly what their active memberships grant.
    Returns (granted, revoked) as sorted lists of "codename@department-id" / "group:role"."""
    ensure_role_groups()
    wanted = _department_grants(user)
    current = _current_department_grants(user)
    departments = Department.objects.in_bulk({pk for _, pk in wanted | current})
    for codename, pk in wanted - current:
        assign_perm(f"policies.{codename}", user, departments[pk])
    for codename, pk in current - wanted:
        remove_perm(f"policies.{codename}", user, departments[pk])

    roles = set(user.memberships.active().values_list("role", flat=True))
    wanted_groups = {group_name(role) for role in roles if role in SCHOOL_PERMISSIONS}
    current_groups = set(user.groups.filter(name__startswith="role:").values_list("name", flat=True))
    for name in wanted_groups - current_groups:
        user.groups.add(Group.objects.get(name=name))
    for name in current_groups - wanted_groups:
        user.groups.remove(Group.objects.get(name=name))

    is_staff = user.is_superuser or bool(roles & set(STAFF_ROLES))
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    # Django and guardian cache permissions on the user object.
    for attr in ("_perm_cache", "_user_perm_cache", "_group_perm_cache", "_guardian_perms_cache"):
        user.__dict__.pop(attr, None)
    forget(user)

    granted = [f"{c}@{pk}" for c, pk in sorted(wanted - current)] + sorted(
        f"group:{g}" for g in wanted_groups - current_groups
    )
    revoked = [f"{c}@{pk}" for c, pk in sorted(current - wanted)] + sorted(
        f"group:{g}" for g in current_groups - wanted_groups
    )
    return granted, revoked


def _membership_state(membership):
    return {
        "user": membership.user_id,
        "department": membership.department.code,
        "role": membership.role,
        "ended": membership.ended_at.isoformat() if membership.ended_at else None,
    }


@transaction.atomic
def add_membership(user, department, role, *, actor):
    """Give `user` a role in `department` (idempotent: an active one is returned as it is)."""
    existing = Membership.objects.active().filter(user=user, department=department, role=role).first()
    if existing:
        return existing
    membership = Membership.objects.create(user=user, department=department, role=role)
    granted, revoked = sync_grants(user)
    record(
        "membership.add",
        actor=actor,
        obj=membership,
        department=department.code,
        after=_membership_state(membership),
        data={"user": user.get_username(), "role": role, "granted": granted, "revoked": revoked},
    )
    return membership


@transaction.atomic
def end_membership(membership, *, actor):
    """End a membership and revoke what it granted; the row stays as history."""
    if membership.ended_at is not None:
        return membership
    before = _membership_state(membership)
    membership.ended_at = timezone.now()
    membership.save(update_fields=["ended_at"])
    granted, revoked = sync_grants(membership.user)
    record(
        "membership.end",
        actor=actor,
        obj=membership,
        department=membership.department.code,
        before=before,
        after=_membership_state(membership),
        data={"user": membership.user.get_username(), "role": membership.role, "granted": granted, "revoked": revoked},
    )
    return membership


@transaction.atomic
def save_department(department, *, actor, changed_fields=()):
    """Create or update a department (used by the admin and the demo seed)."""
    created = department.pk is None
    before = None if created else _department_state(Department.objects.get(pk=department.pk))
    department.save()
    record(
        "department.create" if created else "department.update",
        actor=actor,
        obj=department,
        department=department.code,
        before=before,
        after=_department_state(department),
        data={"fields": sorted(changed_fields)},
    )
    return department


def _department_state(department):
    return {
        "code": department.code,
        "name": department.name,
        "kind": department.kind,
        "hosts_office": int(department.hosts_office),
        "active": int(department.active),
    }
