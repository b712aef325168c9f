"""Memberships and the permissions they grant, and deputies (代理审批). Every change is audited in
its own transaction."""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.models import UserObjectPermission
from guardian.shortcuts import assign_perm, remove_perm

from audit.display import person
from core import inputs
from audit.services import record
from policies.access import forget
from policies.models import Delegation, Department, Membership
from policies.signals import delegation_ended
from policies.roles import (
    DELEGABLE_PERMISSIONS,
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


# --- 代理审批: deputies -----------------------------------------------------------------------------

# The longest delegation one may name at a time (days, inclusive): long absences are a change of
# role, which the office makes with a membership.
DELEGATION_MAX_DAYS = 92


def delegable_roles(user):
    """The user's active memberships whose role they may hand to a deputy (head, reviewer)."""
    return list(user.memberships.active().filter(role__in=list(DELEGABLE_PERMISSIONS)).select_related("department"))


def deputy_candidates(membership):
    """Who may deputise for this membership: the other active members of the same department
    (any role: a liaison, the other head or reviewer), active accounts only — never the principal.
    Separation of duties still applies to whatever the deputy does."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model().objects.filter(
            is_active=True, memberships__department=membership.department, memberships__ended_at__isnull=True,
        )
        .exclude(pk=membership.user_id)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def _delegation_state(delegation):
    return {
        "principal": delegation.principal_id,
        "deputy": delegation.deputy_id,
        "department": delegation.department.code,
        "role": delegation.role,
        "starts_on": delegation.starts_on.isoformat(),
        "ends_on": delegation.ends_on.isoformat(),
        "note": delegation.note,
        "revoked": delegation.revoked_at.isoformat() if delegation.revoked_at else None,
    }


@transaction.atomic
def name_deputy(membership, *, deputy, starts_on, ends_on, note="", actor):
    """The holder of `membership` (a head or reviewer role) names `deputy` to act for them in that
    role and department from `starts_on` to `ends_on` (inclusive). Refused (ValidationError, by
    field) when the deputy is not another active member of the department, the dates are not a
    period from today on of at most DELEGATION_MAX_DAYS, or it overlaps another delegation of the
    same role."""
    if actor is None or actor.pk != membership.user_id or membership.ended_at is not None:
        raise PermissionDenied(_("Only the holder of a role may name a deputy for it."))
    if membership.role not in DELEGABLE_PERMISSIONS:
        raise PermissionDenied(_("A deputy can be named only for a head's or a confidentiality reviewer's role."))
    today = timezone.localdate()
    errors = {}
    if deputy is None:
        errors["deputy"] = [_("Choose the deputy.")]
    elif deputy.pk == membership.user_id:
        errors["deputy"] = [_("You cannot be your own deputy.")]
    elif not deputy_candidates(membership).filter(pk=deputy.pk).exists():
        errors["deputy"] = [_("The deputy must be another active member of %(department)s.") % {
            "department": membership.department.name}]
    if starts_on is None:
        errors["starts_on"] = [_("Enter the first day.")]
    elif starts_on < today:
        errors["starts_on"] = [_("The first day cannot be in the past.")]
    elif starts_on > inputs.DATE_MAX:  # a mistyped year (9999): a delegation no one would ever see begin
        errors["starts_on"] = [str(inputs.MESSAGES["date_range"])]
    if ends_on is None:
        errors["ends_on"] = [_("Enter the last day.")]
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = [_("The last day cannot be before the first day.")]
    elif starts_on is not None and (ends_on - starts_on).days + 1 > DELEGATION_MAX_DAYS:
        errors["ends_on"] = [_("A delegation lasts at most %(n)d days; for a longer absence ask the office to change the roles.") % {
            "n": DELEGATION_MAX_DAYS}]
    if len(note or "") > 200:
        errors["note"] = [_("At most 200 characters.")]
    if not errors:
        overlapping = Delegation.objects.current_or_future(today).filter(
            principal_id=membership.user_id, department=membership.department, role=membership.role,
            starts_on__lte=ends_on, ends_on__gte=starts_on,
        ).select_related("deputy").first()
        if overlapping:
            errors["starts_on"] = [_("This overlaps your delegation to %(name)s (%(start)s to %(end)s); end it first.") % {
                "name": person(overlapping.deputy),
                "start": overlapping.starts_on.isoformat(), "end": overlapping.ends_on.isoformat()}]
    if errors:
        raise ValidationError(errors)
    delegation = Delegation.objects.create(
        principal_id=membership.user_id, deputy=deputy, department=membership.department, role=membership.role,
        starts_on=starts_on, ends_on=ends_on, note=note or "",
    )
    forget(deputy)
    record(
        "delegation.create",
        actor=actor,
        obj=delegation,
        department=membership.department.code,
        after=_delegation_state(delegation),
        data={"user": deputy.get_username(), "role": membership.role, "from": starts_on.isoformat(),
              "to": ends_on.isoformat(), **({"comment": note} if note else {})},
    )
    return delegation


@transaction.atomic
def end_delegation(delegation, *, actor):
    """End a delegation now (or cancel one not yet begun): its principal or the office may. The
    row stays as history; the deputy's permission ends with it."""
    from policies.access import is_office

    delegation = Delegation.objects.select_for_update().select_related("department", "deputy").get(pk=delegation.pk)
    if actor is None or (actor.pk != delegation.principal_id and not is_office(actor)):
        raise PermissionDenied(_("Only the person who named this deputy, or the office, may end it."))
    if delegation.revoked_at is not None or delegation.ends_on < timezone.localdate():
        raise ValidationError({"delegation": [_("This delegation has already ended.")]})
    before = _delegation_state(delegation)
    delegation.revoked_at = timezone.now()
    delegation.save(update_fields=["revoked_at"])
    forget(delegation.deputy)
    record(
        "delegation.end",
        actor=actor,
        obj=delegation,
        department=delegation.department.code,
        before=before,
        after=_delegation_state(delegation),
        data={"user": delegation.deputy.get_username(), "role": delegation.role},
    )
    delegation_ended.send(sender=Delegation, delegation=delegation, actor=actor)
    return delegation


def delegations_of(user, today=None):
    """The user's delegations that are in force or still to come, given and held, for their page."""
    today = today or timezone.localdate()
    base = Delegation.objects.current_or_future(today).select_related("principal", "deputy", "department")
    return list(base.filter(principal=user)), list(base.filter(deputy=user))


def deputy_for(user, today=None):
    """The delegations in force today that make `user` a deputy (one query), for their home page."""
    today = today or timezone.localdate()
    return list(Delegation.objects.active(today).filter(deputy=user).select_related("principal", "department"))
