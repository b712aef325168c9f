"""The one place that answers "may this user …?" and "who may …?" for every app.

Answers come from Django and guardian permissions (`policies.<codename>`), which policies.services
derives from memberships: school-wide roles through groups, department roles through object
permissions on the Department (for the user or one of their groups). A user's permissions are read
in one query the first time they are asked and kept on the user object, i.e. for one request
(policies.services clears them when it changes that user's grants).

- can(user, codename, department=None): holds it school-wide, or for that department;
- is_office(user): the disclosure office (publishes, administers);
- departments_where(user, codename): the departments where they hold it;
- users_with(codename, department): the active people who hold it there;
- holders(codenames): who holds each, everywhere at once (the periodic scan);
- acting_for(user, codename, department): whose deputy they are when they hold it only as one;
  deputy_for(...): whose deputy they are there at all.

Delegation (代理审批, policies.models.Delegation): while a delegation is in force (started, not
ended, not revoked, and its principal still holds the role there), the deputy holds the role's
decision permission (policies.roles.DELEGABLE_PERMISSIONS) on that department. Every answer above
includes it; the principal keeps their own. A permission held only as a deputy is never passed on:
naming a deputy takes the role itself (a membership).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from guardian.models import GroupObjectPermission, UserObjectPermission

from django.utils import timezone

from policies.models import Delegation, Department, Membership
from policies.roles import DELEGABLE_PERMISSIONS

_CACHE = "_policies_permissions"
_DELEGATED = "_policies_delegated"  # {(codename, department pk as str): principal ids}, held only as a deputy
_DEPUTY_FOR = "_policies_deputy_for"  # the same for every delegation in force, held in one's own right too or not


def _delegations_sql(tables):
    """Delegations in force (the principal still holds the role, the deputy is still a member of
    the department), with the permission each confers, as SQL selecting (deputy_id, codename,
    department_id, principal_id); parameters: today, today."""
    role_to_codename = " ".join(f"WHEN '{role}' THEN '{codename}'" for role, codename in DELEGABLE_PERMISSIONS.items())
    return (
        f"SELECT d.deputy_id AS deputy_id, CASE d.role {role_to_codename} END AS codename, "
        f"d.department_id AS department_id, d.principal_id AS principal_id "
        f"FROM {tables['delegation']} d JOIN {tables['membership']} m ON m.user_id = d.principal_id "
        f"AND m.department_id = d.department_id AND m.role = d.role AND m.ended_at IS NULL "
        f"JOIN {tables['user']} pu ON pu.id = d.principal_id AND pu.is_active "
        f"WHERE d.revoked_at IS NULL AND d.starts_on <= %s AND d.ends_on >= %s "
        # the deputy is still a member of the department
        f"AND EXISTS (SELECT 1 FROM {tables['membership']} dm WHERE dm.user_id = d.deputy_id "
        f"AND dm.department_id = d.department_id AND dm.ended_at IS NULL)"
    )


def roles_of(user):
    """The user's active memberships, for display."""
    if not user.is_authenticated:
        return []
    return list(user.memberships.active().select_related("department"))


def permissions_of(user):
    """(school-wide codenames, {department pk as str: codenames}) of the `policies` permissions,
    in one query: the same answer as Django's ModelBackend plus guardian's object permissions on a
    Department for the user and their groups, which would take four, plus what they hold as a
    deputy today (remembered separately for acting_for)."""
    cached = user.__dict__.get(_CACHE)
    if cached is not None:
        return cached
    today = timezone.localdate()
    department_type = ContentType.objects.get_for_model(Department).pk
    user_model = get_user_model()
    tables = {
        "perm": Permission._meta.db_table,
        "ct": ContentType._meta.db_table,
        "user_perms": user_model.user_permissions.through._meta.db_table,
        "user_groups": user_model.groups.through._meta.db_table,
        "group_perms": Group.permissions.through._meta.db_table,
        "uop": UserObjectPermission._meta.db_table,
        "gop": GroupObjectPermission._meta.db_table,
        "user": user_model._meta.db_table,
        "delegation": Delegation._meta.db_table,
        "membership": Membership._meta.db_table,
    }
    sql = (
        # school-wide: the user's own permissions and their groups' (as ModelBackend)
        "SELECT p.codename AS codename, NULL AS object_pk FROM {user_perms} up JOIN {perm} p ON p.id = up.permission_id "
        "JOIN {ct} ct ON ct.id = p.content_type_id WHERE up.user_id = %s AND ct.app_label = 'policies' "
        "UNION ALL SELECT p.codename, NULL FROM {user_groups} ug JOIN {group_perms} gp ON gp.group_id = ug.group_id "
        "JOIN {perm} p ON p.id = gp.permission_id JOIN {ct} ct ON ct.id = p.content_type_id "
        "WHERE ug.user_id = %s AND ct.app_label = 'policies' "
        # per department: the user's and their groups' object permissions (as guardian)
        "UNION ALL SELECT p.codename, uop.object_pk FROM {uop} uop JOIN {perm} p ON p.id = uop.permission_id "
        "WHERE uop.user_id = %s AND uop.content_type_id = %s AND p.content_type_id = %s "
        "UNION ALL SELECT p.codename, gop.object_pk FROM {user_groups} ug JOIN {gop} gop ON gop.group_id = ug.group_id "
        "JOIN {perm} p ON p.id = gop.permission_id "
        "WHERE ug.user_id = %s AND gop.content_type_id = %s AND p.content_type_id = %s"
    ).format(**tables)
    # as a deputy: (codename, department, principal) of the delegations in force
    sql = (
        "SELECT g.codename, g.object_pk, NULL AS principal_id FROM (" + sql + ") g "
        "UNION ALL SELECT dl.codename, CAST(dl.department_id AS VARCHAR(32)), dl.principal_id "
        "FROM (" + _delegations_sql(tables) + ") dl WHERE dl.deputy_id = %s"
    )
    school_wide, per_department, delegated = set(), {}, {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, user.pk, user.pk, department_type, department_type,
                             user.pk, department_type, department_type, today, today, user.pk])
        for codename, object_pk, principal_id in cursor.fetchall():
            if principal_id is not None:
                delegated.setdefault((codename, str(object_pk)), set()).add(principal_id)
            elif object_pk is None:
                school_wide.add(codename)
            else:
                per_department.setdefault(str(object_pk), set()).add(codename)
    user.__dict__[_DEPUTY_FOR] = {key: set(ids) for key, ids in delegated.items()}
    # Held in one's own right too: then one acts as oneself, not as a deputy.
    delegated = {
        (codename, pk): principals for (codename, pk), principals in delegated.items()
        if codename not in school_wide and codename not in per_department.get(pk, ())
    }
    for codename, pk in delegated:
        per_department.setdefault(pk, set()).add(codename)
    user.__dict__[_DELEGATED] = delegated
    cached = user.__dict__[_CACHE] = (school_wide, per_department)
    return cached


def acting_for(user, codename, department):
    """The ids of the people whose deputy `user` is when they hold `codename` on `department`
    only through delegations in force; empty when they hold it themselves (or not at all)."""
    if not _active(user) or user.is_superuser:
        return set()
    permissions_of(user)
    return set(user.__dict__[_DELEGATED].get((codename, str(department.pk)), ()))


def deputy_for(user, codename, department):
    """The ids of everyone whose deputy `user` is for `codename` on `department` now, whether or not
    they also hold it themselves (a task the office gave to one of those people is theirs too)."""
    if not _active(user):
        return set()
    permissions_of(user)
    return set(user.__dict__[_DEPUTY_FOR].get((codename, str(department.pk)), ()))


def delegated_to(user):
    """{(codename, department pk as str): principal ids} of every delegation in force to `user`."""
    if not _active(user):
        return {}
    permissions_of(user)
    return {key: set(ids) for key, ids in user.__dict__[_DEPUTY_FOR].items()}


def deputies_by_principal(principal_ids, today=None):
    """{(principal id, codename, department pk): deputy ids} of the delegations in force given by
    these people (one query), for routing a task given to one person."""
    today = today or timezone.localdate()
    result = {}
    rows = (
        _in_force(Delegation.objects.active(today))
        .filter(principal_id__in=list(principal_ids), deputy__is_active=True)
        .values_list("principal_id", "role", "department_id", "deputy_id")
    )
    for principal_id, role, department_id, deputy_id in rows:
        codename = DELEGABLE_PERMISSIONS.get(role)
        if codename:
            result.setdefault((principal_id, codename, department_id), set()).add(deputy_id)
    return result


def deputies_of(codename, department, principal=None):
    """Ids of the people holding `codename` on `department` as deputies (delegations in force),
    of anyone or of `principal`."""
    today = timezone.localdate()
    roles = [role for role, name in DELEGABLE_PERMISSIONS.items() if name == codename]
    if not roles:
        return Delegation.objects.none().values("deputy_id")
    delegations = Delegation.objects.active(today)
    if principal is not None:
        delegations = delegations.filter(principal=principal)
    return _in_force(delegations.filter(department=department, role__in=roles)).values("deputy_id")


def _in_force(delegations):
    """Only those whose principal still holds the role and whose deputy is still a member there."""
    principal_holds = Membership.objects.active().filter(
        user=OuterRef("principal_id"), department=OuterRef("department_id"), role=OuterRef("role"))
    deputy_member = Membership.objects.active().filter(user=OuterRef("deputy_id"), department=OuterRef("department_id"))
    return delegations.filter(Exists(principal_holds), Exists(deputy_member), principal__is_active=True)


def members(department, role):
    """Active users with an active membership of `role` in `department` (who may be given its tasks)."""
    return get_user_model().objects.filter(
        is_active=True, memberships__department=department, memberships__role=role, memberships__ended_at__isnull=True,
    ).distinct()


def forget(user):
    """Drop the cached permissions of this user object (after its grants changed)."""
    user.__dict__.pop(_CACHE, None)
    user.__dict__.pop(_DELEGATED, None)
    user.__dict__.pop(_DEPUTY_FOR, None)
    user.__dict__.pop("_perm_cache", None)
    user.__dict__.pop("_user_perm_cache", None)
    user.__dict__.pop("_group_perm_cache", None)


def _active(user):
    return bool(user is not None and user.is_authenticated and user.is_active)


def can(user, codename, department=None):
    """True if the user holds `policies.<codename>` school-wide, or for `department` when given."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    school_wide, per_department = permissions_of(user)
    if codename in school_wide:
        return True
    return department is not None and codename in per_department.get(str(department.pk), ())


def can_any(user, *codenames):
    """True if the user holds any of these school-wide."""
    return any(can(user, codename) for codename in codenames)


def is_office(user):
    """The disclosure office: final approval, publication and administration, school-wide."""
    return can(user, "publish_items")


def departments_where(user, codename):
    """Departments for which the user holds `policies.<codename>` (all of them if school-wide)."""
    if not _active(user):
        return Department.objects.none()
    if user.is_superuser:
        return Department.objects.all()
    school_wide, per_department = permissions_of(user)
    if codename in school_wide:
        return Department.objects.all()
    return Department.objects.filter(pk__in=[int(pk) for pk, names in per_department.items() if codename in names])


def in_departments_where(user, codename):
    """A condition on an item's department_id: one of departments_where(user, codename), as a list
    of ids the database serves from an index (a subquery would be checked row by row); no
    condition at all for school-wide roles."""
    if not _active(user):
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    school_wide, per_department = permissions_of(user)
    if codename in school_wide:
        return Q()
    return Q(department_id__in=sorted(int(pk) for pk, names in per_department.items() if codename in names))


def users_with(codename, department=None):
    """Active users holding `policies.<codename>` school-wide or (when given) for this department,
    directly or through one of their groups."""
    condition = Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label="policies") | Q(
        user_permissions__codename=codename, user_permissions__content_type__app_label="policies"
    )
    if department is not None:
        department_type = ContentType.objects.get_for_model(Department)
        on_department = {"content_type": department_type, "object_pk": str(department.pk),
                         "permission__codename": codename}
        condition |= Q(pk__in=UserObjectPermission.objects.filter(**on_department).values("user_id"))
        condition |= Q(groups__in=GroupObjectPermission.objects.filter(**on_department).values("group_id"))
        condition |= Q(pk__in=deputies_of(codename, department))
    return get_user_model().objects.filter(is_active=True).filter(condition).distinct()


def holders(codenames, today=None):
    """Who holds each of `codenames`, for the periodic scan, in one query: {(codename, None):
    user ids school-wide, (codename, department pk): user ids for that department}, active users
    only, directly or through a group or as a deputy (as users_with, for every department at once)."""
    department_type = ContentType.objects.get_for_model(Department).pk
    user_model = get_user_model()
    tables = {
        "perm": Permission._meta.db_table,
        "ct": ContentType._meta.db_table,
        "user": user_model._meta.db_table,
        "user_perms": user_model.user_permissions.through._meta.db_table,
        "user_groups": user_model.groups.through._meta.db_table,
        "group_perms": Group.permissions.through._meta.db_table,
        "uop": UserObjectPermission._meta.db_table,
        "gop": GroupObjectPermission._meta.db_table,
        "delegation": Delegation._meta.db_table,
        "membership": Membership._meta.db_table,
    }
    names = ", ".join(["%s"] * len(codenames))
    sql = (
        "SELECT up.user_id, p.codename, NULL FROM {user_perms} up JOIN {perm} p ON p.id = up.permission_id "
        "JOIN {ct} ct ON ct.id = p.content_type_id WHERE ct.app_label = 'policies' AND p.codename IN ({names}) "
        "UNION SELECT ug.user_id, p.codename, NULL FROM {user_groups} ug JOIN {group_perms} gp ON gp.group_id = ug.group_id "
        "JOIN {perm} p ON p.id = gp.permission_id JOIN {ct} ct ON ct.id = p.content_type_id "
        "WHERE ct.app_label = 'policies' AND p.codename IN ({names}) "
        "UNION SELECT uop.user_id, p.codename, uop.object_pk FROM {uop} uop JOIN {perm} p ON p.id = uop.permission_id "
        "WHERE uop.content_type_id = %s AND p.content_type_id = %s AND p.codename IN ({names}) "
        "UNION SELECT ug.user_id, p.codename, gop.object_pk FROM {user_groups} ug JOIN {gop} gop ON gop.group_id = ug.group_id "
        "JOIN {perm} p ON p.id = gop.permission_id WHERE gop.content_type_id = %s AND p.content_type_id = %s "
        "AND p.codename IN ({names})"
    ).format(names=names, **tables)
    sql += (
        " UNION SELECT dl.deputy_id, dl.codename, CAST(dl.department_id AS VARCHAR(32)) FROM ("
        + _delegations_sql(tables) + f") dl WHERE dl.codename IN ({names})"
    )
    sql = f"SELECT h.* FROM ({sql}) h JOIN {tables['user']} u ON u.id = h.user_id WHERE u.is_active"
    codenames = list(codenames)
    params = codenames * 2 + [department_type, department_type] + codenames + [department_type, department_type] + codenames
    today = today or timezone.localdate()
    params += [today, today] + codenames
    result = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for user_id, codename, department in cursor.fetchall():
            key = (codename, int(department) if department is not None else None)
            result.setdefault(key, set()).add(user_id)
    return result
